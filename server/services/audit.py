"""Writing the audit log. Entries name who did what to which object; never form contents."""

from __future__ import annotations

from typing import Any

from ..models import AuditEntry, User
from ..models.fast import insert_row


def request_address() -> str:
    """The client address of the current web request, if there is one."""
    try:
        from flask import has_request_context, request
    except ImportError:  # pragma: no cover - Flask is a dependency
        return ""
    if has_request_context():
        return (request.remote_addr or "")[:64]
    return ""


def _note_record(record_id: int | None) -> None:
    """Remember that this request already wrote an entry about ``record_id``, so the read
    audit (server/privacy/read_audit.py) does not add a second one."""
    if record_id is None:
        return
    from flask import g, has_request_context

    if has_request_context():
        g.setdefault("audited_records", set()).add(record_id)


def audit(
    action: str,
    user: User | None = None,
    *,
    record_id: int | None = None,
    object_type: str = "",
    object_id: Any = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one audit entry (inside the caller's transaction, if any)."""
    organisation = ""
    if user is not None and user.organisation_id is not None:
        organisation = user.organisation.name
    insert_row(
        AuditEntry,
        user=user,
        username=user.username if user else "",
        organisation=organisation,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        record_id=record_id,
        detail=detail or {},
        remote_addr=request_address(),
    )
    _note_record(record_id)
