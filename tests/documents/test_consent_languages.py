"""The consent form in the client's language: the shipped English, Ukrainian and Arabic
variants rendered with a demo case, converted by LibreOffice and read back page by page.

What a reader sees: each translation says (in German, for the staff) that a sworn translator
must still check it, and in its own language that the German version is binding; the document
and its PDF declare the translation's language; no page is nearly empty; and the Arabic form
runs right to left — its lines end at the right margin, the table of facts has its labels on
the right and the case's values on the left, and the letters come from a font that has them.
"""

from __future__ import annotations

import zipfile

import pdfplumber
import pikepdf
import pytest

from server.documents.context import document_context
from server.documents.render import render_docx
from server.runtime import current_runtime
from tests.documents.demo_documents import (
    CM,
    MIN_BODY_LINES,
    body_lines,
    convert_to_pdf,
    demo_app,
    fullest_record,
)

VARIANTS = {"einwilligung": "de-DE", "einwilligung.en": "en-GB", "einwilligung.uk": "uk-UA"}
VARIANTS["einwilligung.ar"] = "ar-SA"
ARABIC_RANGES = ((0x0600, 0x06FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))


def is_arabic(text: str) -> bool:
    return any(low <= ord(c) <= high for c in text for low, high in ARABIC_RANGES)


@pytest.fixture(scope="module")
def consent(tmp_path_factory, redis_server):
    """(client's name, {variant: (docx path, pdf path)}) for a demo case with an interpreter."""
    site = tmp_path_factory.mktemp("kim-consent")
    app = demo_app(site, redis_server)
    runtime = current_runtime(app)
    record = fullest_record("case_management")
    record.data["intake"].update(interpreter_needed=True, interpreter_language="ar")
    context = document_context(runtime.definitions, record)
    out = site / "docx"
    out.mkdir()
    written = {}
    for stem in VARIANTS:
        path = out / f"{stem}.docx"
        path.write_bytes(render_docx(runtime.settings.exports_dir / path.name, context))
        written[stem] = path
    pdfs = convert_to_pdf(list(written.values()), site / "pdf", site / "lo-profile")
    return record.data["intake"]["name"], {s: (written[s], pdfs[s]) for s in VARIANTS}


def text_of(pdf_path) -> str:
    with pdfplumber.open(pdf_path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def test_each_translation_is_marked_for_a_sworn_translator(consent):
    _name, documents = consent
    for stem, (_docx, pdf_path) in documents.items():
        text = " ".join(text_of(pdf_path).split())
        marked = "vereidigten Übersetzerin oder einem vereidigten Übersetzer" in text
        assert marked == (stem != "einwilligung"), stem
    english = " ".join(text_of(documents["einwilligung.en"][1]).split())
    assert "Only the German version is legally binding." in english
    assert "Declaration of Consent" in english and "Page 1 of" in english
    ukrainian = " ".join(text_of(documents["einwilligung.uk"][1]).split())
    assert "Заява про згоду" in ukrainian and "Сторінка 1 з" in ukrainian


def test_document_and_pdf_declare_the_translations_language(consent):
    _name, documents = consent
    for stem, (docx_path, pdf_path) in documents.items():
        language = VARIANTS[stem]
        with zipfile.ZipFile(docx_path) as package:
            styles = package.read("word/styles.xml").decode("utf-8")
        assert f'w:lang w:val="{language}"' in styles, stem
        with pikepdf.open(pdf_path) as pdf:
            assert str(pdf.Root.get("/Lang")) == language, stem


def test_no_page_of_a_translation_is_nearly_empty(consent):
    _name, documents = consent
    for stem, (_docx, pdf_path) in documents.items():
        with pdfplumber.open(pdf_path) as pdf:
            counts = [len(body_lines(page)) for page in pdf.pages]
        assert len(counts) <= 3, (stem, counts)
        if len(counts) > 1:
            assert min(counts) >= MIN_BODY_LINES, (stem, counts)


def lines_of(chars) -> list[list[dict]]:
    """Characters grouped into the lines they stand on."""
    lines: dict[int, list[dict]] = {}
    for char in chars:
        lines.setdefault(round(char["top"] / 3), []).append(char)
    return list(lines.values())


def inside(char, box) -> bool:
    """Whether the middle of ``char`` lies in ``box`` (a table's bounding box)."""
    x0, top, x1, bottom = box
    middle_x, middle_y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return x0 <= middle_x <= x1 and top <= middle_y <= bottom


def test_the_arabic_form_runs_right_to_left(consent):
    _name, documents = consent
    with pdfplumber.open(documents["einwilligung.ar"][1]) as pdf:
        page = pdf.pages[0]
        tables = [table.bbox for table in page.find_tables()]
        # between the header line and the footer (the bottom margin is 2 cm)
        body = [
            c for c in page.chars if 2.2 * CM <= c["top"] and c["bottom"] <= page.height - 2 * CM
        ]
        prose = [c for c in body if not any(inside(c, box) for box in tables)]
        # every line of Arabic prose ends at the right margin; short last lines are ragged left
        edges = [
            (min(c["x0"] for c in line), max(c["x1"] for c in line))
            for line in lines_of(prose)
            # at least a word's letters: vowel marks stand a little higher, as a "line" apart
            if sum(is_arabic(c["text"]) and c["text"].isalpha() for c in line) >= 5
        ]
        wide = [(left, right) for left, right in edges if right - left > 3 * CM]
        assert len(wide) > 15, edges
        right_margin = page.width - 2.0 * CM
        assert [r for _l, r in wide if abs(r - right_margin) >= 4] == [], wide
        assert any(left > 2.5 * CM + 3 * CM for left, _right in wide), wide
        # the table of facts is mirrored: each Arabic label stands right of the case's value
        facts = [c for c in body if inside(c, tables[0])]
        rows = 0
        for line in lines_of(facts):
            labels = [c for c in line if is_arabic(c["text"])]
            values = [c for c in line if c["text"].isalnum() and not is_arabic(c["text"])]
            if labels and values:
                rows += 1
                assert min(c["x0"] for c in labels) > max(c["x1"] for c in values), line
        assert rows == 5
        # the letters come from a font that has Arabic glyphs, not boxes of a Latin font
        fonts = {c["fontname"] for c in body if is_arabic(c["text"])}
    assert fonts and all("Liberation" not in font for font in fonts), fonts
