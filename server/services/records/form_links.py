"""The database side of validating a form: may a reference point there, is the file ours?"""

from __future__ import annotations

from typing import Any

from ...models import Record, Upload, User
from ...schema.definitions import Definitions, FieldDef, FormDef
from .access import can_read


def reference_ids(form: FormDef, values: dict[str, Any] | None) -> set[tuple[str, int]]:
    """(workflow, id) of every reference in saved ``values`` (fields and table cells)."""
    found: set[tuple[str, int]] = set()
    for field in form.fields:
        value = (values or {}).get(field.name)
        if field.type == "reference" and isinstance(value, int):
            found.add((field.workflow, value))
        for column in field.columns:
            if column.type != "reference":
                continue
            for row in value if isinstance(value, list) else []:
                cell = row.get(column.name) if isinstance(row, dict) else None
                if isinstance(cell, int):
                    found.add((column.workflow, cell))
    return found


class RecordLinks:
    """:class:`server.forms.links.Links` for ``user`` saving ``form`` of ``record``.

    A reference must name a record of the field's workflow that the user may read. One that
    is already saved in the form stays allowed, so a colleague who cannot read it can still
    save the form without losing it (and without learning its title).
    """

    def __init__(self, defs: Definitions, user: User, record: Record, form: FormDef):
        self.defs = defs
        self.user = user
        self.record = record
        self.kept = reference_ids(form, (record.data or {}).get(form.id))

    def reference_title(self, field: FieldDef, record_id: int) -> str | None:
        if (field.workflow, record_id) in self.kept:
            return ""
        target = Record.get_or_none(Record.id == record_id)
        if target is None or target.workflow != field.workflow:
            return None
        return target.title if can_read(self.defs, self.user, target) else None

    def upload(self, field: FieldDef, upload_id: int) -> dict[str, Any] | None:
        upload = (
            Upload.select()
            .where((Upload.id == upload_id) & (Upload.record == self.record.id))
            .first()
        )
        return upload.as_value() if upload else None
