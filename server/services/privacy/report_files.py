"""The Lenkungskreis report as a file: Word (python-docx) and Excel (openpyxl).

Both print :class:`.report_content.ReportContent` and nothing else – the figures with the
suppression of the report page. The Word document is built in code, not from a docxtpl
template: its tables have as many columns as the declaration gives (a phase per column, a
target group per column), which a template with fixed columns cannot hold; the code is the
reviewable layout (as ``tools/consent_template.py`` is for the consent form).

Spreadsheet: one sheet per measure with a header row, numbers as numbers and suppressed
cells as the text „x“; a first sheet with the period and the notes. Texts that start like a
formula stay text. With ``[privacy] noise`` a sentence under every table of counts says that
its figures are perturbed (:mod:`.noise`), in both forms.
"""

from __future__ import annotations

import io
import re
from typing import Any

from ...documents.table_widths import fit_tables
from ..register.indicator_chart import indicator_svg
from .report_charts import crossed_chart_svg, figure_chart_svg, png
from .report_content import REGISTER_COLUMNS, ReportContent, cell_text
from .report_cover import add_missing_styles


def _rows(f) -> tuple[list[str], list[list[Any]]]:
    """A measure as a header and rows of values (None: suppressed)."""
    if f.measure.kind == "count":
        t = f.now
        many = len(t.columns) > 1
        # no data: no columns either (a crossed table of an empty period) – one for the sum
        head = [
            t.row_label + (f" / {t.column_label}" if t.column_label else ""),
            *(t.columns or ["Anzahl"]),
        ]
        head += ["Summe"] if many else []
        rows = [
            [label, *t.cells[i], *([t.row_totals[i]] if many else [])]
            for i, label in enumerate(t.rows)
        ]
        rows.append(["Summe", *(t.column_totals if many else []), t.total])
        return head, rows
    head = [f.now.row_label or "Gruppe", "Anzahl", "Median (Tage)", "90 % (Tage)"]
    earlier = {}
    if f.before is not None:
        head += ["Anzahl davor", "Median davor", "90 % davor"]
        earlier = {r.label: r for r in [*f.before.rows, f.before.total]}
    rows = []
    for r in [*f.now.rows, f.now.total]:
        line = [r.label, r.n, r.median, r.p90]
        if f.before is not None:
            b = earlier.get(r.label)
            line += [b.n, b.median, b.p90] if b else [0, "–", "–"]
        rows.append(line)
    return head, rows


def _comparison_rows(f, now: str, before: str) -> tuple[list[str], list[list[Any]]] | None:
    c = f.comparison
    if c is None:
        return None
    if c.columns:
        # every cell as a line of its own (row, column, figures): a long table stays
        # readable in Word and can be filtered in Excel, however many columns there are
        head = [c.row_label, c.column_label, now, before, "Veränderung"]
        lines = []
        for label, cells, total in zip(c.rows, c.cells, c.row_totals, strict=True):
            for column, ch in zip([*c.columns, "Summe"], [*cells, total], strict=True):
                lines.append([label, column, ch.now, ch.before, ch.difference])
        for column, ch in zip([*c.columns, "Summe"], [*c.column_totals, c.total], strict=True):
            lines.append(["Summe", column, ch.now, ch.before, ch.difference])
        return head, lines
    head = [c.row_label, now, before, "Veränderung"]
    rows = [[r, c.now[i], c.before[i], c.difference[i]] for i, r in enumerate(c.rows)]
    rows.append(["Summe", c.total_now, c.total_before, c.total_difference])
    return head, rows


# ---------------------------------------------------------------- Word


def _table(document, head: list[str], rows: list[list[Any]], note: str = "") -> None:
    """A table with a bold, repeated header row; ``note`` in a paragraph under it."""
    table = document.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    _repeat_header(table.rows[0])
    for row in rows:
        cells = table.add_row().cells
        for n, (cell, value) in enumerate(zip(cells, row, strict=True)):
            cell.text = value if isinstance(value, str) and n == 0 else cell_text(value)
            if n:
                cell.paragraphs[0].alignment = 2  # right: figures line up
    document.add_paragraph(note)


def _repeat_header(row) -> None:
    """The header row repeats on every page (also read out as header by screen readers)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _picture(document, svg: str, title: str) -> None:
    from docx.shared import Cm

    document.add_picture(io.BytesIO(png(svg)), width=Cm(16))
    # the alternative text of the picture: what it shows (the table under it has the figures)
    drawing = document.inline_shapes[-1]._inline
    drawing.docPr.set("descr", f"Balkendiagramm: {title}. Die Zahlen stehen in der Tabelle.")
    drawing.docPr.set("title", title)


def to_docx(content: ReportContent, cover: bytes | None = None) -> bytes:
    """The report as a Word document; after ``cover`` (the rendered letterhead and cover of
    :mod:`.report_cover`), in its header, footer and page layout, if given."""
    import docx

    if cover is None:
        document = docx.Document()
    else:
        document = docx.Document(io.BytesIO(cover))
        add_missing_styles(document)
    document.core_properties.title = content.report.title
    document.core_properties.author = "Verbund"
    document.add_heading(content.report.title, level=1)
    document.add_paragraph(f"Zeitraum: {content.period_label}")
    if content.report.description:
        document.add_paragraph(content.report.description)
    document.add_paragraph(f"Ablauf „{content.workflow_title}“.")
    document.add_heading("Kennzahlen", level=2)
    before = content.previous.label if content.previous else "davor"
    _table(
        document,
        ["Kennzahl", "Einheit", content.period_label, before, "Veränderung"],
        [[k.title, k.unit, k.now, k.before, k.change] for k in content.key_figures],
        content.noise_note,
    )
    for f in content.figures:
        document.add_heading(f.measure.title, level=2)
        svg = figure_chart_svg(
            f, content.period_label, content.previous.label if content.previous else None
        )
        if svg is not None:
            _picture(document, svg, f.measure.title)
        crossed = crossed_chart_svg(f, content.period_label)
        if crossed is not None:
            _picture(document, crossed, f"{f.measure.title} nach {f.now.column_label}")
        _table(document, *_rows(f), content.noise_note)
        comparison = _comparison_rows(f, content.period_label, before)
        if comparison is not None:
            document.add_paragraph(f"Vergleich mit {before}:")
            _table(document, *comparison, content.noise_note)
    if content.barriers is not None:
        b = content.barriers
        document.add_heading(b.title, level=2)
        _table(
            document,
            [b.row_label, *b.states],
            [[label, *b.cells[i]] for i, label in enumerate(b.rows)],
            content.noise_note,
        )
    if content.register_shown:
        _register(document, content)
    document.add_heading("Hinweise", level=2)
    for note in content.notes:
        document.add_paragraph(note, style="List Bullet")
    # columns by their longest word, as for every rendered document (no word broken)
    fit_tables(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _register(document, content: ReportContent) -> None:
    """The register of the period on landscape pages, then a chart per measure with
    actual values of its indicator (the chart of the register page, as PNG)."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading("Beschluss- und Maßnahmenregister", level=2)
    if not content.register:
        document.add_paragraph("Keine Beschlüsse oder Maßnahmen im Zeitraum.")
        return
    _table(
        document,
        [label for _key, label in REGISTER_COLUMNS],
        [[_text(e[k]) for k, _l in REGISTER_COLUMNS] for e in content.register],
    )
    charted = [e for e in content.register if e.get("_indicator") and e["_indicator"].values]
    if charted:
        document.add_heading("Indikatoren der Maßnahmen", level=3)
        for n, e in enumerate(charted):
            title = e["measure"] or e["topic"]
            indicator = e["_indicator"]
            document.add_paragraph(title)
            document.add_picture(
                io.BytesIO(png(str(indicator_svg(indicator, f"i{n}", title)))), width=_cm(9)
            )
            shape = document.inline_shapes[-1]._inline
            shape.docPr.set("descr", indicator.summary())
            shape.docPr.set("title", title)


def _cm(value: float):
    from docx.shared import Cm

    return Cm(value)


def _text(value: Any) -> str:
    return "" if value is None else (value if isinstance(value, str) else cell_text(value))


# ---------------------------------------------------------------- Excel


def _sheet_name(title: str, taken: set[str]) -> str:
    """Excel: at most 31 characters, none of ``[]:*?/\\``, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:28] or "Kennzahl"
    name, n = base, 2
    while name.casefold() in taken:
        name, n = f"{base[:25]} ({n})", n + 1
    taken.add(name.casefold())
    return name


def _cell(value: Any) -> Any:
    """Numbers stay numbers, a suppressed figure is „x“, dates are German text."""
    if value is None:
        return "x"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _text(value)
    return value


def _write(sheet, head: list[str], rows: list[list[Any]], start: int = 1, note: str = "") -> int:
    """A table from row ``start``, ``note`` in the line under it; returns the next free row
    after a blank one."""
    from openpyxl.styles import Font

    for j, text in enumerate(head, start=1):
        sheet.cell(row=start, column=j, value=str(text)).font = Font(bold=True)
    for i, row in enumerate(rows, start=start + 1):
        for j, value in enumerate(row, start=1):
            cell = sheet.cell(row=i, column=j)
            cell.value = _cell(value) if j > 1 else _text(value)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula
            elif isinstance(cell.value, float):
                cell.number_format = "0.0"
    if note:
        sheet.cell(row=start + len(rows) + 1, column=1, value=note).data_type = "s"
        return start + len(rows) + 3
    return start + len(rows) + 2


def to_xlsx(content: ReportContent) -> bytes:
    """The report as an Excel workbook."""
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = "Zeitraum und Hinweise"
    lines = [
        (content.report.title, ""),
        ("Zeitraum", content.period_label),
        ("Zeitraum davor", content.previous.label if content.previous else "–"),
        ("Ablauf", content.workflow_title),
        ("Beschreibung", content.report.description),
        ("", ""),
    ] + [("Hinweis", note) for note in content.notes]
    for i, (a, b) in enumerate(lines, start=1):
        first.cell(row=i, column=1, value=a).data_type = "s"
        first.cell(row=i, column=2, value=b).data_type = "s"
    first.column_dimensions["A"].width = 22
    first.column_dimensions["B"].width = 90
    taken = {first.title.casefold()}
    keys = book.create_sheet(_sheet_name("Kennzahlen", taken))
    before = content.previous.label if content.previous else "davor"
    note = content.noise_note
    _write(
        keys,
        ["Kennzahl", "Einheit", content.period_label, before, "Veränderung"],
        [[k.title, k.unit, k.now, k.before, k.change] for k in content.key_figures],
        note=note,
    )
    for f in content.figures:
        sheet = book.create_sheet(_sheet_name(f.measure.title, taken))
        sheet.cell(row=1, column=1, value=f.measure.title).data_type = "s"
        nxt = _write(sheet, *_rows(f), start=3, note=note)
        comparison = _comparison_rows(f, content.period_label, before)
        if comparison is not None:
            sheet.cell(row=nxt, column=1, value=f"Vergleich mit {before}").data_type = "s"
            _write(sheet, *comparison, start=nxt + 1, note=note)
        sheet.column_dimensions["A"].width = 36
    if content.barriers is not None:
        b = content.barriers
        sheet = book.create_sheet(_sheet_name("Offene Barrieren", taken))
        lines = [[r, *b.cells[i]] for i, r in enumerate(b.rows)]
        _write(sheet, [b.row_label, *b.states], lines, note=note)
    if content.register_shown:
        sheet = book.create_sheet(_sheet_name("Register", taken))
        _write(
            sheet,
            [label for _key, label in REGISTER_COLUMNS],
            [[_text(e[k]) for k, _l in REGISTER_COLUMNS] for e in content.register],
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
