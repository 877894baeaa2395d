"""Writing the audit log. Entries name who did what to which object; never form contents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..models import AuditEntry, User
from ..models.fast import insert_row


def _no_address() -> str:
    return ""


def _no_note(record_id: int) -> None:
    return None


# The web layer tells the audit about the request it serves (server/web/__init__.py registers
# these at start-up): services import no Flask, and outside a request (CLI, jobs) there is no
# address and nothing to note.
_request_hooks: dict[str, Callable] = {"address": _no_address, "note": _no_note}


def use_request_hooks(address: Callable[[], str], note: Callable[[int], None]) -> None:
    """Register how to read the current request's client address and how to note, for this
    request, that an entry about a record was written (the read audit then adds none)."""
    _request_hooks["address"] = address
    _request_hooks["note"] = note


def request_address() -> str:
    """The client address of the current web request, if there is one."""
    return _request_hooks["address"]()


def _note_record(record_id: int | None) -> None:
    """Remember that this request already wrote an entry about ``record_id``, so the read
    audit (server/web/privacy/read_audit.py) does not add a second one."""
    if record_id is not None:
        _request_hooks["note"](record_id)


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
