"""The counters (tallies) stay exactly the counts of the records, whatever writes them.

Issue 21: the start pages and statistics read ``record_tally``, ``record_period_tally`` and
``value_tally`` (kept by triggers, migration m0017) instead of counting every record. After
random saves, transitions, hand-overs, deletions, anonymisations, new records, a dimension
removed and published again (filled in the background), every tally equals a recount from
``record``/``record_value``, and every figure read from them equals the figure counted
from the records' JSON. On PostgreSQL also with concurrent writers and a compaction
running beside them: no deadlock, no count lost. SQLite and (VERBUND_TEST_DATABASE_URL)
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import Counter

import pytest

from server.models import Organisation, Record, TallyPair, User, database, is_sqlite
from server.models.derived import rebuild_derived_data
from server.models.migrations.m0017_tallies import fill_sql, pair_fill_sql
from server.models.migrations.m0021_tally_totals import total_key
from server.models.tallies import ALL_ORGANISATIONS
from server.queue.connection import forget_clients
from server.runtime import current_runtime
from server.services.privacy import tallied
from server.services.privacy.anonymise import anonymise_record
from server.services.privacy.dimension_fill import fill_workflow
from server.services.privacy.periods import Period, year
from server.services.privacy.record_values import pending_workflows, sync_dimensions
from server.services.privacy.statistics import (
    count_table,
    count_tables,
    stored_dimensions,
    sync_stored_dimensions,
)
from server.services.records import period_rollup
from server.services.records.access import readable_records
from server.services.records.figures import count_by
from server.services.records.tallies import record_counts
from server.services.records.tally_fold import KEYS, WITH_TOTALS, compact, fold, fold_months
from tests.kim_site import demo_app
from tests.privacy.test_statistics_in_sql import WORKFLOW, _form_data, generate

RECORDS = 120  # small: every kind of change still reaches every tally (CI time)


@pytest.fixture(scope="module")
def site(tmp_path_factory, redis_server):
    app, _summary = demo_app(tmp_path_factory.mktemp("kim-tallies"), redis_server)
    defs = current_runtime(app).definitions
    with app.app_context():
        generate(defs, RECORDS, seed=17)
        for workflow in pending_workflows():
            assert fill_workflow(workflow)
    yield app, defs
    if not database.is_closed():
        database.close()
    forget_clients()


def recount_differences() -> dict[str, tuple]:
    """Per tally: (keys only in the tally or with another sum, in the recount); empty: equal.
    The total rows plus the deltas not yet folded equal the recount without organisation
    (and owner), under the tally's name with " totals"."""
    out = {}
    statements = [*fill_sql(is_sqlite()), pair_fill_sql().format(where="1 = 1")]
    for table, statement in zip(KEYS, statements, strict=True):
        key = KEYS[table]
        recount = "SELECT " + statement.split(" SELECT ", 1)[1].replace(
            "COUNT(*), TRUE", "COUNT(*)"
        )
        counted = _by_key(table, database.execute_sql(recount))
        rows = f"SELECT {key}, SUM(n) FROM {table}"
        if table in WITH_TOTALS:
            rows += f" WHERE organisation_id <> {ALL_ORGANISATIONS}"
            totals = _by_key(table, database.execute_sql(_totals_sql(table)))
            expected = _by_key(table, _as_totals(table, counted))
            if totals != expected:
                out[f"{table} totals"] = (totals - expected, expected - totals)
        tallied = _by_key(table, database.execute_sql(f"{rows} GROUP BY {key}"))
        if tallied != counted:
            out[table] = (tallied - counted, counted - tallied)
    return out


def _totals_sql(table: str) -> str:
    """The figure over every organisation as the reads sum it: total rows and deltas."""
    groups = ", ".join(str(i + 1) for i in range(len(KEYS[table].split(", "))))
    return (
        f"SELECT {total_key(table)}, SUM(n) FROM {table} WHERE organisation_id = "
        f"{ALL_ORGANISATIONS} OR folded = FALSE GROUP BY {groups}"
    )


def _as_totals(table: str, counted: Counter) -> list[tuple]:
    """Recounted keys with every organisation as the total rows have it (owner 0)."""
    columns = KEYS[table].split(", ")
    out = []
    for key, n in counted.items():
        row = list(key)
        row[columns.index("organisation_id")] = ALL_ORGANISATIONS
        if "owner_id" in columns:
            row[columns.index("owner_id")] = 0
        out.append((*row, n))
    return out


def _by_key(table: str, rows) -> Counter:
    """``{key: sum}`` without zeros; the period tally's buckets before the horizon as their
    month (a compaction folds those days into one row per month, period_rollup)."""
    out: Counter = Counter()
    for row in rows:
        key = tuple(row[:-1])
        if table == "record_period_tally" and key[-1] is not None:
            bucket = key[-1]
            bucket = dt.datetime.fromisoformat(bucket) if isinstance(bucket, str) else bucket
            if bucket < period_rollup.horizon():
                bucket = period_rollup.month_mark(bucket)
            key = (*key[:-1], bucket)
        out[key] += row[-1]
    return +out


def _random_changes(defs, rng: random.Random, rounds: int) -> None:
    workflow = defs.workflows[WORKFLOW]
    states = [s.id for s in workflow.states]
    organisations = [o.id for o in Organisation.select()] + [None]
    owners = [u.id for u in User.select()] + [None]
    for _ in range(rounds):
        ids = [r.id for r in Record.select(Record.id).where(Record.workflow == WORKFLOW)]
        record = Record.get_by_id(rng.choice(ids))
        roll = rng.random()
        # generated records hold text where a date belongs, which anonymising refuses: the
        # demo's records are anonymised, the generated ones saved with random values
        if roll < 0.3 and record.title == "Fall":  # values changed, table rows added/removed
            form_id = rng.choice(workflow.form_ids)
            data = dict(record.data or {})
            data[form_id] = _form_data(rng, defs.forms[form_id])
            Record.update(data=data).where(Record.id == record.id).execute()
        elif roll < 0.5:  # a transition
            Record.update(state=rng.choice(states)).where(Record.id == record.id).execute()
        elif roll < 0.6:  # a hand-over to another person and organisation
            Record.update(owner=rng.choice(owners), organisation=rng.choice(organisations)).where(
                Record.id == record.id
            ).execute()
        elif roll < 0.7 and record.title == "Fall":  # generated: nothing refers to it
            record.delete_instance()
        elif roll < 0.8 and record.title != "Fall":
            anonymise_record(defs, record.id, reason="Test", purge=False)
        elif roll < 0.9:  # created an hour before a Berlin midnight, or just after one
            moment = dt.datetime(2026, rng.choice([3, 10, 12]), 28, rng.choice([21, 22, 23]), 30)
            Record.update(created_at=moment).where(Record.id == record.id).execute()
        else:
            generate(defs, 1, seed=rng.randrange(10**6))


FIGURES = [
    ("state", None, None),
    ("barriers.entries.category", None, "barriers.entries.system_level"),  # pairs
    ("intake.target_group", "intake.district", None),
    ("intake.languages", "intake.district", None),
    ("intake.interpreter_needed", "intake.languages", None),
    ("organisation", "state", None),
    ("intake.languages", None, None),
    ("intake.target_group", "state", None),
    ("barriers.entries.category", "organisation", None),
    ("intake.interpreter_needed", "state", None),
]


def assert_figures_as_counted(app, defs) -> None:
    """Every figure the tallies answer equals the one counted from the records."""
    workflow = defs.workflows[WORKFLOW]
    for rows, columns, where in FIGURES:
        got = count_table(defs, workflow, rows, columns, 5, where)
        expected = count_table(defs, workflow, rows, columns, 5, where, from_json=True)
        assert got == expected, (rows, columns, where)
    periods = [year(2026), year(2025), Period(dt.date(2026, 3, 29), dt.date(2026, 10, 28))]
    for rows in ("state", "organisation"):
        got = count_tables(defs, workflow, rows, None, 1, None, periods)
        assert got == count_tables(defs, workflow, rows, None, 1, None, periods, from_json=True)
    for user in User.select():  # every role's scope: all, organisation, own
        for fields, columns in ((["state"], [Record.state]), (["workflow"], [Record.workflow])):
            query = readable_records(defs, user, Record.select())
            expected = count_by(query, *columns)
            got = record_counts(defs, user, list(defs.workflows), fields)
            assert got == expected, (user.username, fields)


def test_tallies_equal_a_recount_after_every_kind_of_change(site):
    app, defs = site
    rng = random.Random(21)
    with app.app_context():
        assert_figures_as_counted(app, defs)  # declares the pairs: from now on counted
        assert recount_differences() == {}
        # a dimension unpublished, changes made, published again: filled in the background
        wanted = stored_dimensions(defs)
        sync_dimensions({WORKFLOW: [k for k in wanted[WORKFLOW] if k != "intake.languages"]})
        _random_changes(defs, rng, 60)
        assert recount_differences() == {}
        sync_stored_dimensions(defs)
        assert fill_workflow(WORKFLOW, size=50)
        _random_changes(defs, rng, 60)
        assert recount_differences() == {}
        assert_figures_as_counted(app, defs)
        # folded – the deltas into their keys' rows and the totals, or the whole tally
        # rewritten: one row per key, the same sums
        for merge in (fold, compact):
            _random_changes(defs, rng, 30)
            for table in KEYS:
                assert merge(table, WORKFLOW)
                assert _rows_and_keys(table) == (0, _rows_and_keys(table)[1]), (table, merge)
            assert recount_differences() == {}
            assert_figures_as_counted(app, defs)
        # the month fold (periodic job): old cases changed, their days into their months
        _random_changes(defs, rng, 30)
        assert fold_months(WORKFLOW)
        assert _rows_and_keys("record_period_tally", folded_only=True)[1] == 0
        assert recount_differences() == {}
        assert_figures_as_counted(app, defs)
        # the rebuild of derived data (bulk imports, the benchmark): counted anew, and the
        # triggers it switched off for the rewrite of record_value count again afterwards;
        # the indexes it set aside for the refill are back, as they were
        indexes = _indexes("record_value")
        rebuild_derived_data()
        assert _indexes("record_value") == indexes and len(indexes) >= 2
        _random_changes(defs, rng, 15)
        assert recount_differences() == {}
        assert_figures_as_counted(app, defs)


def _rows_and_keys(table: str, *, folded_only: bool = False) -> tuple[int, int]:
    """(deltas not folded, rows more than keys) of the workflow in ``table``; with
    ``folded_only`` the second of its folded rows alone."""
    key, mark = KEYS[table], "?" if is_sqlite() else "%s"
    rows_where = f"workflow = {mark}" + (" AND folded = TRUE" if folded_only else "")
    deltas, rows, keys = (
        database.execute_sql(sql, [WORKFLOW]).fetchone()[0]
        for sql in (
            f"SELECT COUNT(*) FROM {table} WHERE workflow = {mark} AND folded = FALSE",
            f"SELECT COUNT(*) FROM {table} WHERE {rows_where}",
            f"SELECT COUNT(*) FROM (SELECT DISTINCT {key} FROM {table} WHERE {rows_where}) AS k",
        )
    )
    return deltas, rows - keys


def _indexes(table: str) -> list[tuple[str, str]]:
    if is_sqlite():
        sql = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
    else:
        sql = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
    return sorted(database.execute_sql(sql, [table]).fetchall())


def test_past_the_bound_a_new_pair_is_counted_without_being_declared(site, monkeypatch):
    """Each declared pair costs every save from then on: past ``MOST_PAIRS`` a crosstab nobody
    declared before is counted from record_value (GROUP BY), with the same figures."""
    app, defs = site
    with app.app_context():
        workflow = defs.workflows[WORKFLOW]
        declared = TallyPair.select().where(TallyPair.workflow == WORKFLOW).count()
        monkeypatch.setattr(tallied, "MOST_PAIRS", declared)
        rows, columns = "intake.target_group", "intake.interpreter_needed"
        got = count_table(defs, workflow, rows, columns, 5, None)
        assert got == count_table(defs, workflow, rows, columns, 5, None, from_json=True)
        assert TallyPair.select().where(TallyPair.workflow == WORKFLOW).count() == declared
        monkeypatch.setattr(tallied, "MOST_PAIRS", declared + 1)  # room for one: declared
        assert count_table(defs, workflow, rows, columns, 5, None) == got
        assert TallyPair.select().where(TallyPair.workflow == WORKFLOW).count() == declared + 1


@pytest.mark.skipif(
    "not __import__('os').environ.get('VERBUND_TEST_DATABASE_URL')",
    reason="concurrent writers: PostgreSQL",
)
def test_concurrent_writers_lose_no_count_and_never_deadlock(site):
    app, defs = site
    workflow = defs.workflows[WORKFLOW]
    states = [s.id for s in workflow.states][:2]
    with app.app_context():
        ids = [
            r.id
            for r in Record.select(Record.id)
            .where(Record.workflow == WORKFLOW)
            .order_by(Record.id)
            .limit(16)
        ]
    errors: list[Exception] = []

    def writer(number: int) -> None:
        # two records per transaction, moved in opposite directions by the neighbour:
        # counters updated in place would take their locks in conflicting orders
        rng = random.Random(number)
        mine = ids[2 * number : 2 * number + 2]
        try:
            with app.app_context():
                for step in range(30):
                    with database.atomic():
                        for i, record_id in enumerate(mine):
                            state = states[(i + step + number) % 2]
                            Record.update(state=state, organisation=None).where(
                                Record.id == record_id
                            ).execute()
                        data = {"intake": _form_data(rng, defs.forms["intake"])}
                        Record.update(data=data).where(Record.id == mine[0]).execute()
                database.close()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    def compactor() -> None:
        with app.app_context():
            for round_ in range(20):
                for table in KEYS:
                    (fold if round_ % 2 else compact)(table, WORKFLOW)
                fold_months(WORKFLOW)
            database.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    threads.append(threading.Thread(target=compactor))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with app.app_context():
        assert recount_differences() == {}
