"""The shipped templates are accessible documents (BITV covers documents, too).

Checked in the .docx, where the author decides it (tagged PDF follows from it, see
tests/kim/test_document_pdf.py): a document title in the core properties, the title and
section headings in real heading styles (not bold text), the header row of every list table
marked as header row (repeated on each page; a tagged PDF makes it TH), rows that never
split, no layout tables for signatures, and alternative text on every image.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

EXPORTS = Path(__file__).resolve().parents[2] / "exports"
TEMPLATES = sorted(EXPORTS.glob("*.docx"))
# a language variant (einwilligung.ar.docx) declares its own language, every other German
LANGUAGES = {"ar": "ar-SA", "en": "en-GB", "uk": "uk-UA"}
DRAWING_PROPS = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"


@pytest.mark.parametrize("path", TEMPLATES, ids=[p.stem for p in TEMPLATES])
def test_structure_a_screen_reader_can_follow(path):
    document = docx.Document(str(path))
    assert document.core_properties.title.strip(), "no document title"
    variant = path.stem.rpartition(".")[2] if "." in path.stem else ""
    assert document.core_properties.language == LANGUAGES.get(variant, "de-DE")
    styles = [p.style.name for p in document.paragraphs]
    assert styles.count("Title") == 1
    if path.stem != "beschlussregister":  # one table under its title: nothing to divide
        assert any(s.startswith("Heading") for s in styles), "no section headings"

    for table in document.tables:
        rows = table.rows
        assert rows, "empty table"
        if len(rows) >= 3 and rows[1].cells[0].text.startswith("{%tr for"):
            header = rows[0]._tr.trPr
            assert header is not None and header.find(qn("w:tblHeader")) is not None, (
                f"header row {[c.text for c in rows[0].cells]} not marked"
            )
        for row in rows:
            tr_pr = row._tr.trPr
            assert tr_pr is not None and tr_pr.find(qn("w:cantSplit")) is not None
        assert not any("____" in c.text for r in rows for c in r.cells), "signature table"

    for image in document.element.body.iter(DRAWING_PROPS):
        assert (image.get("descr") or "").strip(), f"image {image.get('name')} without alt text"
