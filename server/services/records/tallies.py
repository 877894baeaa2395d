"""Counting from the tallies (issue 21): record and value counts that do not grow with the
records, read from the counters the triggers of migration m0017 keep.

The triggers append deltas (+1/-1 per key) in the statement that changes a record or a
``record_value`` row, so every write path – services, imports, anonymisation, deletion,
the background fill of a new dimension – keeps them exactly right, in its transaction.
A figure is ``SUM(n)`` per key. So that the sum reads at most about two rows per key, a
read that met more deltas (``folded`` false) than folded rows folds the workflow's rows
into one per key (:func:`compact`), in a short transaction of its own.

Compaction and concurrent saves: on PostgreSQL one statement deletes the workflow's rows
and inserts their sums (``WITH gone AS (DELETE … RETURNING …) INSERT …``): it sums exactly
the rows it deleted, so a delta committed meanwhile stays as it is, nothing is lost or
counted twice; an advisory lock keeps two compactions of a table from doing the work twice.
On SQLite the write lock makes the transaction the only writer; the rows up to the highest
id it saw are summed and deleted.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import peewee

from ...models import (
    PairTally,
    RecordPeriodTally,
    RecordTally,
    TallyPair,
    User,
    ValueTally,
    database,
    is_sqlite,
)
from ...models.base import short_write, transaction
from ...models.derived import derived_data
from ...models.migrations.m0017_tallies import (
    PAIR_KEY,
    PERIOD_KEY,
    RECORD_KEY,
    VALUE_KEY,
    fill_sql,
    pair_fill_sql,
    sqlite_triggers,
)
from ...schema.definitions import Definitions
from . import period_rollup
from .access import scope_in

KEYS = {"record_tally": RECORD_KEY, "record_period_tally": PERIOD_KEY, "value_tally": VALUE_KEY}
KEYS["pair_tally"] = PAIR_KEY
MODELS = {"record_tally": RecordTally, "record_period_tally": RecordPeriodTally}
MODELS |= {"value_tally": ValueTally, "pair_tally": PairTally}
SLACK = 500  # deltas a read tolerates before it folds them (more if more rows are folded)


def _folded_key(table: str, workflow: str) -> tuple[str, list]:
    """The key columns a compaction groups by, with their parameters: the period tally's
    old days become their months (:mod:`.period_rollup`)."""
    key = KEYS[table]
    if table != "record_period_tally":
        return key, []
    sqlite = is_sqlite()
    mark = "?" if sqlite else "%s"
    until = period_rollup.horizon()
    month = "substr(bucket, 1, 7)" if sqlite else "to_char(bucket, 'YYYY-MM')"
    present = database.execute_sql(
        f"SELECT DISTINCT {month} FROM {table} WHERE workflow = {mark} AND bucket < {mark}",
        [workflow, bucket_value(until)],
    )
    months = period_rollup.months_to_fold([m for (m,) in present if m], until)
    bucket, params = period_rollup.folded_bucket_sql(months, "bucket", mark)
    return key.replace("bucket", bucket), [bucket_value(p) for p in params]


def bucket_value(moment: dt.datetime) -> Any:
    """A naive UTC moment as the period tally's ``bucket`` compares with it (SQLite keeps
    buckets as text and compares them as text)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S") if is_sqlite() else moment


def compact(table: str, workflow: str) -> bool:
    """Fold ``workflow``'s deltas in ``table`` into one row per key (keys summing to 0 go;
    the period tally's old days into months); returns False when it gave way to another
    writer (tried again by a later read)."""
    key = KEYS[table]
    groups = ", ".join(str(i + 1) for i in range(len(key.split(", "))))
    try:
        with short_write():
            folded, params = _folded_key(table, workflow)
            if is_sqlite():
                top = database.execute_sql(
                    f"SELECT MAX(id) FROM {table} WHERE workflow = ?", [workflow]
                ).fetchone()[0]
                if top is None:
                    return True
                database.execute_sql(
                    f"INSERT INTO {table} ({key}, n, folded) SELECT {folded}, SUM(n), TRUE "
                    f"FROM {table} WHERE workflow = ? AND id <= ? GROUP BY {groups} "
                    "HAVING SUM(n) <> 0",
                    [*params, workflow, top],
                )
                database.execute_sql(
                    f"DELETE FROM {table} WHERE workflow = ? AND id <= ?", [workflow, top]
                )
                return True
            lock = zlib.crc32(f"{table}:{workflow}".encode())
            got = database.execute_sql("SELECT pg_try_advisory_xact_lock(%s)", [lock])
            if not got.fetchone()[0]:
                return False
            database.execute_sql(
                f"WITH gone AS (DELETE FROM {table} WHERE workflow = %s RETURNING {key}, n) "
                f"INSERT INTO {table} ({key}, n, folded) SELECT {folded}, SUM(n), TRUE "
                f"FROM gone GROUP BY {groups} HAVING SUM(n) <> 0",
                [workflow, *params],
            )
            return True
    except peewee.OperationalError:
        return False


def fold_period_months() -> int:
    """Compact the period tally of every workflow, folding its old days into months
    (:mod:`.period_rollup`; the periodic job "tally-months"); returns how many workflows
    were compacted (one that gave way to a writer is left for the next run)."""
    workflows = [
        w for (w,) in RecordPeriodTally.select(RecordPeriodTally.workflow).distinct().tuples()
    ]
    return sum(compact("record_period_tally", workflow) for workflow in workflows)


def summed(table: str, query: peewee.ModelSelect, fields: Sequence[peewee.Field], workflows):
    """``{key: sum}`` of ``query`` (a select on the tally ``table``) grouped by ``fields``
    (one field: plain keys); keys summing to 0 are left out. Compacts ``workflows`` when
    the read met many more rows than keys."""
    model = MODELS[table]
    unfolded = peewee.fn.SUM(peewee.Case(None, [(model.folded, 0)], 1))
    grouped = query.select(*fields, peewee.fn.SUM(model.n), peewee.fn.COUNT(model.id), unfolded)
    counts: Counter = Counter()
    rows = deltas = 0
    for *key, n, seen, fresh in grouped.group_by(*fields).order_by().tuples():
        rows += seen
        deltas += int(fresh or 0)
        if n:
            counts[key[0] if len(key) == 1 else tuple(key)] += int(n)
    # deltas not yet folded: more than the folded rows (and a slack), the read folds them
    if deltas > max(SLACK, rows - deltas) and not database.in_transaction():
        for workflow in workflows:
            compact(table, workflow)
    return counts


def readable_conditions(defs: Definitions, user: User, workflow_ids: Iterable[str]) -> list:
    """The conditions on ``record_tally`` that keep what ``user`` may read of
    ``workflow_ids`` – the rule of :func:`.access.readable_records` – one per kind of
    scope (every organisation, her organisation, her own records; none: nothing), each
    answered from one index. Joined by OR, SQLite scanned the whole tally: its statistics
    see a workflow as a tenth of the rows, not the 99 % the cases are."""
    by_scope: dict[str, list[str]] = {"all": [], "organisation": [], "own": []}
    for workflow_id in workflow_ids:
        workflow = defs.workflows.get(workflow_id)
        scope = scope_in(defs, user, workflow) if workflow is not None else "none"
        if scope == "organisation" and user.organisation_id is None:
            continue
        if scope in by_scope:
            by_scope[scope].append(workflow_id)
    conditions = []
    for scope, ids in by_scope.items():
        if not ids:
            continue
        if len(ids) == 1:
            condition = RecordTally.workflow == ids[0]
        else:
            condition = RecordTally.workflow.in_(ids)
        if scope == "organisation":
            condition &= RecordTally.organisation_id == user.organisation_id
        elif scope == "own":
            condition &= RecordTally.owner_id == user.id
        conditions.append(condition)
    return conditions


def record_counts(
    defs: Definitions,
    user: User,
    workflow_ids: Sequence[str],
    fields: Sequence[str],
    *,
    states: Sequence[str] | None = None,
    mine: bool = False,
) -> Counter:
    """How many records ``user`` may read in ``workflow_ids`` by ``fields`` (``workflow``,
    ``state``, ``owner``; owner 0 becomes None), only ``states`` if given, only their own
    with ``mine``. The same figures as a ``GROUP BY`` over the readable records."""
    columns = {"workflow": RecordTally.workflow, "state": RecordTally.state}
    columns["owner"] = RecordTally.owner_id
    counts: Counter = Counter()
    for condition in readable_conditions(defs, user, workflow_ids):
        query = RecordTally.select().where(condition)
        if mine:
            query = query.where(RecordTally.owner_id == user.id)
        if states is not None:
            query = query.where(RecordTally.state.in_(list(states)))
        counts.update(summed("record_tally", query, [columns[f] for f in fields], workflow_ids))
    if "owner" not in fields:
        return counts
    at = list(fields).index("owner")

    def owner(key):
        parts = list(key) if isinstance(key, tuple) else [key]
        parts[at] = parts[at] or None
        return tuple(parts) if isinstance(key, tuple) else parts[0]

    out: Counter = Counter()
    for key, n in counts.items():
        out[owner(key)] += n
    return out


def declare_pair(workflow: str, first: str, second: str) -> None:
    """Count the pair of dimensions ``first`` < ``second`` (both filled in ``record_value``)
    in ``pair_tally`` from now on: declared and counted from ``record_value`` in one
    transaction, once. So that no value is written between the count and the declaration
    (its trigger would not see the pair, the count would not see the value), the count
    holds the write lock: SQLite's one (``BEGIN IMMEDIATE``), on PostgreSQL a ``SHARE``
    lock on ``record_value`` (saves wait for it; a million records: seconds, once)."""
    with transaction():
        if not is_sqlite():
            database.execute_sql("LOCK TABLE record_value IN SHARE MODE")
        added = (
            TallyPair.insert(workflow=workflow, dimension=first, other=second)
            .on_conflict_ignore()
            .execute()
        )
        if not added:
            return
        mark = "?" if is_sqlite() else "%s"
        where = f"p.workflow = {mark} AND p.dimension = {mark} AND p.other = {mark}"
        database.execute_sql(pair_fill_sql().format(where=where), [workflow, first, second])


def forget_pairs(workflow: str, dimensions: Sequence[str]) -> None:
    """A dimension no longer kept: its pairs are no longer counted (declared again, and
    counted anew, when asked for once it is filled again)."""
    for model in (TallyPair, PairTally):
        model.delete().where(
            (model.workflow == workflow)
            & (model.dimension.in_(list(dimensions)) | model.other.in_(list(dimensions)))
        ).execute()


_PG_VALUE_TRIGGERS = [f"value_tally_append_{op}" for op in ("insert", "delete", "update")]
_PG_VALUE_TRIGGERS += ["pair_tally_append_insert", "pair_tally_append_delete"]


@contextmanager
def values_rewritten() -> Iterator[None]:
    """Around a rewrite of all of ``record_value`` (the rebuild of derived data): its tally
    triggers are off meanwhile (a million records: millions of deltas otherwise), and
    ``value_tally`` and ``pair_tally`` are counted anew afterwards. Inside the caller's
    transaction: the triggers are back, or everything is rolled back."""
    sqlite = is_sqlite()
    if sqlite:
        kept = [t for t in sqlite_triggers() if " ON record_value " in t]
        for statement in kept:
            database.execute_sql(f"DROP TRIGGER {statement.split()[2]}")
    else:
        for name in _PG_VALUE_TRIGGERS:
            database.execute_sql(f"ALTER TABLE record_value DISABLE TRIGGER {name}")
    yield
    if sqlite:
        for statement in kept:
            database.execute_sql(statement)
    else:
        for name in _PG_VALUE_TRIGGERS:
            database.execute_sql(f"ALTER TABLE record_value ENABLE TRIGGER {name}")
    for table in ("value_tally", "pair_tally"):
        database.execute_sql(f"DELETE FROM {table}")
    database.execute_sql(fill_sql(sqlite)[2])
    database.execute_sql(pair_fill_sql().format(where="1 = 1"))


@derived_data("tallies")
def rebuild_tallies() -> None:
    """Recount every tally from ``record`` and ``record_value`` (one grouped statement each)."""
    for table in KEYS:
        database.execute_sql(f"DELETE FROM {table}")
    for statement in fill_sql(is_sqlite()):
        database.execute_sql(statement)
    database.execute_sql(pair_fill_sql().format(where="1 = 1"))
