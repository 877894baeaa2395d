"""What a reader sees: every shipped template, rendered with the KIM demo data, converted to PDF
by LibreOffice and checked page by page.

* no page of a document that runs over several pages holds only a line or two (a lone
  "Erstellt am" line, signatures split from their place and date);
* no word is broken inside a table cell ("Verantwortlic" / "h" when columns are equally wide);
* one font family throughout (no theme font in the headings);
* the document language is German, in the .docx (styles and settings) and in the PDF.

All templates go through one LibreOffice run; the demo is loaded once for the module.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
import pdfplumber
import pikepdf
import pytest

from tests.documents.demo_documents import (
    MIN_BODY_LINES,
    body_lines,
    convert_to_pdf,
    demo_app,
    render_demo_documents,
)

SUBSET = re.compile(r"^[A-Z]{6}\+")
STYLE = re.compile(r"[-,](Bold|Italic|Oblique|BoldItalic|BoldOblique|Regular)$")


@pytest.fixture(scope="module")
def documents(tmp_path_factory, redis_server):
    """{template stem: (docx path, pdf path)} for every shipped template."""
    site = tmp_path_factory.mktemp("kim-layout")
    app = demo_app(site, redis_server)
    docx_files = render_demo_documents(app, site / "docx")
    pdfs = convert_to_pdf(list(docx_files.values()), site / "pdf", site / "lo-profile")
    yield {stem: (docx_files[stem], pdfs[stem]) for stem in docx_files}


def cell_words(path: Path) -> set[str]:
    """Every word written into a table cell of the .docx."""
    words: set[str] = set()
    for table in docx.Document(str(path)).tables:
        for row in table.rows:
            for cell in row.cells:
                words.update(re.findall(r"\w{3,}", cell.text))
    return words


def broken_words(pdf_path: Path, words: set[str]) -> list[str]:
    """Words of the .docx's tables that the PDF splits over two lines of one cell."""
    found = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                for row in table:
                    for cell in row:
                        lines = (cell or "").splitlines()
                        for first, second in zip(lines, lines[1:], strict=False):
                            tail = re.findall(r"\w+$", first)
                            head = re.findall(r"^\w+", second)
                            if tail and head and tail[0] + head[0] in words:
                                found.append(f"{tail[0]}|{head[0]}")
    return found


def test_no_page_is_nearly_empty(documents):
    problems = []
    for stem, (_docx, pdf_path) in sorted(documents.items()):
        with pdfplumber.open(pdf_path) as pdf:
            counts = [len(body_lines(page)) for page in pdf.pages]
            if len(counts) > 1:
                for number, (page, count) in enumerate(zip(pdf.pages, counts, strict=True), 1):
                    if count < MIN_BODY_LINES:
                        problems.append(f"{stem} Seite {number}: {body_lines(page)}")
        print(f"{stem}: {len(counts)} Seiten, Zeilen je Seite {counts}")
    assert not problems, problems


def test_no_word_is_broken_inside_a_table_cell(documents):
    problems = {
        stem: broken
        for stem, (docx_path, pdf_path) in sorted(documents.items())
        if (broken := broken_words(pdf_path, cell_words(docx_path)))
    }
    assert not problems, problems


def test_one_font_family(documents):
    families = {}
    for stem, (_docx, pdf_path) in sorted(documents.items()):
        with pdfplumber.open(pdf_path) as pdf:
            names = {c["fontname"] for page in pdf.pages for c in page.chars}
        families[stem] = {STYLE.sub("", SUBSET.sub("", name)) for name in names}
    assert all(len(found) == 1 for found in families.values()), families
    assert len(set().union(*families.values())) == 1, families


def test_the_document_language_is_german(documents):
    for stem, (docx_path, pdf_path) in sorted(documents.items()):
        with zipfile.ZipFile(docx_path) as package:
            styles = package.read("word/styles.xml").decode("utf-8")
            settings = package.read("word/settings.xml").decode("utf-8")
        assert 'w:lang w:val="de-DE"' in styles, stem
        assert "en-US" not in styles, stem
        assert re.search(r'<w:themeFontLang w:val="de-DE"', settings), stem
        with pikepdf.open(pdf_path) as pdf:
            assert str(pdf.Root.get("/Lang")) == "de-DE", stem
