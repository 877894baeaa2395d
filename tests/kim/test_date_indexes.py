"""The dates of the start pages' ``upcoming`` blocks get an index on PostgreSQL, built by the
worker's periodic job, and the blocks show the same with it (issue 21: the coordination's
start page at 1M read 374 meetings' JSON to find the coming ones).

The KIM configuration declares two such blocks on ``meeting.date`` (coordination and
secretariat): one index. On SQLite the job builds nothing.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from server.jobs.maintenance import build_date_indexes
from server.models import Record, database, is_sqlite, unindexed_on_postgresql
from server.queue.connection import forget_clients
from server.runtime import current_runtime
from server.services.records.date_indexes import (
    MOST_DATE_INDEXES,
    PREFIX,
    DateIndex,
    wanted_date_indexes,
)
from server.services.records.figures import _date_text, dated_between
from tests.helpers import login
from tests.kim.test_demo_and_start import DEMO_PASSWORD
from tests.kim_site import demo_app

MEETINGS = 3000  # enough that PostgreSQL's planner prefers an index to reading them all


@pytest.fixture
def kim(tmp_path, redis_server):
    app, _summary = demo_app(tmp_path / "kim", redis_server)
    yield app
    if not database.is_closed():
        database.close()
    forget_clients()


def _upcoming_block(app, username: str) -> str:
    client = app.test_client()
    login(client, username, DEMO_PASSWORD)
    page = client.get("/").get_data(as_text=True)
    start = page.index('data-widget="upcoming"')
    return page[start : page.index("</section>", start)]


def _date_indexes() -> dict[str, str]:
    if is_sqlite():
        rows = database.execute_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name LIKE ?",
            [PREFIX + "%"],
        ).fetchall()
    else:
        rows = database.execute_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s",
            [PREFIX + "%"],
        ).fetchall()
    return dict(rows)


def _plan(query) -> str:
    sql, params = query.sql()
    prefix = "EXPLAIN QUERY PLAN " if is_sqlite() else "EXPLAIN "
    rows = database.execute_sql(prefix + sql, params).fetchall()
    return "\n".join(str(row[-1]) for row in rows)


def test_the_kim_blocks_ask_for_one_index_on_the_meeting_date(kim):
    wanted = wanted_date_indexes(current_runtime(kim).settings)
    assert list(wanted.values()) == [DateIndex("meeting", "meeting", "date")]
    name = next(iter(wanted))
    assert name.startswith(PREFIX) and len(name) <= 63
    # the name does not depend on anything but the three ids
    assert DateIndex("meeting", "meeting", "date").name == name
    assert DateIndex("meeting", "meeting", "datum").name != name


def test_the_job_builds_the_index_the_blocks_use_and_drops_it_when_unwanted(kim):
    today = dt.date.today()
    with kim.app_context():
        Record.insert_many(
            {
                "workflow": "meeting",
                "state": "planned",
                "title": f"Terminprobe {n}",
                "data": {"meeting": {"date": (today + dt.timedelta(days=n)).isoformat()}},
            }
            for n in range(100, 100 + MEETINGS)
        ).execute()
        if not is_sqlite():
            database.execute_sql("ANALYZE record")
    # requests outside the app context: inside it they would share one ``g``
    before = {u: _upcoming_block(kim, u) for u in ("koordination", "sekretariat")}
    with kim.app_context():
        counts = build_date_indexes()
        indexes = _date_indexes()
    if is_sqlite():
        assert counts == {"created": 0, "dropped": 0}
        assert indexes == {}
        return
    assert counts == {"created": 1, "dropped": 0}
    ((name, definition),) = indexes.items()
    assert "WHERE ((workflow)::text = 'meeting'::text)" in definition
    with kim.app_context():
        assert build_date_indexes() == {"created": 0, "dropped": 0}  # kept as it is
        # the query of the block reads the index and finds what it found without
        # as the block asks (server/web/start_widgets.upcoming): the states no index condition
        state = unindexed_on_postgresql(Record.state)
        query = Record.select().where(
            (Record.workflow == "meeting") & state.in_(["planned", "invited"])
        )
        first, last = today + dt.timedelta(days=200), today + dt.timedelta(days=230)
        text = _date_text("meeting", "date")
        plan = _plan(
            query.where(text.between(first.isoformat(), last.isoformat()))
            .order_by(text, Record.id)
            .limit(5)
        )
        assert name in plan, plan
        got = dated_between(query, "meeting.date", first, last, 5)
        assert [day for day, _ in got] == [first + dt.timedelta(days=n) for n in range(5)]
    assert {u: _upcoming_block(kim, u) for u in before} == before

    # a configuration without the blocks: the index goes
    with kim.app_context():
        settings = current_runtime(kim).settings
        start = settings.raw["start"]
        settings.raw["start"] = [s for s in start if s.get("widget") != "upcoming"]
        try:
            assert build_date_indexes() == {"created": 0, "dropped": 1}
        finally:
            settings.raw["start"] = start
        assert _date_indexes() == {}


def test_a_date_index_statement_quotes_the_ids():
    statement = DateIndex("it's", "form", "da'te").statement()
    assert "= 'it''s'" in statement and "->> 'da''te'" in statement
    assert re.match(r'CREATE INDEX CONCURRENTLY "record_date_[0-9a-f]{16}" ON "record"', statement)


def test_at_most_ten_dates_are_indexed_the_first_in_the_file(kim):
    """Each index costs every save of its workflow: a configuration naming many dates gets
    indexes for the first ten, the others read the JSON as before."""
    settings = current_runtime(kim).settings
    start = settings.raw["start"]
    blocks = [
        {"roles": ["coordination"], "widget": "upcoming", "workflow": "meeting", "date": f"f{n}.d"}
        for n in range(MOST_DATE_INDEXES + 3)
    ]
    settings.raw["start"] = [*start, *blocks]
    try:
        wanted = list(wanted_date_indexes(settings).values())
    finally:
        settings.raw["start"] = start
    assert len(wanted) == MOST_DATE_INDEXES
    assert wanted[0] == DateIndex("meeting", "meeting", "date")  # the KIM block comes first
    assert DateIndex("meeting", "f0", "d") in wanted
    assert DateIndex("meeting", f"f{MOST_DATE_INDEXES}", "d") not in wanted
