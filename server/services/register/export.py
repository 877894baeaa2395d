"""The decision register as a file: .csv (Excel-friendly), .xlsx (openpyxl) and .docx.

The .docx is rendered from the register template (``[register] template``, current
revision, same sandbox and German filters as every document); without a template a plain
table is written. Spreadsheet cells never become formulas: text starting with ``= + - @``
is stored as text (CSV: prefixed with an apostrophe), so an entry cannot run anything in
the reader's spreadsheet program.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from ...config import Settings
from ...documents.context import safe
from ...documents.render import TemplateFailed
from ...documents.sandbox_process import RendererUnavailable, render_limited
from ...documents.store import current_content
from ...documents.xml_text import xml_text
from ...german import datum, local_time, yes_no
from ...models import utcnow

COLUMNS = (
    ("group", "Gremium", 22),
    ("meeting", "Sitzung", 24),
    ("date", "Datum", 11),
    ("item", "TOP", 6),
    ("topic", "Thema", 30),
    ("decision", "Beschluss / Ergebnis", 45),
    ("measure", "Maßnahme", 40),
    ("owner", "Verantwortlich", 20),
    ("due", "Fällig am", 11),
    ("indicator", "Indikator", 30),
    ("status_label", "Stand", 16),
    ("note", "Bemerkung zum Stand", 30),
    ("escalation", "Politische Gremien", 10),
    # the indicator (issue 17): at the end, so the columns before keep their place
    ("indicator_baseline", "Ausgangswert", 12),
    ("indicator_target", "Zielwert", 12),
    ("indicator_latest", "Istwert (zuletzt)", 20),
    ("indicator_progress", "Indikator im Plan?", 18),
)
# the plain Word table: the columns it always had, not the indicator's (narrow enough to read)
PLAIN_DOCX = tuple(c[0] for c in COLUMNS[:11] if c[0] not in ("note", "escalation"))
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell_text(key: str, value: Any) -> str:
    if isinstance(value, dt.date):
        return datum(value)
    if key == "escalation":
        return yes_no(value)
    return xml_text("" if value is None else str(value))


def to_csv(entries: list[dict[str, Any]]) -> bytes:
    """Semicolon-separated UTF-8 with byte-order mark: opens as columns in German Excel."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([label for _key, label, _w in COLUMNS])
    for entry in entries:
        row = []
        for key, _label, _w in COLUMNS:
            text = _cell_text(key, entry.get(key))
            row.append("'" + text if text.startswith(FORMULA_START) else text)
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(entries: list[dict[str, Any]], title: str, filters: str) -> bytes:
    """A worksheet with a title, the filters, a frozen header row and an auto filter."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "Register"
    sheet["A1"] = xml_text(title)
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = xml_text(f"Stand {local_time(utcnow())} · {filters} · {len(entries)} Einträge")
    header = 4
    for col, (_key, label, width) in enumerate(COLUMNS, 1):
        cell = sheet.cell(header, col, label)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, entry in enumerate(entries, header + 1):
        for col, (key, _label, _w) in enumerate(COLUMNS, 1):
            value = entry.get(key)
            cell = sheet.cell(number, col)
            if isinstance(value, dt.date):
                cell.value = value
                cell.number_format = "DD.MM.YYYY"
            else:
                cell.value = _cell_text(key, value)
                cell.data_type = "s"  # text stays text, never a formula
            cell.alignment = wrap
    sheet.freeze_panes = sheet.cell(header + 1, 1)
    last = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A{header}:{last}{max(header, header + len(entries))}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_docx(
    settings: Settings, template: str, entries: list[dict[str, Any]], title: str, filters: str
) -> bytes:
    """The register as a Word document from its template (or a plain table without one)."""
    context = {
        "rows": safe([{k: v for k, v in e.items() if not k.startswith("_")} for e in entries]),
        "title": xml_text(title),
        "filters": xml_text(filters),
        "count": len(entries),
        "now": local_time(utcnow()),
    }
    if template:
        try:
            content, _number = current_content(settings, template)
        except TemplateFailed:
            content = None
        if content is not None:
            # an uploaded template: under the same hard limits as a document job
            try:
                return render_limited(settings, content, template, context)
            except RendererUnavailable:
                raise TemplateFailed(
                    "Die Word-Ausgabe ist gerade nicht möglich; bitte später erneut versuchen."
                ) from None
    return _plain_docx(context)


def _plain_docx(context: dict[str, Any]) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(context["title"], level=1)
    document.add_paragraph(f"Stand {context['now']} · {context['filters']}")
    keys = [c for c in COLUMNS if c[0] in PLAIN_DOCX]
    table = document.add_table(rows=1, cols=len(keys))
    table.style = "Table Grid"
    for cell, (_key, label, _w) in zip(table.rows[0].cells, keys, strict=True):
        cell.text = label
    for entry in context["rows"]:
        cells = table.add_row().cells
        for cell, (key, _label, _w) in zip(cells, keys, strict=True):
            cell.text = _cell_text(key, entry.get(key))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
