"""Turning clean values into what an input shows, and into readable text for history."""

from __future__ import annotations

from typing import Any

from ..forms.display import changes, display
from ..models import Record, User
from ..schema.definitions import Definitions, FieldDef, FormDef
from ..schema.fieldtypes import field_type, is_empty
from ..services.records.access import can_read


def input_value(field: FieldDef, value: Any) -> Any:
    """A clean value as an HTML input wants it (dates ISO for type=date, decimals German)."""
    return field_type(field.type).input_value(field, value)


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
        # the columns the access check and the title need, not every record's form data
        columns = (Record.id, Record.workflow, Record.title, Record.owner, Record.organisation)
        for record in Record.select(*columns).where(Record.id.in_(sorted(wanted))):
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
