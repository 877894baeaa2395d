"""The table type: repeating rows of typed columns (``[[fields.columns]]``).

A cell error is reported under ``<table>.<row>.<column>`` (rows counted in the input), the
key the API and the screens share. The columns are fields themselves, so every cell is
cleaned, shown and given to templates by its column's type.
"""

from __future__ import annotations

from typing import Any

from ..definitions import FieldDef
from ..row_conditions import has_row_conditions, row_spec, row_states
from .base import FieldError, FieldType, count, field_type, is_empty, quoted
from .template_data import Shape

MAX_ROWS = 1000


class TableType(FieldType):
    name = "table"
    label = "Tabelle"
    explanation = "Wiederholte Zeilen mit festen Spalten, z. B. Termine oder beteiligte Stellen."
    # "columns" is read by the form parser, which parses each column as a field
    keys = ("min_rows", "max_rows", "columns")
    in_columns = False
    takes_default = False
    usable_as_title = False
    widget = "table"
    native_required = False
    empty: Any = []

    def focus_id(self, field, name):
        # the first cell of the first row (templates/verbund/_fields.html names cells so)
        if not field.columns:
            return name
        first = field.columns[0]
        return field_type(first.type).focus_id(first, f"{name}-0-{first.name}")

    def read_keys(self, c, table, keypath, where):
        values = {
            "min_rows": c.count(table, "min_rows", keypath, where, 0),
            "max_rows": c.count(table, "max_rows", keypath, where, 1),
        }
        c.ordered(keypath, where, "min_rows", values["min_rows"], "max_rows",
                  values["max_rows"])  # fmt: skip
        return values

    def clean(self, field, raw):
        rows, errors = self.clean_cells(field, raw, None)
        if errors:
            raise FieldError(next(iter(errors.values()))[0])
        return rows

    def clean_cells(
        self, field: FieldDef, raw: Any, links: Any = None
    ) -> tuple[list[dict], dict[str, list[str]]]:
        """Clean every row; returns the rows and errors keyed ``table.N.column``.

        N is the position in the input, so the screen and an API client find the cell they sent.
        With ``links``, reference cells are checked against the database too.
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
            rows.append(self._clean_row(field, index, raw_row, links, errors))
        return rows, errors

    def _clean_row(self, field, index: int, raw_row: dict, links: Any, errors: dict) -> dict:
        values: dict[str, Any] = {}
        problems: dict[str, list[str]] = {}
        for column in field.columns:
            try:
                values[column.name], _ = field_type(column.type).clean_cells(
                    column, raw_row.get(column.name), links
                )
            except FieldError as exc:
                problems[column.name] = [str(exc)]
                values[column.name] = None
        hidden: set[str] = set()
        required_here: set[str] = set()
        if has_row_conditions(field):
            # per row: a cell its column's show_if hides is neither checked nor stored
            hidden, required_here = row_states(field, self._typed_row(field, values))
        row: dict[str, Any] = {}
        for column in field.columns:
            ctype = field_type(column.type)
            key = f"{field.name}.{index}.{column.name}"
            value = values[column.name]
            if column.name in hidden:
                row[column.name] = ctype.empty_value()
                continue
            if column.name in problems:
                errors.setdefault(key, []).extend(problems[column.name])
            elif ctype.missing(column, value):
                if column.required:
                    errors.setdefault(key, []).append(
                        f"{quoted(column)} (Zeile {index + 1}) ist ein Pflichtfeld."
                    )
                elif column.name in required_here:
                    errors.setdefault(key, []).append(
                        f"Zeile {index + 1}, Spalte {quoted(column)}: bitte ausfüllen "
                        "(in dieser Zeile eine Pflichtangabe)."
                    )
            else:
                for message in ctype.constraints(column, value):
                    errors.setdefault(key, []).append(message)
            row[column.name] = value if not is_empty(value) else ctype.empty_value()
        return row

    @staticmethod
    def _typed_row(field: FieldDef, values: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for column in field.columns:
            ctype = field_type(column.type)
            value = values.get(column.name)
            empty = value is None
            out[column.name] = ctype.empty_value() if empty else ctype.to_python(column, value)
        return out

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
            out.append(f"{quoted(field)}: mindestens {count(field.min_rows, 'Zeile', 'Zeilen')}.")
        if field.max_rows is not None and len(value) > field.max_rows:
            out.append(f"{quoted(field)}: höchstens {count(field.max_rows, 'Zeile', 'Zeilen')}.")
        return out

    def minimum_problems(self, field):
        return self.constraints(field, [])

    def to_python(self, field, value):
        return [
            {c.name: field_type(c.type).to_python(c, row.get(c.name)) for c in field.columns}
            for row in value or []
        ]

    def display(self, field, value, lookup=None):
        return " | ".join(row_text(field, row, lookup) for row in value or [])

    def input_value(self, field, value):
        return [
            {
                c.name: field_type(c.type).input_value(c, (row or {}).get(c.name))
                for c in field.columns
            }
            for row in value or []
        ]

    def template_value(self, field, value):
        if value is None:
            return []
        return [
            {
                c.name: field_type(c.type).template_value(c, (row or {}).get(c.name))
                for c in field.columns
            }
            for row in value or []
            if isinstance(row, dict)
        ]

    def template_shape(self, field, path):
        shown = f"„{path}“"
        columns = {
            c.name: field_type(c.type).template_shape(c, f"{path}.{c.name}") for c in field.columns
        }
        row = Shape("object", f"die Tabelle {shown}", columns, member_word="Spalte")
        return Shape("list", shown, item=row, type="table")

    def api_schema(self, field=None):
        return {
            "type": "array",
            "items": {"type": "object"},
            "description": "Zeilen: {Spalte: Wert}",
        }

    def sample(self, field, high):
        row = {c.name: field_type(c.type).sample(c, high) for c in field.columns}
        return [dict(row) for _ in range(3)] if high else []

    def browser_spec(self, field):
        spec = super().browser_spec(field)
        spec["columns"] = [
            {"name": c.name, **field_type(c.type).browser_spec(c)} for c in field.columns
        ]
        if has_row_conditions(field):
            spec["rows"] = row_spec(field)
        return spec


def row_text(field: FieldDef, row: Any, lookup: Any = None) -> str:
    """One row as text: "Spalte: Wert; …" for the filled cells."""
    row = row if isinstance(row, dict) else {}
    return "; ".join(
        f"{c.label}: {field_type(c.type).display(c, row.get(c.name), lookup)}"
        for c in field.columns
        if not is_empty(row.get(c.name))
    )
