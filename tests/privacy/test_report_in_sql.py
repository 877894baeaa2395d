"""A report's figures for a period and the one before, counted in one statement each, are
exactly what counting each period on its own from the records gives.

The report counts every measure for both periods at once (issue 17: each figure once):
counts from ``record_value`` by its own copy of the creation time, durations and time in
each phase sorted into their period by the end event. The yardsticks: counts read from the
records' JSON one period at a time (the counting before ``record_value``), and durations
worked out in Python from the records and their transitions. 1,200 generated KIM cases
(skewed, odd and missing values as in ``test_statistics_in_sql.py``) spread over two years,
some on the evening before a Berlin quarter starts; moves of whole days and a few hours, so
a duration never lies on the rounding edge of a tenth of a day. On SQLite, and on
PostgreSQL when VERBUND_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from server.models import PhaseStay, Record, TransitionLog, database
from server.models.phase_stays import rebuild_phase_stays
from server.queue.connection import forget_clients
from server.runtime import current_runtime
from server.services.privacy.dimension_fill import fill_workflow
from server.services.privacy.durations import (
    _table,
    duration_table,
    duration_tables,
    phase_table,
    phase_tables,
)
from server.services.privacy.periods import CountingDate, quarter, year
from server.services.privacy.record_values import pending_workflows
from server.services.privacy.statistics import count_table, count_tables, dimensions
from tests.kim_site import demo_app
from tests.privacy.test_statistics_in_sql import WORKFLOW, generate

RECORDS = 1200
Q1 = quarter(dt.date(2026, 1, 1))


def _spread(rng: random.Random) -> None:
    """Creation times over 2025 and the first half of 2026 (some at 23:30 UTC on the last
    day of a quarter: the next quarter in Berlin), a first-contact date, and moves to the
    assessment and to the end some whole hours later."""
    edges = [dt.datetime(2025, 3, 31, 23, 30), dt.datetime(2025, 12, 31, 23, 30)]
    for record in Record.select(Record.id).where(Record.workflow == WORKFLOW):
        if rng.random() < 0.05:
            created = rng.choice(edges)
        else:
            created = dt.datetime(2025, 1, 1) + dt.timedelta(minutes=rng.randrange(545 * 1440))
        data = Record.get_by_id(record.id).data or {}
        intake = data.get("intake") if isinstance(data.get("intake"), dict) else None
        if intake is not None and rng.random() < 0.8:
            intake["first_contact"] = (
                created.date() - dt.timedelta(days=rng.randrange(30))
            ).isoformat()
        Record.update(created_at=created, data=data).where(Record.id == record.id).execute()
        TransitionLog.create(record=record.id, to_state="intake", at=created, record_version=1)
        if rng.random() < 0.7:
            moved = created + _hours(rng, 90)
            TransitionLog.create(
                record=record.id,
                from_state="intake",
                to_state="assessment",
                at=moved,
                record_version=2,
            )
            if rng.random() < 0.5:
                TransitionLog.create(
                    record=record.id,
                    from_state="assessment",
                    to_state="closed",
                    at=moved + dt.timedelta(days=rng.randrange(1, 200)),
                    record_version=3,
                )


def _hours(rng: random.Random, days: int) -> dt.timedelta:
    """Whole days and 1, 5, 13 or 19 hours: never a tenth of a day's rounding edge (6 hours
    are 0.25 days, which SQLite rounds up and Python to even)."""
    return dt.timedelta(hours=24 * rng.randrange(days) + rng.choice((1, 5, 13, 19)))


@pytest.fixture(scope="module")
def spread(tmp_path_factory, redis_server):
    app, _summary = demo_app(tmp_path_factory.mktemp("kim-report"), redis_server)
    defs = current_runtime(app).definitions
    with app.app_context():
        generate(defs, RECORDS, seed=5)
        with database.atomic():
            _spread(random.Random(5))
        # what the worker does in the background for the dimensions declared at start
        for workflow in pending_workflows():
            assert fill_workflow(workflow)
    yield app, defs
    if not database.is_closed():
        database.close()
    forget_clients()


MEASURES = [
    ("state", None, None),
    ("intake.access_channel", None, None),
    ("intake.district", "intake.target_group", None),
    ("intake.languages", "state", None),
    ("organisation", "intake.interpreter_needed", None),
    ("barriers.entries.category", None, "barriers.entries.system_level"),
    ("barriers.entries.category", "state", None),
]


@pytest.mark.parametrize("date", ["created", "intake.first_contact"])
def test_counts_of_two_periods_at_once_equal_each_period_from_json(spread, date):
    app, defs = spread
    workflow = defs.workflows[WORKFLOW]
    counting = CountingDate(date)
    with app.app_context():
        for periods in ([Q1, Q1.previous()], [year(2025), year(2024)]):
            for rows, columns, where in MEASURES:
                got = count_tables(defs, workflow, rows, columns, 5, where, periods, counting)
                expected = [
                    count_table(
                        defs, workflow, rows, columns, 5, where, p, counting, from_json=True
                    )
                    for p in periods
                ]
                assert got == expected, (periods[0].label, rows, columns, where)
        # the data set is worth its name: figures, and small ones hidden, in both quarters
        now, before = count_tables(
            defs, workflow, "intake.district", "state", 5, None, [Q1, Q1.previous()]
        )
        assert now.total > 100 and before.total > 100
        assert any(c is None for line in now.cells for c in line)


def _first_entry(moves: list, states: set[str]) -> dt.datetime | None:
    return min((at for to, at in moves if to in states), default=None)


def reference_durations(defs, end: str, period, dimension):
    """Durations from creation to ``end`` counted in Python, as the module doc says."""
    workflow = defs.workflows[WORKFLOW]
    states = {s.id for s in workflow.states if s.final} if end == "final" else {end[6:]}
    moves: dict[int, list] = {}
    for t in TransitionLog.select():
        moves.setdefault(t.record_id, []).append((t.to_state, t.at))
    low, high = period.bounds()
    groups: dict[str, dict[float, int]] = {}
    everything: dict[float, int] = {}
    for record in Record.select().where(Record.workflow == WORKFLOW):
        entered = _first_entry(moves.get(record.id, []), states)
        if entered is None or not (low <= entered < high):
            continue
        days = round((entered - record.created_at).total_seconds() / 86400, 1)
        everything[days] = everything.get(days, 0) + 1
        for label in set(dimension.values(record, None)):
            groups.setdefault(label, {})
            groups[label][days] = groups[label].get(days, 0) + 1
    return _table(dimension.label, groups, dimension.order, everything, 5)


def test_durations_and_phases_of_two_periods_at_once(spread):
    app, defs = spread
    workflow = defs.workflows[WORKFLOW]
    by_key = {d.key: d for d in dimensions(defs, workflow)}
    periods = [Q1, Q1.previous()]
    seen: list = []  # every table: small groups hidden in some
    with app.app_context():
        for end in ("state:assessment", "final"):
            for key in ("intake.district", "state", "intake.interpreter_needed"):
                got = duration_tables(workflow, "created", end, periods, 5, by_key[key])
                seen += got
                assert got == [reference_durations(defs, end, p, by_key[key]) for p in periods], (
                    end,
                    key,
                )
                assert got[0] == duration_table(workflow, "created", end, Q1, 5, by_key[key])
        assert got[0].total.n > 50 and any(r.n is None for t in seen for r in t.rows)
        phases = phase_tables(workflow, periods, 5)
        assert phases == [phase_table(workflow, p, 5) for p in periods]
        assert phases[0].rows and phases[0].rows[0].n > 50


def reference_phases(defs, period):
    """Time in each phase worked out in Python from the transitions, as the module doc of
    ``durations`` says: per record and phase, the stays ended in the period, summed."""
    workflow = defs.workflows[WORKFLOW]
    ours = {r.id for r in Record.select(Record.id).where(Record.workflow == WORKFLOW)}
    moves: dict[int, list] = {}
    for t in TransitionLog.select().order_by(TransitionLog.at, TransitionLog.id):
        if t.record_id in ours:
            moves.setdefault(t.record_id, []).append((t.to_state, t.at))
    low, high = period.bounds()
    labels = {s.id: s.label for s in workflow.states}
    groups: dict[str, dict[float, int]] = {}
    everything: dict[float, int] = {}
    for stays in moves.values():
        summed: dict[str, float] = {}
        for (state, entered), (_next, left) in zip(stays, stays[1:], strict=False):
            if low <= left < high:
                days = round((left - entered).total_seconds() / 86400, 1)
                summed[state] = summed.get(state, 0) + days
        for state, days in summed.items():
            days = round(days, 1)
            bucket = groups.setdefault(labels.get(state, state), {})
            bucket[days] = bucket.get(days, 0) + 1
            everything[days] = everything.get(days, 0) + 1
    order = tuple(s.label for s in workflow.states)
    return _table("Phase", groups, order, everything, 5)


def test_transitions_written_later_and_back_to_an_earlier_phase(spread):
    """``phase_stay`` follows every write of a transition in the same transaction: moves
    back to an earlier phase, a transition dated before the others, a deleted record – the
    next report gives what Python works out from the transitions, and rebuilding the stays
    from scratch changes nothing."""
    app, defs = spread
    workflow = defs.workflows[WORKFLOW]
    periods = [Q1, Q1.previous()]
    with app.app_context():
        before = phase_tables(workflow, periods, 5)
        moved = list(
            TransitionLog.select()
            .where(
                TransitionLog.to_state == "assessment", TransitionLog.at < dt.datetime(2026, 1, 1)
            )
            .order_by(TransitionLog.id)
            .limit(60)
        )
        rng = random.Random(7)
        with database.atomic():
            for t in moved[:40]:  # back to the intake in the quarter, then assessed again
                back = dt.datetime(2026, 1, 2) + _hours(rng, 40)
                for i, state in enumerate(("intake", "assessment")):
                    TransitionLog.create(
                        record=t.record_id,
                        from_state="assessment" if i == 0 else "intake",
                        to_state=state,
                        at=back + _hours(rng, 20) * i,
                        record_version=9 + i,
                    )
            for t in moved[40:55]:  # written late, dated an hour after creation
                created = Record.get_by_id(t.record_id).created_at
                TransitionLog.create(
                    record=t.record_id,
                    from_state="intake",
                    to_state="assessment",
                    at=created + dt.timedelta(hours=1),
                    record_version=9,
                )
        gone = moved[55].record_id
        Record.delete().where(Record.id == gone).execute()
        assert not PhaseStay.select().where(PhaseStay.record_id == gone).exists()

        phases = phase_tables(workflow, periods, 5)
        assert phases != before
        assert phases == [reference_phases(defs, p) for p in periods]
        by_key = {d.key: d for d in dimensions(defs, workflow)}
        for end in ("state:assessment", "final"):
            got = duration_tables(workflow, "created", end, periods, 5, by_key["state"])
            assert got == [reference_durations(defs, end, p, by_key["state"]) for p in periods]

        kept = sorted(PhaseStay.select().tuples())
        with database.atomic():
            rebuild_phase_stays()
        assert sorted(PhaseStay.select().tuples()) == kept
