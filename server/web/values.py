"""Turning clean values into what an input shows, and into readable text for history."""

from __future__ import annotations

from typing import Any

from ..forms.types import field_type, is_empty
from ..schema.definitions import FieldDef, FormDef


def input_value(field: FieldDef, value: Any) -> Any:
    """A clean value as an HTML input wants it (dates ISO for type=date, decimals German)."""
    if field.type == "table":
        return [
            {c.name: input_value(c, (row or {}).get(c.name)) for c in field.columns}
            for row in value or []
        ]
    if field.type == "multiselect":
        return list(value or [])
    if field.type == "boolean":
        return bool(value)
    if is_empty(value):
        return ""
    if field.type == "decimal":
        return field_type("decimal").display(field, value).replace(".", "")
    return str(value)


def input_values(form: FormDef, values: dict[str, Any]) -> dict[str, Any]:
    return {f.name: input_value(f, values.get(f.name)) for f in form.fields}


def display(field: FieldDef, value: Any) -> str:
    """A clean value as text for people (labels, German dates and numbers)."""
    if field.type == "table":
        rows = []
        for row in value or []:
            cells = [
                f"{c.label}: {display(c, row.get(c.name))}"
                for c in field.columns
                if not is_empty(row.get(c.name))
            ]
            rows.append("; ".join(cells))
        return " | ".join(rows)
    return field_type(field.type).display(field, value)


def changes(form: FormDef, before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, str]]:
    """Field-by-field differences between two saves of a form."""
    out = []
    for f in form.fields:
        old, new = before.get(f.name), after.get(f.name)
        if (old in (None, "", [])) and (new in (None, "", [])):
            continue
        if old != new:
            out.append({"label": f.label, "old": display(f, old), "new": display(f, new)})
    return out
