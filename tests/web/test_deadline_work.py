"""A person's deadline lists do work by what they read, not by what the installation holds.

Issue 21: at a million records the team lead's "überfällig" count on the "Fristen" screen
took 200 s, because SQLite looked up each readable record's deadlines in the index of every
open deadline by date; her case list filtered to "überfällig" took 600 ms, because it first
listed the overdue deadlines of the whole installation. Here the work is counted in SQLite's
virtual-machine steps (:func:`sqlite_steps`), before and after another organisation gets
thousands more overdue and escalated deadlines: the team lead's lists and counts must neither
change nor do more work.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from server import clock
from server.models import Deadline, Organisation, Record, User, database
from server.runtime import current_runtime
from server.services.records.deadlines import open_deadlines, open_deadlines_page
from server.services.records.listing import ListQuery, list_records
from tests.kim_site import demo_app
from tests.sql_statements import sqlite_steps

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("VERBUND_TEST_DATABASE_URL")),
    reason="SQLite's own work counter; PostgreSQL plans with table statistics",
)

FILTERS = [{}, {"overdue": True}, {"escalated": True}, {"overdue": True, "escalated": True}]
DUE = ("overdue", "week", "open")  # the case list's deadline filter


@pytest.fixture(scope="module")
def site(tmp_path_factory, redis_server):
    app, _ = demo_app(tmp_path_factory.mktemp("deadline-work") / "kim", redis_server)
    yield app
    database.close()


def _others(organisation: Organisation, cases: int) -> None:
    """``cases`` cases of ``organisation``, each with an overdue, escalated deadline."""
    today, now = clock.today(), clock.now()
    with database.atomic():
        for start in range(0, cases, 500):
            ids = [
                Record.insert(
                    workflow="case_management",
                    state="assessment",
                    title=f"Fremder Fall {start + i}",
                    search_text="",
                    organisation=organisation,
                    data={},
                ).execute()
                for i in range(min(500, cases - start))
            ]
            rows = [
                {
                    "record": rid,
                    "state": "assessment",
                    "label": "Erstgespräch",
                    "due_on": today - dt.timedelta(days=1 + rid % 90),
                    "escalated_at": now,
                    "escalated_to": "team_lead",
                }
                for rid in ids
            ]
            Deadline.insert_many(rows).execute()


def _lists(app, lead: User) -> dict[str, tuple[list[int], int, int]]:
    """Per filter: the first page's ids, the count, and the steps it took – of the deadlines
    (the "Fristen" screen's page and the start page's list) and of the case list."""
    defs = current_runtime(app).definitions
    found = {}
    for filters in FILTERS:
        with sqlite_steps() as steps:
            page = open_deadlines_page(defs, lead, 1, per_page=10, **filters)
            top = open_deadlines(defs, lead, limit=10, **filters)  # the start page's list
        assert [d.id for d in top] == [d.id for d in page.items]
        found[str(filters)] = ([d.id for d in page.items], page.total, steps[0])
    for due in DUE:
        with sqlite_steps() as steps:
            listed = list_records(defs, lead, ListQuery(workflow="case_management", due=due))
        found[due] = ([r.id for r in listed.items], listed.total, steps[0])
    return found


def test_others_deadlines_add_no_work_to_a_team_leads_lists(site):
    lead = User.get(User.username == "teamleitung")
    mine = Record.select().where(
        (Record.workflow == "case_management") & (Record.organisation == lead.organisation_id)
    )
    today = clock.today()
    for n, record in enumerate(mine.limit(6)):  # the team's own: due, overdue, escalated
        Deadline.create(
            record=record,
            state=record.state,
            label=f"Eigene Frist {n}",
            due_on=today + dt.timedelta(days=n - 3),
            escalated_at=clock.now() if n % 2 else None,
        )
    elsewhere = Organisation.create(name="fremd", label="Fremder Träger")
    _others(elsewhere, 300)
    before = _lists(site, lead)
    _others(elsewhere, 6000)
    after = _lists(site, lead)
    for filters, (ids, total, steps) in before.items():
        assert total > 0, filters
        assert after[filters][:2] == (ids, total), filters  # none of the others' shows
        # the same work, give or take the indexes' one more level (with the lookup by date
        # it grew ten- to twentyfold with the others' deadlines)
        assert after[filters][2] < steps * 1.2, (filters, steps, after[filters][2])


def test_the_case_lists_deadline_filter_finds_the_same_by_either_plan(site, monkeypatch):
    """By record (few readable records) or by the list of open deadlines (many): the same
    cases, for each of "überfällig", "diese Woche" and "offene Frist"."""
    from server.services.records import listing

    defs = current_runtime(site).definitions
    lead = User.get(User.username == "teamleitung")
    for due in DUE:
        query = ListQuery(workflow="case_management", due=due, per_page=500)
        by_record = list_records(defs, lead, query)
        monkeypatch.setattr(listing, "FEW_RECORDS", 0)
        by_list = list_records(defs, lead, query)
        monkeypatch.undo()
        assert [r.id for r in by_record.items] == [r.id for r in by_list.items], due
        assert by_record.total == by_list.total > 0, due
