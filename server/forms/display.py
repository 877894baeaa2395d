"""Values as people read them: labels, German dates and numbers; and what changed."""

from __future__ import annotations

from typing import Any

from ..schema.definitions import FieldDef, FormDef
from .types import field_type, is_empty


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
        if is_empty(old) and is_empty(new):
            continue
        if old != new:
            out.append({"label": f.label, "old": display(f, old), "new": display(f, new)})
    return out


def search_text(forms: dict[str, FormDef], data: dict[str, Any], title: str) -> str:
    """Lower-case text a record is found by: its title and every displayed value."""
    parts = [title]
    for form_id, values in (data or {}).items():
        form = forms.get(form_id)
        if form is None:
            continue
        for f in form.fields:
            value = (values or {}).get(f.name)
            if not is_empty(value) and f.type not in ("boolean", "file"):
                parts.append(display(f, value))
    return " ".join(parts).lower()[:20000]
