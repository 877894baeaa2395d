"""Every run of a periodic job is recorded (model :class:`~server.models.PeriodicRun`).

A periodic job that cannot finish must be seen, not only logged: :func:`run_periodic` wraps
each job function, writes a row when it starts and its status, counts and kind of error when
it ends, and re-raises a failure so RQ retries the job (``RETRY`` in periodic.py). The admin
jobs screen and ``GET /metrics`` read these rows.

A job that did part of its work raises :class:`PeriodicIncomplete` with what it did: the run
is ``incomplete``, and being idempotent, the retry does the rest.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import time
from typing import Any

import peewee

from ..models import PeriodicRun, database, utcnow
from ..runtime import current_runtime
from ..services.errors import PeriodicIncomplete

log = logging.getLogger(__name__)

KEEP = dt.timedelta(days=30)  # runs older than this are removed when a run of the job ends
# messages of the database that name no data and tell an administrator what happened
SAFE_MESSAGES = (
    "database is locked",
    "deadlock detected",
    "could not serialize access",
    "canceling statement due to lock timeout",
    "canceling statement due to statement timeout",
)


def error_kind(exc: BaseException | None) -> str:
    """The class of an exception, plus its message only when it is one of SAFE_MESSAGES."""
    if exc is None:
        return ""
    kind = type(exc).__name__
    text = str(exc).lower()
    for message in SAFE_MESSAGES:
        if message in text:
            return f"{kind}: {message}"
    return kind


def _counts(result: Any, item: str) -> dict[str, int]:
    """Only numbers are kept: a job's result could hold anything."""
    if isinstance(result, bool):
        return {}
    if isinstance(result, int):
        return {item: result}
    if isinstance(result, dict):
        return {
            str(k)[:40]: v
            for k, v in result.items()
            if isinstance(v, int) and not isinstance(v, bool)
        }
    return {}


RECORD_TRIES = 20  # a run's end is written even after a lock of a few minutes
RECORD_PAUSE = 0.5  # seconds between tries (each try also waits for the lock itself)


def _start(name: str) -> int | None:
    """The run's row; None when the database refuses it now (the end writes it then)."""
    try:
        with database.connection_context():
            return PeriodicRun.create(job=name[:64], status="running").id
    except peewee.OperationalError as exc:
        log.warning("periodic run of %s not recorded at its start: %s", name, error_kind(exc))
        return None


def _finish(
    run_id: int | None,
    name: str,
    started: dt.datetime,
    status: str,
    counts: dict[str, int],
    error: str = "",
) -> None:
    """Write how the run ended; tried again while the database is locked, since a run that
    failed because of a lock must still become visible once the lock is gone."""
    values = {
        "ended_at": utcnow(),
        "status": status,
        "counts": counts,
        "items": sum(counts.values()),
        "error": error[:120],
    }
    for attempt in range(RECORD_TRIES):
        try:
            with database.connection_context():
                if run_id is None:
                    run_id = PeriodicRun.create(job=name[:64], started_at=started, **values).id
                else:
                    PeriodicRun.update(**values).where(PeriodicRun.id == run_id).execute()
                PeriodicRun.delete().where(
                    (PeriodicRun.job == name) & (PeriodicRun.started_at < values["ended_at"] - KEEP)
                ).execute()
            return
        except peewee.OperationalError:
            if attempt + 1 < RECORD_TRIES:
                time.sleep(RECORD_PAUSE)
    # the row stays "running" (shown as broken off, see overview.py) or is missing
    log.error("periodic run of %s not recorded as %s", name, status)


def _function(path: str):
    module, _, attribute = path.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def run_periodic(name: str, function: str, item: str = "items") -> dict[str, int]:
    """RQ job: run the periodic job ``name`` (``function``, no arguments) and record the run."""
    current_runtime()  # the worker's settings and database
    job = _function(function)
    started = utcnow()
    run_id = _start(name)
    try:
        result = job()
    except PeriodicIncomplete as exc:
        status = "incomplete" if sum(exc.counts.values()) else "failed"
        log.warning("periodic job %s %s: %s", name, status, error_kind(exc.cause or exc))
        counts = _counts(exc.counts, item)
        _finish(run_id, name, started, status, counts, error_kind(exc.cause or exc))
        raise
    except Exception as exc:
        log.warning("periodic job %s failed: %s", name, error_kind(exc))
        _finish(run_id, name, started, "failed", {}, error_kind(exc))
        raise
    counts = _counts(result, item)
    _finish(run_id, name, started, "ok", counts)
    return counts
