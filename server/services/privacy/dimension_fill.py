"""Filling a newly declared statistics dimension for the records that existed, in batches.

Publishing a configuration only declares a new dimension (``record_dimension.fill_after =
0``); from that moment the triggers write its values for every record saved. The records
that existed before get theirs here: in batches of at most ``size`` records by ascending
id, each batch in its own short transaction, the dimension's ``fill_after`` moved to the
batch's last id as part of it. A batch that finds no record left marks the dimension filled
(``fill_after = NULL``). A batch is idempotent (it deletes and rewrites the values of its
records), so a batch run twice, or a job killed and started again, changes nothing.

The race with saves: a batch must not read a record's JSON while another transaction
changes it, or it could store the old value after the trigger stored the new one.

- SQLite: every write transaction holds the database's one write lock (BEGIN IMMEDIATE), so
  a batch and a save are one after the other; the batch reads what the save committed.
- PostgreSQL: the batch first locks its records ``FOR SHARE``: it waits for a save in
  progress on one of them to commit (then reads its new JSON), and a save that comes later
  waits until the batch committed (then its trigger rewrites the values). The batch's
  values are restricted to the records it locked, so a record inserted meanwhile (whose
  trigger wrote its values) is never touched. The batch waits at most ``LOCK_WAIT_MS`` for
  a lock and is then tried again, so in a deadlock with a transaction that writes several
  records it is the batch that gives way, never the save.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

import peewee

from ...models import RecordDimension, RecordValue, database, is_sqlite
from .record_values import StillFilling, fill_values, unfilled

log = logging.getLogger(__name__)

BATCH = 200  # records per batch (``[queue] dimension_fill_batch``): ~0.5 s on SQLite (KIM)
SMALL = 1000  # a count fills in place what is left when it is at most this many records
LOCK_WAIT_MS = 500
ATTEMPTS = 5


def _pending(workflow: str) -> list:
    return list(
        RecordDimension.select(RecordDimension.dimension, RecordDimension.fill_after)
        .where((RecordDimension.workflow == workflow) & RecordDimension.fill_after.is_null(False))
        .namedtuples()
    )


def _next_ids(workflow: str, after: int, size: int) -> list[int]:
    lock = "" if is_sqlite() else " FOR SHARE"
    mark = "?" if is_sqlite() else "%s"
    sql = (
        f"SELECT id FROM record WHERE workflow = {mark} AND id > {mark} "
        f"ORDER BY id LIMIT {int(size)}{lock}"
    )
    return [row[0] for row in database.execute_sql(sql, [workflow, after])]


def fill_batch(workflow: str, size: int = BATCH) -> int:
    """Fill the next batch of ``workflow``'s not yet filled dimensions; returns how many
    records it did (0: nothing left, the dimensions are now marked filled)."""
    with database.atomic():
        if not is_sqlite():
            database.execute_sql(f"SET LOCAL lock_timeout = {LOCK_WAIT_MS}")
        pending = _pending(workflow)
        if not pending:
            return 0
        keys = [d.dimension for d in pending]
        after = min(d.fill_after for d in pending)
        ids = _next_ids(workflow, after, size)
        of_workflow = (RecordDimension.workflow == workflow) & RecordDimension.dimension.in_(keys)
        if not ids:
            RecordDimension.update(fill_after=None).where(of_workflow).execute()
            return 0
        upper = ids[-1]
        # SQLite: one writer at a time, so the id range holds exactly the records read;
        # PostgreSQL: only the records locked (see the module's doc)
        sqlite = is_sqlite()
        records = RecordValue.record_id.between(after + 1, upper) if sqlite else None
        RecordValue.delete().where(
            (RecordValue.workflow == workflow)
            & RecordValue.dimension.in_(keys)
            & (records if sqlite else RecordValue.record_id.in_(ids))
        ).execute()
        where = f"d.workflow = ? AND d.dimension IN ({', '.join('?' for _ in keys)})"
        if sqlite:
            fill_values(where, [workflow, *keys], "r.id > ? AND r.id <= ?", [after, upper])
        else:
            fill_values(where, [workflow, *keys], "r.id = ANY(?)", [ids])
        RecordDimension.update(fill_after=upper).where(
            of_workflow & (RecordDimension.fill_after < upper)
        ).execute()
        return len(ids)


def _batch_with_retry(workflow: str, size: int) -> int:
    for attempt in range(ATTEMPTS):
        try:
            return fill_batch(workflow, size)
        except peewee.OperationalError:  # a lock not had in time (PostgreSQL): later again
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    return 0


def fill_workflow(workflow: str, size: int = BATCH, seconds: float | None = None) -> bool:
    """Fill ``workflow``'s pending dimensions batch by batch, for at most about
    ``seconds`` (None: to the end); returns whether they are all filled now."""
    started = time.monotonic()
    done = 0
    while True:
        count = _batch_with_retry(workflow, size)
        done += count
        if count == 0:
            log.info("statistics dimensions of %s filled (%d records)", workflow, done)
            return True
        if seconds is not None and time.monotonic() - started >= seconds:
            return False


def fill_if_small(workflow: str, limit: int = SMALL) -> bool:
    """Fill ``workflow``'s pending dimensions here and now when at most ``limit`` records
    are left to do (each batch its own transaction); returns whether it did."""
    pending = _pending(workflow)
    if not pending:
        return True
    after = min(d.fill_after for d in pending)
    mark = "?" if is_sqlite() else "%s"
    left = database.execute_sql(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM record WHERE workflow = {mark} AND id > {mark} "
        f"LIMIT {int(limit) + 1}) AS t",
        [workflow, after],
    ).fetchone()[0]
    if left > limit:
        return False
    return fill_workflow(workflow, limit + 1)


def require_filled(workflow: str, keys: Iterable[str]) -> None:
    """:func:`ensure_dimensions`, raising :class:`.record_values.StillFilling` for keys still
    being filled: every count over ``record_value`` asks this first, so no partial figure
    is ever handed out."""
    pending = ensure_dimensions(workflow, keys)
    if pending:
        raise StillFilling(workflow, pending)


def ensure_dimensions(workflow: str, keys: Iterable[str]) -> list[str]:
    """Make ``keys`` of ``workflow`` counted from ``record_value`` where possible: declare
    the missing ones, fill them right here when what is left to fill is at most one batch
    (a small installation, a test); returns the keys still not filled (the background job,
    :mod:`.dimension_fill`, fills them)."""
    pending = unfilled(workflow, keys)
    if pending and fill_if_small(workflow, SMALL):
        pending = unfilled(workflow, pending)
    return pending
