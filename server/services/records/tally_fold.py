"""Folding the tallies' deltas (issue 21): what keeps a figure a sum of few rows.

The triggers of migration m0017 append a delta (+1/-1 per key) for every change. A read
that met more than ``SLACK`` deltas folds them (:func:`fold`): the workflow's deltas and the
folded rows of the same keys become one folded row per key, and – for the tallies with an
organisation – the deltas also go into the total rows over every organisation
(``ALL_ORGANISATIONS``, migration m0021). A fold reads what it folds, by index: at a
million cases it is as quick as at a thousand (rewriting a workflow's whole tally took
seconds there, holding SQLite's write lock).

So every delta is either still a delta – counted as it is by every read – or in its key's
folded row *and* in its total row: a figure over every organisation sums the total rows and
the deltas, a figure by organisation every row but the totals.

The periodic job "tally-months" folds the period tally's days of months that have ended
into their months (:func:`fold_months`, :mod:`.period_rollup`) the same way. :func:`compact`
rewrites a workflow's whole tally, the totals counted anew from the organisations' rows:
the repair, and the baseline of ``bench/bench_tally_fold.py``.

Concurrent saves: on PostgreSQL one statement deletes the rows it folds and inserts their
sums (data-modifying ``WITH``): a delta committed meanwhile stays a delta, nothing is lost or
counted twice; an advisory lock keeps two folds of a tally from doing the work twice. On
SQLite the write lock makes the fold the only writer.
"""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

import peewee

from ...models import RecordPeriodTally, database, is_sqlite
from ...models.base import short_write
from ...models.migrations.m0017_tallies import PAIR_KEY, PERIOD_KEY, RECORD_KEY, VALUE_KEY
from ...models.migrations.m0021_tally_totals import total_key
from ...models.tallies import ALL_ORGANISATIONS
from . import period_rollup

KEYS = {"record_tally": RECORD_KEY, "record_period_tally": PERIOD_KEY, "value_tally": VALUE_KEY}
KEYS["pair_tally"] = PAIR_KEY
WITH_TOTALS = ("record_tally", "record_period_tally", "value_tally")


def bucket_value(moment: dt.datetime) -> Any:
    """A naive UTC moment as the period tally's ``bucket`` compares with it (SQLite keeps
    buckets as text and compares them as text)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S") if is_sqlite() else moment


def _groups(table: str) -> str:
    return ", ".join(str(i + 1) for i in range(len(KEYS[table].split(", "))))


def _same_key(table: str) -> str:
    return " AND ".join(f"t.{column} = k.{column}" for column in KEYS[table].split(", "))


def _lock(table: str, workflow: str) -> bool:
    """PostgreSQL: whether this transaction holds the tally's fold lock (else another has)."""
    lock = zlib.crc32(f"{table}:{workflow}".encode())
    got = database.execute_sql("SELECT pg_try_advisory_xact_lock(%s)", [lock])
    return bool(got.fetchone()[0])


class _Merge:
    """One fold of the rows ``fresh`` (a condition on a workflow's rows) into the folded
    rows of their keys: each fresh row's key – its bucket moved by ``bucket`` (SQL, with
    ``params``), if given – and, for a delta, the key's total row. Written as the CTEs
    ``fresh``, ``keys`` (every key written) and ``old`` (the folded rows of those keys)."""

    def __init__(self, table: str, fresh: str, bucket: str = "", params: tuple = ()):
        self.table, self.fresh = table, fresh
        self.key = KEYS[table]
        self.moved = self.key.replace("bucket", bucket) if bucket else self.key
        self.params = list(params)
        self.total = ""
        if table in WITH_TOTALS:
            total = total_key(table)
            self.total = total.replace("bucket", bucket) if bucket else total

    def named(self, columns: str) -> str:
        """``columns`` (the key's expressions) named as the key's columns."""
        pairs = zip(columns.split(", "), self.key.split(", "), strict=True)
        return ", ".join(f"{expression} AS {name}" for expression, name in pairs)

    def _from_fresh(self, head: str, tail: str, union: str) -> tuple[str, list]:
        """Each fresh row under its (moved) key, and each delta under its total key."""
        sql = f"SELECT {head}{self.named(self.moved)}{tail} FROM fresh"
        params = list(self.params)
        if self.total:
            sql += f" {union} SELECT {self.total}{tail} FROM fresh WHERE folded = FALSE"
            params += self.params
        return sql, params

    def keys(self) -> tuple[str, list]:
        """Every key the fold writes (the CTE ``keys``)."""
        return self._from_fresh("DISTINCT ", "", "UNION")

    def rows(self) -> tuple[str, list]:
        """Every row the fold sums: the fresh ones under their keys, and the old."""
        sql, params = self._from_fresh("", ", n", "UNION ALL")
        return sql + f" UNION ALL SELECT {self.key}, n FROM old", params

    def insert(self, source: str) -> str:
        groups = ", ".join(str(i + 1) for i in range(len(self.key.split(", "))))
        # the WITH first: PostgreSQL takes data-modifying CTEs only at the top
        return (
            f"{source}INSERT INTO {self.table} ({self.key}, n, folded) SELECT {self.key}, "
            f"SUM(n), TRUE FROM ({self.rows()[0]}) AS u GROUP BY {groups} HAVING SUM(n) <> 0"
        )


def _merged(merge: _Merge, workflow: str, where_params: list) -> bool:
    """Run ``merge`` for ``workflow`` (``where_params``: the fresh condition's)."""
    table, key = merge.table, merge.key
    columns = ", ".join(f"t.{column}" for column in key.split(", "))
    keys, key_params = merge.keys()
    rows_params = merge.rows()[1]
    if not is_sqlite():
        if not _lock(table, workflow):
            return False
        ctes = (
            f"WITH fresh AS (DELETE FROM {table} WHERE workflow = %s AND {merge.fresh} "
            f"RETURNING {key}, n, folded), keys AS ({keys}), "
            f"old AS (DELETE FROM {table} AS t USING keys AS k WHERE t.folded "
            f"AND {_same_key(table)} RETURNING {columns}, t.n) "
        )
        database.execute_sql(
            merge.insert(ctes), [workflow, *where_params, *key_params, *rows_params]
        )
        return True
    # SQLite: the write lock is held, nothing changes between the statements
    last = database.execute_sql(f"SELECT MAX(id) FROM {table}").fetchone()[0]
    if last is None:
        return True
    fresh = f"SELECT {key}, n, folded FROM {table} WHERE workflow = ? AND {merge.fresh} AND id <= ?"
    # unary plus: no index on those two terms, so that a key is found by the key's index –
    # with (workflow, folded, …) SQLite read every folded row of a dimension per key
    old = (
        f"SELECT t.id, {columns}, t.n FROM keys AS k JOIN {table} AS t ON {_same_key(table)} "
        "WHERE +t.folded = TRUE AND +t.id <= ?"
    )
    ctes = f"WITH fresh AS ({fresh}), keys AS ({keys}), old AS ({old}) "
    params = [workflow, *where_params, last, *key_params, last]
    database.execute_sql(merge.insert(ctes), [*params, *rows_params])
    database.execute_sql(f"{ctes}DELETE FROM {table} WHERE id IN (SELECT id FROM old)", params)
    database.execute_sql(
        f"DELETE FROM {table} WHERE workflow = ? AND {merge.fresh} AND id <= ?",
        [workflow, *where_params, last],
    )
    return True


def fold(table: str, workflow: str) -> bool:
    """Fold ``workflow``'s deltas in ``table`` into their keys' rows (and total rows);
    returns False when it gave way to another writer (tried again by a later read)."""
    try:
        with short_write():
            return _merged(_Merge(table, "folded = FALSE"), workflow, [])
    except peewee.OperationalError:
        return False


def fold_months(workflow: str) -> bool:
    """Fold the period tally's days of months that have ended into their months' rows
    (:mod:`.period_rollup`): only those days – a month is folded once, late deltas of old
    cases after it – so the periodic job does not rewrite a year of rows each time (at a
    million cases 3–5 s, on SQLite under the write lock)."""
    table = "record_period_tally"
    sqlite = is_sqlite()
    try:
        with short_write():
            bucket, params = _month_buckets(workflow)
            # a day's bucket has no seconds; a month's row has one (period_rollup)
            day = "substr(bucket, 18, 2) = '00'" if sqlite else "extract(second FROM bucket) = 0"
            mark = "?" if sqlite else "%s"
            merge = _Merge(table, f"bucket < {mark} AND {day}", bucket, tuple(params))
            return _merged(merge, workflow, [bucket_value(period_rollup.horizon())])
    except peewee.OperationalError:
        return False


def _month_buckets(workflow: str) -> tuple[str, list]:
    """The period tally's bucket as a compaction groups it, with its parameters: the old
    days become their months (:mod:`.period_rollup`)."""
    table = "record_period_tally"
    mark = "?" if is_sqlite() else "%s"
    until = period_rollup.horizon()
    month = "substr(bucket, 1, 7)" if is_sqlite() else "to_char(bucket, 'YYYY-MM')"
    present = database.execute_sql(
        f"SELECT DISTINCT {month} FROM {table} WHERE workflow = {mark} AND bucket < {mark}",
        [workflow, bucket_value(until)],
    )
    months = period_rollup.months_to_fold([m for (m,) in present if m], until)
    bucket, params = period_rollup.folded_bucket_sql(months, "bucket", mark)
    return bucket, [bucket_value(p) for p in params]


def _compacted(table: str, workflow: str) -> tuple[list[str], list]:
    """The key columns a compaction writes – the organisations' rows, then the total rows
    – and the parameters of each."""
    keys = [KEYS[table]] + ([total_key(table)] if table in WITH_TOTALS else [])
    if table != "record_period_tally":
        return keys, []
    bucket, params = _month_buckets(workflow)
    return [k.replace("bucket", bucket) for k in keys], params


def compact(table: str, workflow: str) -> bool:
    """Rewrite ``workflow``'s rows in ``table`` as one row per key (keys summing to 0 go;
    the period tally's old days into months), the total rows counted anew from the
    organisations' rows; returns False when it gave way to another writer."""
    key = KEYS[table]
    sqlite = is_sqlite()
    mine = f"organisation_id <> {ALL_ORGANISATIONS}" if table in WITH_TOTALS else "TRUE"
    try:
        with short_write():
            if not sqlite and not _lock(table, workflow):
                return False
            written, params = _compacted(table, workflow)
            if not sqlite:
                selects = " UNION ALL ".join(
                    f"SELECT {columns}, SUM(n), TRUE FROM gone WHERE {mine} "
                    f"GROUP BY {_groups(table)} HAVING SUM(n) <> 0"
                    for columns in written
                )
                database.execute_sql(
                    f"WITH gone AS (DELETE FROM {table} WHERE workflow = %s RETURNING {key}, n) "
                    f"INSERT INTO {table} ({key}, n, folded) {selects}",
                    [workflow, *params * len(written)],
                )
                return True
            top = database.execute_sql(
                f"SELECT MAX(id) FROM {table} WHERE workflow = ?", [workflow]
            ).fetchone()[0]
            if top is None:
                return True
            for columns in written:
                database.execute_sql(
                    f"INSERT INTO {table} ({key}, n, folded) SELECT {columns}, SUM(n), TRUE "
                    f"FROM {table} WHERE workflow = ? AND id <= ? AND {mine} "
                    f"GROUP BY {_groups(table)} HAVING SUM(n) <> 0",
                    [*params, workflow, top],
                )
            database.execute_sql(
                f"DELETE FROM {table} WHERE workflow = ? AND id <= ?", [workflow, top]
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
    return sum(fold_months(workflow) for workflow in workflows)
