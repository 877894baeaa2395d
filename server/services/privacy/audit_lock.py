"""The one way to delete audit entries: the purge of entries older than the retention.

The audit log is append-only in the database itself (triggers, :mod:`server.models.audit_lock`).
:func:`purge_audit` deletes entries older than the configured retention: it writes a row to
``audit_purge_permit`` inside its transaction, and the trigger lets a DELETE through only for
entries older than that row says. No other code path writes such a row, and the permit is
gone again when the transaction commits.
"""

from __future__ import annotations

import datetime as dt

from ...models import AuditEntry, AuditPurgePermit, transaction
from ..audit import audit


def purge_audit(before: dt.datetime) -> int:
    """Delete audit entries older than ``before`` (naive UTC); returns how many.

    The purge itself is written to the log, so a gap in it is always explained.
    """
    with transaction():
        permit = AuditPurgePermit.create(before=before)
        deleted = AuditEntry.delete().where(AuditEntry.at < before).execute()
        AuditPurgePermit.delete().where(AuditPurgePermit.id == permit.id).execute()
        if deleted:
            audit(
                "audit.purge",
                None,
                object_type="audit",
                detail={"before": before.isoformat(timespec="seconds"), "deleted": deleted},
            )
    return deleted
