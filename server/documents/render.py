"""Rendering a docxtpl template in a sandboxed, autoescaping Jinja environment."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError


class TemplateFailed(Exception):
    """The template cannot be rendered; the message says why, in German, for the screen."""


def finalize(value: Any) -> Any:
    """How a bare value prints: nothing for missing values, Ja/Nein for booleans."""
    if value is None:
        return ""
    if value is True:
        return "Ja"
    if value is False:
        return "Nein"
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


def template_environment() -> jinja2.Environment:
    """A fresh sandboxed environment; autoescape keeps ``& < >`` from breaking the XML."""
    return DocumentEnvironment(
        autoescape=True, finalize=finalize, undefined=jinja2.ChainableUndefined
    )


def render_docx(template_path: Path, context: dict[str, Any]) -> bytes:
    """Render ``template_path`` with ``context``; raises TemplateFailed with a German reason."""
    if not template_path.is_file():
        raise TemplateFailed(f"Die Vorlage „{template_path.name}“ fehlt.")
    try:
        template = DocxTemplate(str(template_path))
        template.render(context, jinja_env=template_environment())
        out = io.BytesIO()
        template.save(out)
    except SecurityError as exc:
        raise TemplateFailed(f"Die Vorlage versucht einen unerlaubten Zugriff: {exc}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateFailed(
            f"Die Vorlage „{template_path.name}“ hat einen Fehler (Zeile {exc.lineno}): "
            f"{exc.message}"
        ) from None
    except jinja2.TemplateError as exc:
        raise TemplateFailed(f"Die Vorlage kann nicht ausgefüllt werden: {exc}") from None
    except (KeyError, ValueError, OSError) as exc:
        # docxtpl/zipfile errors for files that are not Word documents
        raise TemplateFailed(
            f"„{template_path.name}“ ist keine lesbare Word-Vorlage ({type(exc).__name__})."
        ) from None
    return out.getvalue()
