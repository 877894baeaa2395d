"""Rendering a docxtpl template in a sandboxed, autoescaping Jinja environment."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate
from jinja2.sandbox import ImmutableSandboxedEnvironment


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


def template_environment() -> jinja2.Environment:
    """A fresh sandboxed environment; autoescape keeps ``& < >`` from breaking the XML."""
    return ImmutableSandboxedEnvironment(
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
    except jinja2.exceptions.SecurityError as exc:
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
