"""Turning clean values into what an input shows, and into readable text for history."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..forms.display import changes, display
from ..forms.types import is_empty
from ..german import number as german_number
from ..models import Record, User
from ..schema.definitions import Definitions, FieldDef, FormDef
from ..services.records.access import can_read


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
        return german_number(Decimal(value), grouping=False)
    if field.type == "file":
        return str(value.get("id", "")) if isinstance(value, dict) else str(value)
    return str(value)


def input_values(form: FormDef, values: dict[str, Any]) -> dict[str, Any]:
    return {f.name: input_value(f, values.get(f.name)) for f in form.fields}


class ValueLookup:
    """Titles of referenced records, for showing references to ``user``.

    A title is shown only when the viewer may read the referenced record; otherwise the
    reference appears as its number, marked as not visible, which is what the form holds.
    """

    def __init__(self, defs: Definitions, user: User):
        self.defs = defs
        self.user = user
        self._titles: dict[int, tuple[str, str] | None] = {}  # id -> (workflow, title)

    def prefetch(self, ids: set[int]) -> None:
        """Read the titles of ``ids`` in one query (a record page shows many at once)."""
        wanted = {i for i in ids if isinstance(i, int) and 0 < i < 2**63} - set(self._titles)
        if not wanted:
            return
        for record in Record.select().where(Record.id.in_(sorted(wanted))):
            readable = can_read(self.defs, self.user, record)
            self._titles[record.id] = (record.workflow, record.title) if readable else None
        for missing in wanted - set(self._titles):
            self._titles[missing] = None

    def reference(self, field: FieldDef, value: Any) -> str:
        if is_empty(value):
            return ""
        self.prefetch({value})
        found = self._titles.get(value)
        if found is None or found[0] != field.workflow:
            return f"Nr. {value} (für Sie nicht sichtbar)"
        return f"{found[1]} (Nr. {value})"

    def display(self, field: FieldDef, value: Any) -> str:
        return display(field, value, self)


__all__ = ["ValueLookup", "changes", "display", "input_value", "input_values"]
