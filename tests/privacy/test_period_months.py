"""The period tally's old days folded into months: the same figures, from far fewer rows.

Issue 21: a year of the coordination's figures summed ~42,500 day buckets at a million
cases. Compaction now folds every month that has ended into one
row per key (server/services/records/period_rollup.py). 400 generated KIM cases spread
over 2025 and 2026, some on the evenings where Berlin's month differs from UTC's (the last
of March after the clocks went forward, the last of October after they went back, New
Year's Eve). Before and after the fold, and after old cases changed phase, every period –
months, quarters, years, and stretches of days that start or end inside a month – gives
exactly what counting the records' JSON gives; whole months still come from the tally,
a stretch whose bound lies inside a folded month is counted from the records. SQLite and
(VERBUND_TEST_DATABASE_URL) PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from server import clock
from server.models import Record, RecordPeriodTally, database, is_sqlite
from server.models.migrations.m0017_tallies import fill_sql
from server.queue.connection import forget_clients
from server.runtime import current_runtime
from server.services.privacy import grouped
from server.services.privacy.periods import Period, quarter, year
from server.services.privacy.statistics import count_table, count_tables
from server.services.records import period_rollup
from server.services.records.tally_fold import fold_period_months
from tests.kim_site import demo_app
from tests.privacy.test_statistics_in_sql import WORKFLOW, generate

RECORDS = 400
TODAY = dt.date(2026, 12, 2)
# UTC instants whose Berlin month is not their UTC month, or only just is
EDGES = [
    dt.datetime(2026, 3, 31, 22, 30),  # 1 April 00:30 CEST
    dt.datetime(2026, 3, 31, 21, 30),  # 31 March 23:30 CEST
    dt.datetime(2025, 10, 31, 22, 30),  # 31 October 23:30 CET
    dt.datetime(2025, 10, 31, 23, 30),  # 1 November 00:30 CET
    dt.datetime(2025, 12, 31, 23, 30),  # 1 January 2026 00:30 CET
]


@pytest.fixture(scope="module")
def office(tmp_path_factory, redis_server):
    app, _summary = demo_app(tmp_path_factory.mktemp("kim-months"), redis_server)
    defs = current_runtime(app).definitions
    rng = random.Random(11)
    with app.app_context():
        generate(defs, RECORDS, seed=11)
        with database.atomic():
            for record in Record.select(Record.id).where(Record.workflow == WORKFLOW):
                if rng.random() < 0.1:
                    created = rng.choice(EDGES)
                else:  # 2025-01-01 up to today
                    created = dt.datetime(2025, 1, 1) + dt.timedelta(
                        minutes=rng.randrange(700 * 1440)
                    )
                Record.update(created_at=created).where(Record.id == record.id).execute()
            # one imported with a date long past: its month is folded, not every one since
            Record.update(created_at=dt.datetime(1900, 5, 15, 10)).where(
                Record.id == record.id
            ).execute()
    clock.freeze(TODAY)
    yield app, defs
    clock.freeze(None)
    if not database.is_closed():
        database.close()
    forget_clients()


def periods() -> list[Period]:
    months = [Period(dt.date(y, m, 1), _last_day(y, m)) for y in (2025, 2026) for m in range(1, 13)]
    quarters = [quarter(dt.date(y, m, 1)) for y in (2025, 2026) for m in (1, 4, 7, 10)]
    days = [
        Period(dt.date(2025, 3, 15), dt.date(2025, 4, 14)),  # inside folded months
        Period(dt.date(2026, 3, 31), dt.date(2026, 3, 31)),  # one day, on an edge
        Period(dt.date(2026, 11, 10), dt.date(2026, 12, 1)),  # into the month still by day
        Period(dt.date(2025, 11, 1), dt.date(2026, 4, 30)),  # whole months, half a year
        Period(dt.date(2026, 12, 1), dt.date(2026, 12, 1)),  # a day of the current month
    ]
    # counted two at a time like a period and the one before: never overlapping
    return [*months, *quarters, year(2025), year(2026), *days]


def _last_day(y: int, m: int) -> dt.date:
    return (dt.date(y + m // 12, m % 12 + 1, 1)) - dt.timedelta(days=1)


def figures(defs, answered: list) -> list:
    """Phase by organisation per period, counted at once; ``answered`` gets whether the
    period tally answered each batch."""
    workflow = defs.workflows[WORKFLOW]
    out = []
    for batch in (periods()[i : i + 2] for i in range(0, len(periods()), 2)):
        got = count_tables(defs, workflow, "state", "organisation", 1, None, batch)
        out += [(p.label, t.cells, t.total) for p, t in zip(batch, got, strict=True)]
        answered.append((batch, grouped_answered[-1]))
    return out


def expected(defs) -> list:
    workflow = defs.workflows[WORKFLOW]
    out = []
    for p in periods():
        t = count_table(defs, workflow, "state", "organisation", 1, None, p, from_json=True)
        out.append((p.label, t.cells, t.total))
    return out


grouped_answered: list[bool] = []


@pytest.fixture
def spy(monkeypatch):
    """Whether ``tallied_by_period`` answered (not None) each time it was asked."""
    real = grouped.tallied_by_period

    def watched(*args, **kwargs):
        result = real(*args, **kwargs)
        grouped_answered.append(result is not None)
        return result

    monkeypatch.setattr(grouped, "tallied_by_period", watched)
    grouped_answered.clear()


def _rows(workflow: str = WORKFLOW) -> int:
    return RecordPeriodTally.select().where(RecordPeriodTally.workflow == workflow).count()


def _day_keys() -> int:
    """The keys the period tally would have by day: a recount from the records."""
    statement = fill_sql(is_sqlite())[1]
    recount = "SELECT " + statement.split(" SELECT ", 1)[1].replace("COUNT(*), TRUE", "COUNT(*)")
    return len([row for row in database.execute_sql(recount) if row[0] == WORKFLOW])


def _as_datetime(value):
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def test_folded_months_give_the_same_figures_from_fewer_rows(office, spy):
    app, defs = office
    with app.app_context():
        reference = expected(defs)
        assert sum(total for _label, _cells, total in reference[:24]) > RECORDS * 0.9
        # (a read that meets many deltas compacts, and so folds, on its own)
        assert figures(defs, []) == reference
        by_day = _day_keys()

        assert fold_period_months() >= 1
        assert _rows() < by_day, (by_day, _rows())
        # before the horizon only month rows, one per key; after it the days
        buckets = [
            _as_datetime(b) for (b,) in RecordPeriodTally.select(RecordPeriodTally.bucket).tuples()
        ]
        old_rows = [b for b in buckets if b is not None and b < period_rollup.horizon()]
        assert old_rows and all(b.second == 1 for b in old_rows)
        assert any(b.second == 0 for b in buckets if b is not None)
        assert dt.datetime(1900, 4, 30, 23, 0, 1) in old_rows
        assert not [b for b in old_rows if dt.datetime(1900, 6, 1) < b < dt.datetime(2024, 12, 1)]
        answered: list = []
        assert figures(defs, answered) == reference
        # whole months come from the tally; a bound inside a folded month is counted
        for batch, ok in answered:
            whole = all(
                period_rollup.is_month_start(b) or b >= period_rollup.horizon()
                for p in batch
                for b in p.bounds()
            )
            assert ok == whole, [p.label for p in batch]
        # a year and a stretch inside it, counted from the records (a bound inside a folded
        # month): each its own records – one statement gave a record to the first only
        workflow = defs.workflows[WORKFLOW]
        batch = [year(2025), Period(dt.date(2025, 3, 15), dt.date(2025, 4, 14))]
        got = count_tables(defs, workflow, "state", "organisation", 1, None, batch)
        want = [
            count_table(defs, workflow, "state", "organisation", 1, None, p, from_json=True)
            for p in batch
        ]
        assert [(t.cells, t.total) for t in got] == [(t.cells, t.total) for t in want]
        assert got[1].total > 0

        # old cases change phase after the fold: their deltas carry their day, and count
        old = list(
            Record.select()
            .where((Record.workflow == WORKFLOW) & (Record.created_at < dt.datetime(2026, 6, 1)))
            .limit(25)
        )
        with database.atomic():
            for record in old:
                Record.update(state="closed").where(Record.id == record.id).execute()
        reference = expected(defs)
        assert figures(defs, []) == reference
        fold_period_months()  # and once folded again
        assert figures(defs, []) == reference


def test_month_starts_and_marks_follow_berlin_time():
    # 1 April 2026: summer time, midnight is 22:00 UTC the day before; 1 November: winter
    assert period_rollup.month_start(2026, 4) == dt.datetime(2026, 3, 31, 22)
    assert period_rollup.month_start(2026, 11) == dt.datetime(2026, 10, 31, 23)
    assert period_rollup.month_mark(EDGES[0]) == dt.datetime(2026, 3, 31, 22, 0, 1)
    assert period_rollup.month_mark(EDGES[1]) == dt.datetime(2026, 2, 28, 23, 0, 1)
    assert period_rollup.month_mark(EDGES[3]) == dt.datetime(2025, 10, 31, 23, 0, 1)
    assert period_rollup.horizon(dt.date(2026, 1, 15)) == dt.datetime(2025, 12, 31, 23)
    # the months that can hold the buckets of the UTC months present (a UTC month's last
    # evening can be the next Berlin month), up to the horizon; gaps are left out
    months = period_rollup.months_to_fold(
        ["2025-12", "2026-02", "1900-05"], dt.datetime(2026, 3, 31, 22)
    )
    assert [m[2] for m in months] == [
        dt.datetime(1900, 4, 30, 23, 0, 1),  # May and June 1900 (an import dated so)
        dt.datetime(1900, 5, 31, 23, 0, 1),
        dt.datetime(2025, 11, 30, 23, 0, 1),
        dt.datetime(2025, 12, 31, 23, 0, 1),
        dt.datetime(2026, 1, 31, 23, 0, 1),
        dt.datetime(2026, 2, 28, 23, 0, 1),
    ]


def test_a_bucket_of_a_month_not_listed_stays_a_day():
    """On PostgreSQL a delta can arrive between reading the months and folding: its day
    must not be counted into a neighbouring month."""
    import sqlite3

    january, march = (period_rollup.month_start(2026, m) for m in (1, 3))
    months = [
        (january, period_rollup.month_start(2026, 2), january + period_rollup.MONTH_MARK),
        (march, period_rollup.month_start(2026, 4), march + period_rollup.MONTH_MARK),
    ]
    case, params = period_rollup.folded_bucket_sql(months, "b", "?")
    text = [p.strftime("%Y-%m-%d %H:%M:%S") for p in params]
    with sqlite3.connect(":memory:") as db:
        folded = [
            db.execute(f"SELECT {case} FROM (SELECT ? AS b)", [*text, bucket]).fetchone()[0]
            for bucket in ("2026-01-15 00:00:00", "2026-02-15 00:00:00", "2026-03-15 00:00:00")
        ]
    assert folded == ["2025-12-31 23:00:01", "2026-02-15 00:00:00", "2026-02-28 23:00:01"]
