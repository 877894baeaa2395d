"""Rendering a docxtpl template in a sandboxed, autoescaping Jinja environment."""

from __future__ import annotations

import io
import threading
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import jinja2
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from ..german import megabytes
from .filters import GERMAN_FILTERS
from .table_widths import fit_tables


class TemplateFailed(Exception):
    """The template cannot be rendered; the message says why, in German, for the screen.

    It fails the same way every time (a broken template, a limit the template runs into), so
    a job that meets it is never retried."""


class OutputTooLarge(TemplateFailed):
    """The rendered document would be larger than ``[documents] output_max_bytes``."""


def too_large(name: str, limit: int) -> OutputTooLarge:
    """The German reason for a document over ``limit`` bytes (unpacked)."""
    return OutputTooLarge(
        f"Das Dokument aus „{name}“ wäre zu groß (entpackt mehr als {megabytes(limit)}, "
        "Grenze [documents] output_max_bytes). Die Vorlage erzeugt vermutlich zu viele oder "
        "zu lange Absätze, z. B. in einer Schleife."
    )


def finalize(value: Any) -> Any:
    """How a bare value prints: nothing for missing values, Ja/Nein for booleans, a list of
    values (a multiselect) as its values joined by commas."""
    if value is None:
        return ""
    if value is True:
        return "Ja"
    if value is False:
        return "Nein"
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return ", ".join("" if v is None else str(v) for v in value)
    return value


class DocumentEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, stricter: templates get plain data and may neither reach for internals
    (``__class__``, ``|attr``) nor call methods. Jinja's sandbox would quietly render an unsafe
    attribute as empty text; here it fails the job with a reason, so a bad template is noticed.
    """

    def unsafe_undefined(self, obj: Any, attribute: str):
        raise SecurityError(f"Zugriff auf „{attribute}“ ist in Vorlagen nicht erlaubt.")

    def getattr(self, obj: Any, attribute: str) -> Any:
        # data first: intake.items is the field "items", never the dict method
        if isinstance(obj, dict):
            return obj[attribute] if attribute in obj else self.undefined(obj=obj, name=attribute)
        value = super().getattr(obj, attribute)
        if _is_code(value):
            raise SecurityError(
                f"„{attribute}“ ist kein Wert; Vorlagen dürfen nur Werte einsetzen."
            )
        return value

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        if _is_code(value):
            raise SecurityError(f"„{argument}“ ist kein Wert; Vorlagen dürfen nur Werte einsetzen.")
        return value

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        if __obj is __self.globals.get("range") or _is_loop_helper(__obj):
            return super().call(__context, __obj, *args, **kwargs)
        name = getattr(__obj, "__name__", type(__obj).__name__)
        raise SecurityError(f"Vorlagen dürfen nichts aufrufen („{name}()“); nur Werte einsetzen.")


def _is_code(value: Any) -> bool:
    """Methods and functions (not data, not Jinja's undefined placeholders, not loop helpers)."""
    return (
        callable(value) and not isinstance(value, jinja2.Undefined) and not _is_loop_helper(value)
    )


def _is_loop_helper(obj: Any) -> bool:
    """loop.cycle() and loop.changed() are part of Jinja's loop syntax, not data methods."""
    return isinstance(getattr(obj, "__self__", None), jinja2.runtime.LoopContext)


class CachingDocumentEnvironment(DocumentEnvironment):
    """The document sandbox that keeps compiled templates.

    docxtpl hands Jinja the whole XML of a document part and compiles it on every render:
    for the 40-item minutes that is about a third of the time. The XML of a template revision
    is the same every time, so the compiled template is kept (a few dozen, least recently
    used first out) and a worker compiles each revision once.
    """

    cache_size = 48

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._compiled: OrderedDict[str, jinja2.Template] = OrderedDict()
        self._compiled_lock = threading.Lock()

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        with self._compiled_lock:
            template = self._compiled.get(source)
            if template is not None:
                self._compiled.move_to_end(source)
                return template
        template = super().from_string(source)
        with self._compiled_lock:
            self._compiled[source] = template
            while len(self._compiled) > self.cache_size:
                self._compiled.popitem(last=False)
        return template


def _new_environment(cls: type[DocumentEnvironment]) -> DocumentEnvironment:
    env = cls(autoescape=True, finalize=finalize, undefined=jinja2.ChainableUndefined)
    env.filters.update(GERMAN_FILTERS)
    return env


_shared: list[DocumentEnvironment] = []


def template_environment() -> jinja2.Environment:
    """A fresh sandboxed environment with the German filters; autoescape keeps ``& < >``
    from breaking the XML."""
    return _new_environment(DocumentEnvironment)


def rendering_environment() -> jinja2.Environment:
    """The environment documents are rendered with: one per process, compiled templates
    kept (see :class:`CachingDocumentEnvironment`); it holds no state of a render."""
    if not _shared:
        _shared.append(_new_environment(CachingDocumentEnvironment))
    return _shared[0]


def render_docx(template_path: Path, context: dict[str, Any]) -> bytes:
    """Render the template file ``template_path`` with ``context`` (see :func:`render_bytes`)."""
    try:
        content = template_path.read_bytes()
    except OSError:
        raise TemplateFailed(f"Die Vorlage „{template_path.name}“ fehlt.") from None
    return render_bytes(content, template_path.name, context)


class _CountingTemplate:
    """A compiled part template whose output is counted while Jinja produces it, so a loop
    that writes gigabytes stops at the limit instead of filling the memory first."""

    def __init__(self, template: jinja2.Template, owner: _BoundedDocx):
        self.template = template
        self.owner = owner

    def render(self, context: dict[str, Any]) -> str:
        chunks = []
        for chunk in self.template.generate(context):
            self.owner.written += len(chunk)
            if self.owner.written > self.owner.limit:
                raise too_large(self.owner.name, self.owner.limit)
            chunks.append(chunk)
        return "".join(chunks)


class _CountingEnvironment:
    """What docxtpl's ``render_xml_part`` needs of an environment: ``from_string``."""

    def __init__(self, env: jinja2.Environment, owner: _BoundedDocx):
        self.env = env
        self.owner = owner

    def from_string(self, source: str) -> _CountingTemplate:
        return _CountingTemplate(self.env.from_string(source), self.owner)


class _BoundedDocx(DocxTemplate):
    """docxtpl with a cap on the XML all parts render to together (``limit`` characters)."""

    def __init__(self, stream: io.BytesIO, name: str, limit: int):
        super().__init__(stream)
        self.name = name
        self.limit = limit
        self.written = 0

    def render_xml_part(self, src_xml, part, context, jinja_env=None):
        counting = _CountingEnvironment(jinja_env, self)
        return super().render_xml_part(src_xml, part, context, counting)


def render_bytes(
    content: bytes, name: str, context: dict[str, Any], max_output: int | None = None
) -> bytes:
    """Render the .docx template ``content`` (called ``name`` in messages) with ``context``.

    With ``max_output``, the rendered XML and the saved .docx may each be at most that many
    bytes (:class:`OutputTooLarge` otherwise; the XML is counted while it is produced).
    Raises TemplateFailed with a German reason; nothing else is changed anywhere.
    """
    try:
        if max_output is None:
            template = DocxTemplate(io.BytesIO(content))
        else:
            template = _BoundedDocx(io.BytesIO(content), name, max_output)
        template.render(context, jinja_env=rendering_environment())
        fit_tables(template.docx)  # columns as wide as their longest word needs
        out = io.BytesIO()
        template.save(out)
    except SecurityError as exc:
        raise TemplateFailed(f"Die Vorlage versucht einen unerlaubten Zugriff: {exc}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateFailed(
            f"Die Vorlage „{name}“ hat einen fehlerhaften Platzhalter: {exc.message}. "
            "„verbund check“ zeigt die Stelle."
        ) from None
    except jinja2.TemplateError as exc:
        raise TemplateFailed(f"Die Vorlage „{name}“ kann nicht ausgefüllt werden: {exc}") from None
    except (PackageNotFoundError, zipfile.BadZipFile, SyntaxError, OSError, KeyError) as exc:
        # python-docx, zipfile and lxml errors for files that are not Word documents
        raise TemplateFailed(
            f"„{name}“ ist keine lesbare Word-Vorlage ({type(exc).__name__})."
        ) from None
    except (TypeError, ValueError, LookupError, ArithmeticError, AttributeError) as exc:
        # an expression the data does not fit, e.g. comparing a date with a number
        raise TemplateFailed(
            f"Die Vorlage „{name}“ kann mit diesen Daten nicht ausgefüllt werden "
            f"({type(exc).__name__}: {str(exc)[:200]})."
        ) from None
    if max_output is not None and out.tell() > max_output:
        raise too_large(name, max_output)
    return out.getvalue()
