"""The table type: repeating rows of typed columns.

A cell error is reported under ``<table>.<row>.<column>`` (rows counted from 0 among the rows
kept), the key the API and the screens share.
"""

from __future__ import annotations

from typing import Any

from ..schema.definitions import FieldDef
from .types import FieldError, FieldType, field_type, is_empty, quoted, register

MAX_ROWS = 1000


@register
class TableType(FieldType):
    name = "table"
    empty: Any = []

    def clean(self, field, raw):
        rows, errors = self.clean_rows(field, raw)
        if errors:
            raise FieldError(next(iter(errors.values()))[0])
        return rows

    def clean_rows(self, field: FieldDef, raw: Any) -> tuple[list[dict], dict[str, list[str]]]:
        """Clean every row; returns the rows and errors keyed ``table.N.column``.

        N is the position in the input, so the screen and an API client find the cell they sent.
        """
        if raw is None or raw == "":
            return [], {}
        if not isinstance(raw, list):
            raise FieldError(f"{quoted(field)}: Bitte eine Liste von Zeilen angeben.")
        if len(raw) > MAX_ROWS:
            raise FieldError(f"{quoted(field)}: höchstens {MAX_ROWS} Zeilen.")
        rows: list[dict] = []
        errors: dict[str, list[str]] = {}
        for index, raw_row in enumerate(raw):
            if not isinstance(raw_row, dict):
                raise FieldError(f"{quoted(field)}: Jede Zeile muss ein Objekt mit Spalten sein.")
            unknown = set(raw_row) - {c.name for c in field.columns}
            if unknown:
                name = sorted(str(u) for u in unknown)[0][:40]
                raise FieldError(f"{quoted(field)}: unbekannte Spalte „{name}“.")
            if all(is_empty(v) or v is False for v in raw_row.values()):
                continue  # an empty row is not a row: the screen always offers a blank one
            row: dict[str, Any] = {}
            for column in field.columns:
                ctype = field_type(column.type)
                key = f"{field.name}.{index}.{column.name}"
                try:
                    value = ctype.clean(column, raw_row.get(column.name))
                except FieldError as exc:
                    errors.setdefault(key, []).append(str(exc))
                    value = None
                unticked = column.type == "boolean" and value is False
                if is_empty(value) or (unticked and column.required):
                    if column.required and key not in errors:
                        errors.setdefault(key, []).append(
                            f"{quoted(column)} (Zeile {index + 1}) ist ein Pflichtfeld."
                        )
                else:
                    for message in ctype.constraints(column, value):
                        errors.setdefault(key, []).append(message)
                row[column.name] = value if not is_empty(value) else ctype.empty_value()
            rows.append(row)
        return rows, errors

    def from_formdata(self, field, formdata, key):
        """Rows from inputs named ``<key>-<n>-<column>``; ``<key>-<n>-_remove`` drops a row."""
        indexes = set()
        prefix = f"{key}-"
        for name in formdata.keys():
            if name.startswith(prefix):
                head = name[len(prefix) :].split("-", 1)[0]
                if head.isdigit() and len(head) < 6:
                    indexes.add(int(head))
        rows = []
        for n in sorted(indexes):
            if formdata.get(f"{prefix}{n}-_remove"):
                continue
            row = {}
            for column in field.columns:
                row[column.name] = field_type(column.type).from_formdata(
                    column, formdata, f"{prefix}{n}-{column.name}"
                )
            rows.append(row)
        return rows

    def constraints(self, field, value):
        out = []
        if field.min_rows is not None and len(value) < field.min_rows:
            out.append(f"{quoted(field)}: mindestens {field.min_rows} Zeilen.")
        if field.max_rows is not None and len(value) > field.max_rows:
            out.append(f"{quoted(field)}: höchstens {field.max_rows} Zeilen.")
        return out

    def to_python(self, field, value):
        return [
            {c.name: field_type(c.type).to_python(c, row.get(c.name)) for c in field.columns}
            for row in value or []
        ]

    def display(self, field, value):
        return f"{len(value or [])} Zeilen"
