"""LibreOffice under a time limit: a conversion over it is ended, and nothing stays behind."""

from __future__ import annotations

import io
import shutil

import docx
import pytest

from server.documents.pdf_export import PdfFailed, convert_to_pdfa

pytestmark = pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is missing")


def a_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Frau Beispiel, Düsseldorf")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def a_long_docx() -> bytes:
    """A table of 1,500 rows: LibreOffice needs ~4 s for it even with a warm profile (a short
    letter can convert within 1.5 s on a quiet machine, so it cannot prove the limit)."""
    document = docx.Document()
    table = document.add_table(rows=1500, cols=4)
    for number, row in enumerate(table.rows):
        for cell in row.cells:
            cell.text = f"Frau Beispiel {number}, Düsseldorf"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_conversion_over_its_time_is_killed_and_leaves_no_personal_data(tmp_path):
    with pytest.raises(PdfFailed, match="nach 1.5 Sekunden abgebrochen"):
        convert_to_pdfa(tmp_path, a_long_docx(), "brief.docx", 1.5, 10_000_000)
    work = tmp_path / "libreoffice"
    assert [p.name for p in work.iterdir() if not p.name.startswith("profile-")] == []


def test_too_little_time_left_is_refused_before_starting(tmp_path):
    with pytest.raises(PdfFailed, match="reicht die Zeit des Auftrags nicht"):
        convert_to_pdfa(tmp_path, a_docx(), "brief.docx", 0.2, 10_000_000)


def test_a_pdf_over_the_size_limit_is_refused(tmp_path):
    with pytest.raises(PdfFailed, match="größer als erlaubt"):
        convert_to_pdfa(tmp_path, a_docx(), "brief.docx", 120, 100)
