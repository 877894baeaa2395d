"""Columns are widened after rendering where a word would otherwise break mid-word."""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn
from docx.shared import Cm

from server.documents.render import render_bytes
from server.documents.table_widths import redistribute


def template(widths_cm: list[float]) -> bytes:
    document = docx.Document()
    table = document.add_table(rows=2, cols=len(widths_cm))
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm, strict=True):
        column.set(qn("w:w"), str(Cm(width).twips))
    table.rows[0].cells[0].paragraphs[0].add_run("Stelle")
    table.rows[1].cells[0].paragraphs[0].add_run("{{ service }}")
    table.rows[1].cells[1].paragraphs[0].add_run("kurz")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def grid(content: bytes) -> list[int]:
    table = docx.Document(io.BytesIO(content)).tables[0]._tbl
    return [int(c.get(qn("w:w"))) for c in table.tblGrid.findall(qn("w:gridCol"))]


def test_a_long_word_gets_room_from_a_column_that_has_some():
    source = template([2.0, 12.0])
    short = render_bytes(source, "t.docx", {"service": "Amt"})
    long = render_bytes(source, "t.docx", {"service": "Anerkennungsberatungsstelle"})

    assert grid(short) == [Cm(2.0).twips, Cm(12.0).twips]  # nothing breaks: as designed
    first, second = grid(long)
    assert first > Cm(4.5).twips  # 27 characters at 11 pt
    assert first + second == Cm(14.0).twips  # the table keeps its width


def test_without_room_the_shortfall_is_shared_and_the_total_kept():
    assert redistribute([1000, 1000], [900, 800]) == [1000, 1000]
    assert redistribute([1000, 1000], [1500, 600]) == [1400, 600]
    assert sum(redistribute([500, 500, 500], [900, 900, 100])) == 1500
