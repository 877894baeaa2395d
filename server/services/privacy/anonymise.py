"""Anonymising a record: what identifies a person goes, structure and statistics stay.

What goes: every value of a field marked ``personal = true`` (in tables: personal columns),
every file field, values whose field no longer exists (they cannot be shown to be harmless),
the same in every saved version (FormSave), hand-over notes, and every attached file or
document (the tables in :data:`ATTACHMENT_TABLES`). The title and the search text are built
again from what is left. What stays: the record with its workflow, states, dates, owner and
organisation, non-personal values (target group, barriers …), the transition history,
consents (purpose, version, dates) and the audit log.

Legal holds are respected by the callers (the retention job and the DPO screen).
"""

from __future__ import annotations

from typing import Any

from ...forms.display import search_text
from ...models import (
    MODELS,
    FormSave,
    HandOver,
    Record,
    RecordPrivacy,
    User,
    is_sqlite,
    transaction,
    utcnow,
)
from ...schema.definitions import Definitions, FieldDef, FormDef
from ..audit import audit
from ..records.changes import title_from_data
from ..records.hooks import record_events
from ..records.search import purge_removed_text

# tables of things attached to a record that anonymisation deletes, by table name, so a
# table added by another part (uploads) is covered as soon as it exists; every table with a
# foreign key to records must be named here or in KEPT_TABLES (tests/privacy enforce it)
ATTACHMENT_TABLES = ("document_request", "upload")
KEPT_TABLES = (
    "form_save",  # blanked, see blank_form
    "transition_log",
    "hand_over",  # note blanked
    "deadline",
    "consent",
    "record_privacy",
    "measure_status",  # decisions' measures: no personal data
    "measure_value",  # indicator values of measures: a date and a number
    "notification",  # neutral titles (kind + number), never content
)


def _blank_field(field: FieldDef, value: Any) -> Any:
    if field.personal or field.type == "file":
        return None
    if field.type == "table" and isinstance(value, list):
        rows = []
        for row in value:
            if isinstance(row, dict):
                rows.append({c.name: _blank_field(c, row.get(c.name)) for c in field.columns})
        return rows
    return value


def blank_form(form: FormDef | None, values: Any) -> dict[str, Any]:
    """``values`` of ``form`` without personal data (unknown fields and forms dropped)."""
    if form is None or not isinstance(values, dict):
        return {}
    return {f.name: _blank_field(f, values[f.name]) for f in form.fields if f.name in values}


def blank_data(defs: Definitions, data: Any) -> dict[str, Any]:
    """A record's ``data`` ({form: values}) without personal data."""
    if not isinstance(data, dict):
        return {}
    return {form_id: blank_form(defs.forms.get(form_id), v) for form_id, v in data.items()}


def attachment_models() -> list:
    """The models of :data:`ATTACHMENT_TABLES` that exist in this installation."""
    return [m for m in MODELS if m._meta.table_name in ATTACHMENT_TABLES]


def anonymise_record(
    defs: Definitions,
    record_id: int,
    *,
    reason: str,
    user: User | None = None,
    purge: bool = True,
) -> bool:
    """Anonymise one record; False when it was already anonymised (idempotent).

    ``purge``: afterwards remove the old text from the search index's storage too (see
    :func:`purge_removed_text`); a caller anonymising many records passes False and purges
    once at the end.
    """
    with transaction():
        query = Record.select().where(Record.id == record_id)
        if not is_sqlite():
            query = query.for_update()
        record = query.first()
        if record is None:
            return False
        privacy = RecordPrivacy.get_or_none(RecordPrivacy.record == record.id)
        if privacy is not None and privacy.anonymised_at is not None:
            return False
        data = blank_data(defs, record.data)
        record.data = data
        workflow = defs.workflows.get(record.workflow)
        if workflow is not None:
            title = title_from_data(defs, workflow, record)
        else:
            title = f"Datensatz {record.id}"
        Record.update(
            data=data,
            title=title,
            search_text=search_text(defs.forms, data, title),
            version=Record.version + 1,
            updated_at=utcnow(),
        ).where(Record.id == record.id).execute()
        # read first, then write: no UPDATE while the SELECT's cursor is still open
        saves = list(
            FormSave.select(FormSave.id, FormSave.form, FormSave.data).where(
                FormSave.record == record.id
            )
        )
        for save in saves:
            blanked = blank_form(defs.forms.get(save.form), save.data)
            if blanked != save.data:
                FormSave.update(data=blanked).where(FormSave.id == save.id).execute()
        HandOver.update(note="").where(HandOver.record == record.id).execute()
        deleted = {}
        for model in attachment_models():
            deleted[model._meta.table_name] = (
                model.delete().where(model.record == record.id).execute()
            )
        now = utcnow()
        if privacy is None:
            RecordPrivacy.create(record=record.id, anonymised_at=now, anonymised_reason=reason)
        else:
            RecordPrivacy.update(anonymised_at=now, anonymised_reason=reason).where(
                RecordPrivacy.id == privacy.id
            ).execute()
        audit(
            "record.anonymise",
            user,
            record_id=record.id,
            object_type="record",
            object_id=record.id,
            detail={"reason": reason, "state": record.state, "deleted": deleted},
        )
        record_events.anonymised.send(record, user=user, reason=reason)
    if purge:
        purge_removed_text()
    return True
