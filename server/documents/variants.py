"""Language variants of a Word template: ``einwilligung.ar.docx`` beside ``einwilligung.docx``.

A document with ``language = "<form>.<field>"`` is made from the variant named by the
record's value of that field (a language code such as ``ar``), when such a template exists;
otherwise from the German template. ``verbund check`` refuses a variant whose placeholders
differ from the German one's: a translation may reword the text, not change the data.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from ..schema.definitions import DocumentDef, Problem

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
VARIANT = re.compile(r"^(?P<stem>.+)\.(?P<code>[a-z]{2,3})\.docx$")
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
WORD_XML = re.compile(r"^word/(document|header\d*|footer\d*)\.xml$")
XML_TAGS = re.compile(r"<[^>]+>")


def variant_name(template: str, code: str) -> str:
    """``einwilligung.docx`` in language ``ar``: ``einwilligung.ar.docx``."""
    return f"{template[: -len('.docx')]}.{code}.docx"


def record_language(document: DocumentDef, data: dict[str, Any]) -> str:
    """The language code the record gives for ``document`` ('' when none or not a code)."""
    if not document.language:
        return ""
    form, _, field = document.language.partition(".")
    value = (data.get(form) or {}).get(field)
    return value if isinstance(value, str) and LANGUAGE_CODE.match(value) else ""


def choose_template(document: DocumentDef, data: dict[str, Any], exists) -> str:
    """The template to render: the record language's variant if ``exists(name)``, else the
    German one."""
    code = record_language(document, data)
    if code and code != "de":
        candidate = variant_name(document.template, code)
        if exists(candidate):
            return candidate
    return document.template


def placeholders(content: bytes) -> set[str]:
    """Every Jinja tag of a .docx (body, headers, footers), whitespace normalised."""
    found: set[str] = set()
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        for name in package.namelist():
            if WORD_XML.match(name):
                text = XML_TAGS.sub("", package.read(name).decode("utf-8", "replace"))
                found.update(" ".join(tag.split()) for tag in TAG.findall(text))
    return found


def variant_problems(exports: Path, templates: set[str], display) -> list[Problem]:
    """A problem for each variant of one of ``templates`` in ``exports`` whose placeholders
    differ from the German template's; ``display(path)`` is the path shown."""
    problems = []
    for path in sorted(exports.glob("*.docx")):
        match = VARIANT.match(path.name)
        base = exports / f"{match['stem']}.docx" if match else None
        if base is None or base.name not in templates or not base.is_file():
            continue
        try:
            german, variant = placeholders(base.read_bytes()), placeholders(path.read_bytes())
        except (OSError, zipfile.BadZipFile):
            continue  # the template check names unreadable files
        if german == variant:
            continue
        missing = ", ".join(sorted(german - variant)) or "–"
        extra = ", ".join(sorted(variant - german)) or "–"
        problems.append(
            Problem(
                display(path),
                1,
                f"Sprachfassung „{match['code']}“ von „{base.name}“: die Platzhalter weichen von "
                f"der deutschen Vorlage ab (fehlt: {missing}; zusätzlich: {extra})",
            )
        )
    return problems
