"""Building blocks for Verbund's Word templates (python-docx), shared by the build scripts.

Every Jinja tag is written with a single ``add_run`` call, so it lives in exactly one run:
tags split across runs are docxtpl's best-known trap (Word does that when you type a tag by
hand; these helpers never do). ``{%tr %}`` and ``{%p %}`` tags get a row or paragraph of
their own, as docxtpl requires.
"""

from __future__ import annotations

from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx_styles import german_single_font, spacer

HEADER_TEXT = (
    "Landeshauptstadt Düsseldorf – Amt für Migration und Integration – "
    "Kommunales Integrationsmanagement"
)
FONT = "Arial"
DARK = RGBColor(0x1F, 0x1F, 0x1F)
GREY = RGBColor(0x59, 0x59, 0x59)
HEADER_FILL = "D9D9D9"


@dataclass(frozen=True)
class FrameWords:
    """The words of the page frame (footer), German unless a translation gives its own."""

    page: str = "Seite"
    of: str = "von"
    created: str = "Erstellt am"
    phase: str = "Phase"


GERMAN_FRAME = FrameWords()

# Content width on A4 with 2.5 cm left and 2 cm right margin (portrait, landscape).
CONTENT_CM = 21.0 - 2.5 - 2.0
LANDSCAPE_CM = 29.7 - 2.5 - 2.0


# ------------------------------------------------------------------------------------------
# Low-level helpers
# ------------------------------------------------------------------------------------------


def _bottom_border(paragraph, size: int = 6) -> None:
    """Draw a thin line under a paragraph (used under the header)."""
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(size))
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "808080")
    borders.append(bottom)
    p_pr.append(borders)


def _add_field(paragraph, instruction: str, placeholder: str = "1") -> None:
    """Append a Word field (e.g. PAGE, NUMPAGES) as begin/instr/separate/result/end runs."""

    def fld_char(kind: str):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    paragraph.add_run()._r.append(fld_char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    paragraph.add_run()._r.append(fld_char("separate"))
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(fld_char("end"))


def _shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _repeat_as_header(row) -> None:
    """Repeat this table row at the top of every page the table runs over."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _set_widths(table, widths_cm: list[float]) -> None:
    """Column widths in the grid (LibreOffice lays a table out by ``w:gridCol``, Word by the
    cells' ``w:tcW``: both must agree) and rows that never split across a page."""
    table.autofit = False
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm, strict=True):
        column.set(qn("w:w"), str(Cm(width).twips))
    tbl_w = table._tbl.tblPr.find(qn("w:tblW"))
    if tbl_w is not None:
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(sum(Cm(width).twips for width in widths_cm)))
    for row in table.rows:
        _keep_row_whole(row)
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def _keep_row_whole(row) -> None:
    """A row is never split over two pages (``w:cantSplit``); trPr keeps schema order:
    cantSplit comes before tblHeader."""
    tr_pr = row._tr.get_or_add_trPr()
    if tr_pr.find(qn("w:cantSplit")) is None:
        el = OxmlElement("w:cantSplit")
        el.set(qn("w:val"), "true")
        tr_pr.insert(0, el)


def _cell_text(cell, *parts: str, bold: bool = False, size: float | None = None) -> None:
    """Fill a cell: each part becomes one run (a Jinja tag must be one whole part)."""
    paragraph = cell.paragraphs[0]
    for part in parts:
        run = paragraph.add_run(part)
        run.bold = bold
        if size:
            run.font.size = Pt(size)


# ------------------------------------------------------------------------------------------
# Document building blocks
# ------------------------------------------------------------------------------------------


def new_document(
    title: str,
    subtitle: str = "",
    footer_label: str | None = "Fall",
    landscape: bool = False,
    words: FrameWords = GERMAN_FRAME,
    language: str = "de-DE",
):
    """A4 document with the city header, a page-number footer and the title.

    The footer names the record (``Fall 42``) unless ``footer_label`` is None; ``landscape``
    turns the page for wide tables (content width :data:`LANDSCAPE_CM`). A translation passes
    its ``language`` (``en-GB``) and the footer's ``words``.
    """
    doc = Document()

    section = doc.sections[0]
    section.page_height = Cm(21.0 if landscape else 29.7)
    section.page_width = Cm(29.7 if landscape else 21.0)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
    section.left_margin = Cm(2.5)
    section.right_margin = Cm(2.0)
    section.top_margin = Cm(2.5)
    section.bottom_margin = Cm(2.0)
    section.header_distance = Cm(1.0)
    section.footer_distance = Cm(1.0)

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 18), ("Heading 1", 13), ("Heading 2", 11)):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.color.rgb = DARK
        style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
        # a heading never ends a page: it stays with the text it introduces
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.keep_together = True
    german_single_font(doc, FONT, language)

    header = section.header.paragraphs[0]
    run = header.add_run(HEADER_TEXT)
    run.font.size = Pt(8)
    run.font.color.rgb = GREY
    _bottom_border(header)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    parts = (
        (f"{title} · {footer_label} ", "{{ record.id }}", " · ")
        if footer_label
        else (f"{title} · ",)
    )
    for text in (*parts, f"{words.page} "):
        footer.add_run(text)
    _add_field(footer, "PAGE")
    footer.add_run(f" {words.of} ")
    _add_field(footer, "NUMPAGES")
    for run in footer.runs:
        run.font.size = Pt(8)
        run.font.color.rgb = GREY

    doc.core_properties.title = title
    doc.core_properties.author = "Landeshauptstadt Düsseldorf – KIM"
    doc.core_properties.last_modified_by = "tools/build_templates.py"

    heading = doc.add_paragraph(style="Title")
    heading.add_run(title)
    if subtitle:
        p = doc.add_paragraph()
        run = p.add_run(subtitle)
        run.italic = True
        run.font.color.rgb = GREY
    return doc


def heading(doc, text: str) -> None:
    doc.add_heading(text, level=1)


def para(doc, *parts: str, size: float | None = None, italic: bool = False):
    """A paragraph made of runs; every part is one run, so a Jinja tag must be one part."""
    p = doc.add_paragraph()
    for part in parts:
        run = p.add_run(part)
        run.italic = italic
        if size:
            run.font.size = Pt(size)
    return p


def key_value_table(
    doc, rows: list[tuple[str, str | tuple[str, ...]]], label_cm: float = 5.0
) -> None:
    """Two columns: bold label, value (one Jinja tag, or a tuple of runs)."""
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for label, value in rows:
        cells = table.add_row().cells
        _cell_text(cells[0], label, bold=True)
        _shade(cells[0], "F2F2F2")
        _cell_text(cells[1], *(value if isinstance(value, tuple) else (value,)))
    _set_widths(table, [label_cm, CONTENT_CM - label_cm])
    spacer(doc)


def loop_table(
    doc,
    headers: list[str],
    loop: str,
    cells: list[str | tuple[str, ...]],
    widths_cm: list[float],
    empty: str = "",
    size: float | None = None,
) -> None:
    """A table with a header row and one row per list item.

    ``loop`` is the ``for`` clause, e.g. ``"row in intake.agencies"`` (a filter such as
    ``"row in meeting.agenda if row.measure"`` is fine); ``cells`` the Jinja content of each
    cell (one run, or a tuple of runs). ``empty``: a note shown under the table when the
    list is empty. ``size``: the font size of the cells (a wide register in 8 pt).
    """
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    head, start, body, end = table.rows
    for cell, text in zip(head.cells, headers, strict=True):
        _cell_text(cell, text, bold=True, size=size)
        _shade(cell, HEADER_FILL)
    _repeat_as_header(head)
    _cell_text(start.cells[0], "{%tr for " + loop + " %}")
    for cell, text in zip(body.cells, cells, strict=True):
        _cell_text(cell, *(text if isinstance(text, tuple) else (text,)), size=size)
    _cell_text(end.cells[0], "{%tr endfor %}")
    _set_widths(table, widths_cm)
    if empty:
        items = loop.split(" in ", 1)[1].split(" if ", 1)[0]
        conditional(doc, f"not {items}", lambda d: para(d, empty, italic=True, size=8))
    spacer(doc)


def conditional(doc, condition: str, build) -> None:
    """Paragraphs that appear only when ``condition`` holds: ``{%p if %}`` … ``{%p endif %}``
    (each tag in a paragraph of its own, which docxtpl removes)."""
    para(doc, "{%p if " + condition + " %}")
    build(doc)
    para(doc, "{%p endif %}")


def signatures(
    doc,
    left: str | tuple[str, ...],
    right: tuple[str, ...] | None,
    place_date: tuple[str, ...],
    closing: str = "",
) -> None:
    """The ``closing`` sentence, place and date, and one or two signature lines side by side.

    All of it is one paragraph (lines joined by line breaks) that may not be split: LibreOffice
    honours "keep lines together" where it drops "keep with next" in a chain of paragraphs,
    so the signatures never start a page of their own or lose their place and date. Tab
    stops, not a layout table, set the two signatures apart (a screen reader reads text)."""
    if isinstance(left, str):
        left = (left,)
    block = doc.add_paragraph()
    block.paragraph_format.keep_together = True
    block.paragraph_format.space_before = Pt(12)
    block.paragraph_format.tab_stops.add_tab_stop(Cm(CONTENT_CM / 2 + 0.5))

    def line(*parts: str, size: float | None = None, breaks: int = 1) -> None:
        for part in parts:
            run = block.add_run(part)
            if size:
                run.font.size = Pt(size)
        for _ in range(breaks):
            block.add_run().add_break()

    if closing:
        line(closing, breaks=2)
    line(*place_date, breaks=3)
    line("_" * 34, *(("\t", "_" * 34) if right else ()))
    line(*left, *(("\t", *right) if right else ()), size=8, breaks=0)


def created_note(doc, words: FrameWords = GERMAN_FRAME) -> None:
    """ "Erstellt am … · Phase: …" as the footer's second line: on every page, and never a
    last page of its own (in the body it ended up alone on page 2 of the consent form)."""
    footer = doc.sections[0].footer.add_paragraph()
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    parts = (f"{words.created} ", "{{ now }}", f" · {words.phase}: ", "{{ record.state_label }}")
    for text in parts:
        run = footer.add_run(text)
        run.font.size = Pt(7)
        run.font.color.rgb = GREY
