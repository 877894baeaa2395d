"""Counting from the tallies (issue 21): record and value counts that do not grow with the
records, read from the counters the triggers of migration m0017 keep.

The triggers append deltas (+1/-1 per key) in the statement that changes a record or a
``record_value`` row, so every write path – services, imports, anonymisation, deletion,
the background fill of a new dimension – keeps them exactly right, in its transaction.
A figure is ``SUM(n)`` per key: over every organisation the total rows and the deltas not
yet folded, by organisation every other row (:mod:`.tally_fold`). A read that met more
than ``SLACK`` deltas folds them, in a short transaction of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

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
from ...models.base import transaction
from ...models.derived import derived_data
from ...models.migrations.m0017_tallies import fill_sql, pair_fill_sql, sqlite_triggers
from ...models.migrations.m0021_tally_totals import totals_fill_sql
from ...models.tallies import ALL_ORGANISATIONS
from ...schema.definitions import Definitions
from .access import scope_in
from .tally_fold import KEYS, WITH_TOTALS, fold

MODELS = {"record_tally": RecordTally, "record_period_tally": RecordPeriodTally}
MODELS |= {"value_tally": ValueTally, "pair_tally": PairTally}
SLACK = 500  # deltas a read tolerates before it folds them


def _parts(table: str, query: peewee.ModelSelect, every_organisation: bool) -> list:
    """The selects a figure sums: over every organisation the total rows and the deltas,
    otherwise every row but the totals (a tally without organisations: the query)."""
    model = MODELS[table]
    if table not in WITH_TOTALS:
        return [query]
    if every_organisation:
        return [
            query.where(model.organisation_id == ALL_ORGANISATIONS),
            query.where(model.folded == False),  # noqa: E712 – SQL, not Python
        ]
    return [query.where(model.organisation_id != ALL_ORGANISATIONS)]


def summed(
    table: str,
    query: peewee.ModelSelect,
    fields: Sequence[peewee.Field],
    workflows,
    *,
    every_organisation: bool = False,
) -> Counter:
    """``{key: sum}`` of ``query`` (a select on the tally ``table``) grouped by ``fields``
    (one field: plain keys); keys summing to 0 are left out. ``every_organisation``: the
    figure neither groups nor narrows by organisation or owner, and is read from the
    total rows. Folds ``workflows`` when the read met more than ``SLACK`` deltas."""
    model = MODELS[table]
    unfolded = peewee.fn.SUM(peewee.Case(None, [(model.folded, 0)], 1))
    counts: Counter = Counter()
    deltas = 0
    # the parts in one statement (UNION ALL), each grouped on its own index
    grouped = None
    for part in _parts(table, query, every_organisation):
        select = part.select(*fields, peewee.fn.SUM(model.n), unfolded).group_by(*fields)
        select = select.order_by()
        grouped = select if grouped is None else grouped.union_all(select)
    for *key, n, fresh in grouped.tuples():
        deltas += int(fresh or 0)
        if n:
            counts[key[0] if len(key) == 1 else tuple(key)] += int(n)
    if deltas > SLACK and not database.in_transaction():
        for workflow in workflows:
            fold(table, workflow)
    return Counter({key: n for key, n in counts.items() if n})


def readable_conditions(defs: Definitions, user: User, workflow_ids: Iterable[str]) -> list:
    """``(scope, condition)``: the conditions on ``record_tally`` that keep what ``user``
    may read of ``workflow_ids`` – the rule of :func:`.access.readable_records` – one per
    kind of scope ("all" organisations, her "organisation", her "own" records; none:
    nothing), each answered from one index. Joined by OR, SQLite scanned the whole tally:
    its statistics see a workflow as a tenth of the rows, not the 99 % the cases are."""
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
        conditions.append((scope, condition))
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
    for scope, condition in readable_conditions(defs, user, workflow_ids):
        query = RecordTally.select().where(condition)
        if mine:
            query = query.where(RecordTally.owner_id == user.id)
        if states is not None:
            query = query.where(RecordTally.state.in_(list(states)))
        grouped = [columns[f] for f in fields]
        everyone = scope == "all" and not mine and "owner" not in fields
        counts.update(
            summed("record_tally", query, grouped, workflow_ids, every_organisation=everyone)
        )
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
    database.execute_sql(totals_fill_sql("value_tally"))
    database.execute_sql(pair_fill_sql().format(where="1 = 1"))


@derived_data("tallies")
def rebuild_tallies() -> None:
    """Recount every tally from ``record`` and ``record_value`` (one grouped statement each)."""
    for table in KEYS:
        database.execute_sql(f"DELETE FROM {table}")
    for statement in fill_sql(is_sqlite()):
        database.execute_sql(statement)
    for table in WITH_TOTALS:
        database.execute_sql(totals_fill_sql(table))
    database.execute_sql(pair_fill_sql().format(where="1 = 1"))
