"""A .docx template read the way docxtpl reads it, for the template check (:mod:`.lint`).

docxtpl patches the XML (``{%tr %}`` replaces its table row, ``{%p %}`` its paragraph) and hands
each part (body, headers, footers) to Jinja. Problems are located by paragraph: the visible
text of every paragraph is kept, and a Jinja line is mapped back to the paragraph whose text
holds the same tag.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass

PARAGRAPH = re.compile(r"<w:p[ >]")
TEXT_RUN = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
DOCXTPL_PREFIX = re.compile(r"([{][{%#])(?:tr|tc|p|r) ")
STRUCTURAL = re.compile(r"\{%-?\s*(?:p|tr)\s.*?%\}")


@dataclass(frozen=True)
class Finding:
    """One problem in a template: the part and paragraph it is in, and what is wrong."""

    part: str  # "" (body), "Kopfzeile" or "Fußzeile"
    paragraph: int
    message: str
    snippet: str = ""


@dataclass
class Part:
    label: str
    paragraphs: list[str]  # visible text of every paragraph, in order
    source: str  # patched XML, one line per surviving paragraph


def _paragraph_texts(xml: str) -> list[str]:
    chunks = PARAGRAPH.split(xml)[1:]
    return [html.unescape("".join(TEXT_RUN.findall(chunk))) for chunk in chunks]


def read_parts(content: bytes) -> list[Part]:
    """Body, headers and footers of a .docx as docxtpl would hand them to Jinja."""
    from docx.oxml import parse_xml
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(content))
    tpl.init_docx()
    raw = [("", tpl.get_xml())]
    for label, uri in (("Kopfzeile", tpl.HEADER_URI), ("Fußzeile", tpl.FOOTER_URI)):
        for _rel, part in tpl.get_headers_footers(uri):
            raw.append((label, tpl.xml_to_string(parse_xml(part.blob))))
    parts = []
    for label, xml in raw:
        source = PARAGRAPH.sub(lambda m: "\n" + m.group(0), tpl.patch_xml(xml))
        parts.append(Part(label, _paragraph_texts(xml), source))
    return parts


def _normal(text: str) -> str:
    text = DOCXTPL_PREFIX.sub(r"\1 ", text)
    for a, b in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'"), ("  ", " ")):
        text = text.replace(a, b)
    return text


def locate(part: Part, line: int | None, hint: str = "") -> tuple[int, str]:
    """The paragraph (1-based) that Jinja's ``line`` of the patched source came from."""
    lines = part.source.split("\n")
    text = ""
    if line is not None and 1 <= line <= len(lines):
        text = html.unescape("".join(TEXT_RUN.findall(lines[line - 1])))
    wanted = [_normal(t) for t in TAG.findall(text)]
    if hint:
        wanted = [w for w in wanted if hint in w] or wanted
    paragraphs = [_normal(p) for p in part.paragraphs]
    for tag in wanted:
        for number, paragraph in enumerate(paragraphs, 1):
            if tag in paragraph:
                return number, part.paragraphs[number - 1]
    fallback = max(1, min((line or 2) - 1, len(part.paragraphs) or 1))
    return fallback, part.paragraphs[fallback - 1] if part.paragraphs else ""


def paragraph_problems(part: Part) -> list[Finding]:
    """Paragraphs docxtpl would mangle: a tag not closed in its paragraph (tags never span
    paragraphs), or a ``{%p %}``/``{%tr %}`` tag sharing its paragraph with other text (docxtpl
    replaces the whole paragraph or table row by the tag, and the other text would vanish)."""
    found = []
    for number, text in enumerate(part.paragraphs, 1):
        for opening, closing in (("{{", "}}"), ("{%", "%}")):
            if text.count(opening) != text.count(closing):
                found.append(
                    Finding(
                        part.label,
                        number,
                        f"„{opening} … {closing}“ ist nicht vollständig – jeder Platzhalter "
                        "muss in einem Absatz geöffnet und geschlossen werden",
                        text,
                    )
                )
                break
        else:
            structural = STRUCTURAL.findall(text)
            if structural and (len(structural) > 1 or text.strip() != structural[0]):
                whole = (
                    "die ganze Tabellenzeile" if "{%tr" in structural[0] else "den ganzen Absatz"
                )
                found.append(
                    Finding(
                        part.label,
                        number,
                        f"„{structural[0]}“ muss allein in seinem Absatz stehen – docxtpl "
                        f"ersetzt {whole} durch ihn, der übrige Text ginge verloren",
                        text,
                    )
                )
    return found
