"""Turning clean values into what an input shows, and into readable text for history."""

from __future__ import annotations

from typing import Any

from ..forms.display import changes, display  # noqa: F401  (used by the templates)
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
