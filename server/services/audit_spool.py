"""Audit entries that may neither fail the request they describe nor be lost: the spool.

Every read of a case is audited, after the page was built. SQLite allows one writer at a
time: while another process holds the write lock (a long publication, a retention run, a
busy worker) the audit INSERT would wait ``busy_timeout`` and then fail — and with it a
read that had already succeeded. So the read audit writes through :func:`audit_or_spool`:
it waits a short while for the lock and, when it does not get it, appends the entry to a
spool file under ``instance/audit-spool/`` (one file per process, ``fsync``-ed before the
response leaves). :func:`flush_spool` moves spooled entries into the audit table with their
original time; every web process runs it at start and, while spooled entries exist, at most
every :data:`FLUSH_SECONDS` with its requests.

Guarantee: an entry is in the table or in a spool file at every moment — at least once.
A process that dies between committing the flushed entries and emptying the file would
write those entries a second time (marked ``"spooled": true`` like every spooled entry);
never fewer. Spooled entries hold what audit entries hold (ids, names of staff, the view),
never form contents.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import socket
import threading
import time
from pathlib import Path
from typing import Any

import peewee

from ..models import AuditEntry, User, database, short_write, utcnow
from ..models.fast import insert_row
from .audit import _note_record, audit, request_address

log = logging.getLogger(__name__)

FLUSH_SECONDS = 5.0
SPOOL_DIR = "audit-spool"

_write_lock = threading.Lock()
_state = {"next_flush": 0.0, "pending": True}  # pending: unknown at start, so look once


def spool_dir(instance_dir: Path) -> Path:
    return instance_dir / SPOOL_DIR


def _own_file(directory: Path) -> Path:
    return directory / f"audit-{socket.gethostname()}-{os.getpid()}.jsonl"


def audit_or_spool(
    instance_dir: Path,
    action: str,
    user: User | None,
    **fields: Any,
) -> bool:
    """Write one audit entry now, or spool it when the database will not take it soon.

    Returns True when the entry went to the table. Never raises for a busy or unreachable
    database; raises only when the spool file cannot be written either (then the request
    must fail: an unaudited read is not allowed).
    """
    try:
        with short_write(single=True):  # audit() sends one INSERT
            audit(action, user, **fields)
        return True
    except peewee.OperationalError as exc:  # locked, busy, lock timeout, connection lost
        log.warning("audit entry spooled: %s", type(exc).__name__)
        if database.in_transaction():
            raise  # inside someone's transaction the caller decides (never the case for reads)
    entry = _entry(action, user, fields)
    _note_record(fields.get("record_id"))
    directory = spool_dir(instance_dir)
    directory.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
    with _write_lock, open(_own_file(directory), "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    _state["pending"] = True
    return False


def _entry(action: str, user: User | None, fields: dict[str, Any]) -> dict[str, Any]:
    organisation = ""
    if user is not None and user.organisation_id is not None:
        organisation = user.organisation.name
    detail = dict(fields.get("detail") or {})
    detail["spooled"] = True
    return {
        "at": utcnow().isoformat(),
        "user": user.id if user is not None else None,
        "username": user.username if user is not None else "",
        "organisation": organisation,
        "action": action,
        "object_type": fields.get("object_type", ""),
        "object_id": str(fields.get("object_id", "")),
        "record_id": fields.get("record_id"),
        "detail": detail,
        "remote_addr": request_address(),
    }


def flush_due(instance_dir: Path) -> None:
    """Flush the spool if entries may be waiting and the last look is long enough ago."""
    now = time.monotonic()
    if not _state["pending"] or now < _state["next_flush"]:
        return
    _state["next_flush"] = now + FLUSH_SECONDS
    try:
        _state["pending"] = flush_spool(instance_dir) > 0
    except (peewee.DatabaseError, OSError):
        _state["pending"] = True  # still locked: the next look tries again


def flush_spool(instance_dir: Path) -> int:
    """Move every spooled entry into the audit table; returns how many are left waiting.

    Each file is emptied under its lock only after its entries committed; a file another
    process is writing to right now is left for the next look.
    """
    directory = spool_dir(instance_dir)
    if not directory.is_dir():
        return 0
    waiting = 0
    for path in sorted(directory.glob("audit-*.jsonl")):
        with open(path, "r+", encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                waiting += 1
                continue
            try:
                lines = [line for line in handle.read().splitlines() if line.strip()]
                if lines:
                    _insert(lines)
                    handle.seek(0)
                    handle.truncate()
                    os.fsync(handle.fileno())
                elif not _alive(path):
                    path.unlink(missing_ok=True)
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    return waiting


def _insert(lines: list[str]) -> None:
    with short_write():
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a line cut short by a crash mid-write: nothing complete to keep
            entry["at"] = dt.datetime.fromisoformat(entry["at"])
            insert_row(AuditEntry, **entry)


def _alive(path: Path) -> bool:
    """Whether the process that owns this spool file (this machine) still runs."""
    host_pid = path.stem.removeprefix("audit-")
    host, _, pid = host_pid.rpartition("-")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's file on a shared disk: not ours to remove
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
