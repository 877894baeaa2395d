"""Reading an import file (.csv or .xlsx) into rows that know their line.

CSV as offices make it: UTF-8 with or without BOM, or Windows-1252 (what German Excel writes as
"CSV (Trennzeichen-getrennt)"), separated by semicolons, commas or tabs (chosen by counting
them in the header line). Excel workbooks: the first worksheet, via openpyxl. The first
non-empty line is the header; wholly empty lines are skipped. Line numbers are what the
person sees: the line in a text editor, the row number in Excel.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20000
SEPARATORS = (";", ",", "\t")


class ImportProblems(Exception):
    """The file cannot be imported; ``problems`` are ``file:line: message`` lines (German)."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Row:
    line: int
    values: dict[str, str]  # normalised header -> cell text (stripped)


@dataclass
class Table:
    shown: str  # the file as named on the command line, for messages
    header_line: int
    columns: dict[str, str] = field(default_factory=dict)  # normalised -> as written
    rows: list[Row] = field(default_factory=list)

    def at(self, line: int, message: str) -> str:
        return f"{self.shown}:{line}: {message}"


def normalise(header: str) -> str:
    """Headers compare without case, blanks at the ends and a leading BOM."""
    return " ".join(str(header).replace("\ufeff", "").strip().lower().split())


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without ``.0``, dates as ``YYYY-MM-DD``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_table(path: Path, shown: str | None = None) -> Table:
    """The header and rows of ``path``; raises :class:`ImportProblems` if it is unreadable."""
    shown = shown or str(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ImportProblems([f"{shown}: nur .csv- und .xlsx-Dateien können importiert werden"])
    try:
        size = path.stat().st_size
    except OSError:
        raise ImportProblems([f"{shown}: Datei nicht gefunden oder nicht lesbar"]) from None
    if size > MAX_BYTES:
        raise ImportProblems([f"{shown}: größer als {MAX_BYTES // (1024 * 1024)} MB"])
    lines = _xlsx_lines(path, shown) if suffix == ".xlsx" else _csv_lines(path.read_bytes())
    return _table(shown, lines)


def _csv_lines(content: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")  # German Excel's "CSV"
    first = next((line for line in text.splitlines() if line.strip()), "")
    separator = max(SEPARATORS, key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    out, start = [], 1
    for cells in reader:
        out.append((start, cells))
        start = reader.line_num + 1  # a quoted cell may span lines: report where it began
        if len(out) > MAX_ROWS + 1:
            break
    return out


def _xlsx_lines(path: Path, shown: str) -> list[tuple[int, list[str]]]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportProblems([f"{shown}: keine lesbare Excel-Datei (.xlsx)"]) from None
    try:
        sheet = workbook.worksheets[0]
        out = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            out.append((number, [cell_text(v) for v in row]))
            if len(out) > MAX_ROWS + 1:
                break
        return out
    finally:
        workbook.close()


def _table(shown: str, lines: list[tuple[int, list[str]]]) -> Table:
    lines = [(n, [c.strip() for c in cells]) for n, cells in lines if any(c.strip() for c in cells)]
    if not lines:
        raise ImportProblems([f"{shown}: die Datei ist leer (erwartet: eine Kopfzeile)"])
    header_line, header = lines[0]
    table = Table(shown, header_line)
    problems = []
    for index, name in enumerate(header):
        key = normalise(name)
        if not key:
            if any(index < len(cells) and cells[index] for _, cells in lines[1:]):
                problems.append(table.at(header_line, f"Spalte {index + 1} hat keine Überschrift"))
            continue
        if key in table.columns:
            problems.append(
                table.at(header_line, f"Spalte „{name}“ steht doppelt in der Kopfzeile")
            )
        table.columns[key] = name
    if len(lines) - 1 > MAX_ROWS:
        problems.append(f"{shown}: mehr als {MAX_ROWS} Zeilen; bitte in Teilen importieren")
    if problems:
        raise ImportProblems(problems)
    keys = [normalise(h) for h in header]
    for number, cells in lines[1:]:
        if len(cells) > len(keys) and any(cells[len(keys) :]):
            problems.append(
                table.at(
                    number, f"{len(cells)} Werte, aber nur {len(keys)} Spalten in der Kopfzeile"
                )
            )
            continue
        values = {k: (cells[i] if i < len(cells) else "") for i, k in enumerate(keys) if k}
        table.rows.append(Row(number, values))
    if problems:
        raise ImportProblems(problems)
    return table


def pick_columns(
    table: Table, known: dict[str, tuple[str, ...]]
) -> tuple[dict[str, str], list[str]]:
    """Map the file's columns to our names: ``({ours: normalised header}, problems)``.

    ``known`` lists for each of our names the headers that mean it (German first, then
    English; lower case), the first one is shown in messages.
    """
    chosen: dict[str, str] = {}
    problems = []
    for key, written in table.columns.items():
        ours = next((name for name, words in known.items() if key in words), None)
        if ours is None:
            allowed = ", ".join(words[0] for words in known.values())
            problems.append(
                table.at(table.header_line, f"unbekannte Spalte „{written}“ (bekannt: {allowed})")
            )
        elif ours in chosen:
            problems.append(table.at(table.header_line, f"zwei Spalten meinen „{ours}“"))
        else:
            chosen[ours] = key
    return chosen, problems
