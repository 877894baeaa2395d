"""What the record page shows about consent, legal hold and anonymisation."""

from __future__ import annotations

from typing import Any

from ...models import Record, RecordPrivacy
from ...models.fast import Slot, cached_select
from ...schema.definitions import WorkflowDef
from ...services.privacy.consent import consent_json, consents_read_once, may_record_consent
from ...services.records.hooks import work_refusal
from ..session import current_user


def record_privacy(record: Record, workflow: WorkflowDef) -> dict[str, Any]:
    """Template global ``record_privacy(record, workflow)`` for verbund/_privacy_record.html."""
    found = cached_select("record.privacy", _privacy_row, record=record.id)
    row = found[0] if found else None
    user = current_user()
    anonymised = bool(row and row.anonymised_at is not None)
    # the panel lists the consents and asks the consent guard: one read serves both
    with consents_read_once():
        return {
            "consents": consent_json(workflow, record.id),
            "may_record": user is not None and may_record_consent(user, workflow),
            "anonymised": row.anonymised_at if row else None,
            "hold": row.hold_reason if row and row.hold else "",
            "refusal": work_refusal(workflow, record, anonymised=anonymised),
        }


def _privacy_row():
    return RecordPrivacy.select().where(RecordPrivacy.record == Slot("record")).limit(1)
