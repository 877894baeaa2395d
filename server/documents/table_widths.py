"""Table columns wide enough for their longest word, decided after the data is filled in.

A template fixes its column widths before anyone knows the data; German compounds
("Anerkennungsberatung", "Rechtskreiswechsel") then break mid-word in a narrow column
("Anerkennungsberatun" / "g"). After rendering, every body table gets its columns widened
where the longest word of a cell would not fit, taking the room from columns that have more
than their own longest word needs. The table keeps its total width and the template's
proportions wherever nothing would break; where the table cannot give enough room, the
shortfall is shared out proportionally (the best that is possible without a wider page).

Word widths are estimated from Arial/Liberation Sans metrics by character class (the font
of the shipped templates); that is close enough to decide a column, not to typeset.
"""

from __future__ import annotations

import re

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn

# Advance widths in em for Arial / Liberation Sans, by character class.
NARROW = set("iljIftr.,;:'!|()[]-/ ")
WIDE = set("mwMW@%")
DIGITS = set("0123456789")
CELL_PADDING_TWIPS = 2 * 108 + 60  # Word's default cell margins plus a little air
DEFAULT_SIZE_PT = 10.0
WHITESPACE = re.compile(r"\s")


def _em(char: str) -> float:
    if char in NARROW:
        return 0.30
    if char in WIDE:
        return 0.86
    if char.isupper():
        return 0.70
    if char in DIGITS:
        return 0.56
    return 0.56


def _run_format(run, default_pt: float) -> tuple[float, bool]:
    r_pr = run.find(qn("w:rPr"))
    size, bold = default_pt, False
    if r_pr is not None:
        sz = r_pr.find(qn("w:sz"))
        if sz is not None and (sz.get(qn("w:val")) or "").isdigit():
            size = int(sz.get(qn("w:val"))) / 2
        b = r_pr.find(qn("w:b"))
        bold = b is not None and b.get(qn("w:val")) not in ("0", "false")
    return size, bold


def longest_word_twips(cell, default_pt: float = DEFAULT_SIZE_PT) -> int:
    """The estimated width of the longest unbreakable word in a table cell, in twips."""
    longest = 0.0
    for paragraph in cell.iter(qn("w:p")):
        current = 0.0
        for run in paragraph.iter(qn("w:r")):
            size, bold = _run_format(run, default_pt)
            factor = size * 20 * (1.07 if bold else 1.0)
            for child in run:
                if child.tag != qn("w:t"):
                    if child.tag in (qn("w:tab"), qn("w:br")):
                        longest, current = max(longest, current), 0.0
                    continue
                for char in child.text or "":
                    if WHITESPACE.match(char):
                        longest, current = max(longest, current), 0.0
                    else:
                        current += _em(char) * factor
        longest = max(longest, current)
    return int(longest)


def redistribute(widths: list[int], needs: list[int]) -> list[int]:
    """Column widths (same total) giving each column its need where others have room."""
    short = [max(0, n - w) for w, n in zip(widths, needs, strict=True)]
    slack = [max(0, w - n) for w, n in zip(widths, needs, strict=True)]
    deficit, room = sum(short), sum(slack)
    if not deficit or not room:
        return widths
    moved = min(deficit, room)
    fitted = [
        w - round(s * moved / room) + round(d * moved / deficit)
        for w, s, d in zip(widths, slack, short, strict=True)
    ]
    # rounding must not change the table's total width
    fitted[fitted.index(max(fitted))] += sum(widths) - sum(fitted)
    return fitted


def _grid_span(cell) -> int:
    tc_pr = cell.find(qn("w:tcPr"))
    span = tc_pr.find(qn("w:gridSpan")) if tc_pr is not None else None
    value = span.get(qn("w:val")) if span is not None else "1"
    return int(value) if value and value.isdigit() else 1


def _cells_by_column(table, columns: int):
    """(grid column, span, cell) for every cell of the table's own rows."""
    for row in table.findall(qn("w:tr")):
        position = 0
        for cell in row.findall(qn("w:tc")):
            span = _grid_span(cell)
            if position + span > columns:
                break
            yield position, span, cell
            position += span


def fit_table(table, default_pt: float = DEFAULT_SIZE_PT) -> bool:
    """Widen the columns of one ``w:tbl`` element where a word would break; True if changed."""
    grid = table.find(qn("w:tblGrid"))
    columns = grid.findall(qn("w:gridCol")) if grid is not None else []
    values = [c.get(qn("w:w")) or "" for c in columns]
    if not columns or not all(v.isdigit() for v in values):
        return False
    widths = [int(v) for v in values]
    needs = [0] * len(widths)
    for position, span, cell in _cells_by_column(table, len(widths)):
        if span == 1:
            need = longest_word_twips(cell, default_pt) + CELL_PADDING_TWIPS
            needs[position] = max(needs[position], need)
    fitted = redistribute(widths, needs)
    if fitted == widths:
        return False
    for column, width in zip(columns, fitted, strict=True):
        column.set(qn("w:w"), str(width))
    for position, span, cell in _cells_by_column(table, len(widths)):
        tc_w = cell.find(qn("w:tcPr") + "/" + qn("w:tcW"))
        if tc_w is not None and tc_w.get(qn("w:type")) in ("dxa", None):
            tc_w.set(qn("w:type"), "dxa")
            tc_w.set(qn("w:w"), str(sum(fitted[position : position + span])))
    return True


def fit_tables(document) -> int:
    """Fit every table of a python-docx ``document``'s body; returns how many changed."""
    normal = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    size = normal.font.size.pt if normal is not None and normal.font.size else DEFAULT_SIZE_PT
    return sum(fit_table(table, size) for table in document.element.body.iter(qn("w:tbl")))
