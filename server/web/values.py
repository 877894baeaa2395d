"""Turning clean values into what an input shows, and into readable text for history."""

from __future__ import annotations

from typing import Any

from ..forms.display import changes, display
from ..models import Record, User
from ..models.fast import Slot, cached_select
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
        for record in _titles_of(sorted(wanted)):
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

    def shown(self, form: FormDef, values: dict[str, Any] | None) -> list[tuple[FieldDef, str]]:
        """(field, text) of every field of ``form`` that holds something, in form order:
        a saved form read, not edited. Made here, not in the template, where every field
        cost several calls (the record page shows a dozen forms this way)."""
        values = values or {}
        return [
            (f, display(f, value, self))
            for f in form.fields
            if (value := values.get(f.name)) not in (None, "", [])
        ]


CACHED_SHAPES = 64  # up to this many ids the query is built once per count (models.fast)


def _titles_of(ids: list[int]) -> list[Record]:
    """The columns the access check and the title need of ``ids``, not their form data."""
    if len(ids) > CACHED_SHAPES:
        return list(Record.select(*_TITLE_COLUMNS).where(Record.id.in_(ids)))
    slots = {f"id{n}": value for n, value in enumerate(ids)}
    return cached_select(
        ("lookup.titles", len(ids)),
        lambda: Record.select(*_TITLE_COLUMNS).where(Record.id.in_([Slot(k) for k in slots])),
        **slots,
    )


_TITLE_COLUMNS = (Record.id, Record.workflow, Record.title, Record.owner, Record.organisation)

__all__ = ["ValueLookup", "changes", "display", "input_value", "input_values"]
