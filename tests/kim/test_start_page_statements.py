"""The start page of every KIM role and the statistics page send a bounded number of SQL
statements, however many records there are (issue 21: no N+1, no page over ~20 statements).

Several hundred records are added to the demo – cases of every case manager of one
organisation in every phase, meetings in the coming weeks, barriers and proposals – so a
query per record, per person or per row would break the budget at once. The pages are also
checked to still show what the person expects, from those records.
"""

from __future__ import annotations

import datetime as dt
import logging
import random

import pytest

from server.models import Organisation, Record, User, database
from server.queue.connection import forget_clients
from server.runtime import current_runtime
from tests.helpers import login
from tests.kim.test_demo_and_start import DEMO_PASSWORD
from tests.kim_site import demo_app
from tests.sql_statements import PAGE_BUDGET, counted_statements

CASES = 400


def add_records(defs) -> None:
    """Cases for every case manager of the demo, meetings, barriers and proposals, in bulk."""
    rng = random.Random(21)
    managers = list(User.select().where(User.username.startswith("cm.")))
    organisations = {o.id for o in Organisation.select()}
    today = dt.date.today()
    rows = []
    cases = defs.workflows["case_management"]
    categories = [c.value for c in defs.forms["barriers"].field("entries").columns[0].choices]
    for n in range(CASES):
        owner = managers[n % len(managers)]
        assert owner.organisation_id in organisations
        entries = [
            {"category": rng.choice(categories or ["x"]), "system_level": rng.random() < 0.5}
            for _ in range(rng.randint(0, 3))
        ]
        rows.append(
            {
                "workflow": "case_management",
                "state": rng.choice(cases.states).id,
                "owner": owner.id,
                "organisation": owner.organisation_id,
                "title": f"Massenfall {n}",
                "data": {"barriers": {"entries": entries}},
            }
        )
    for workflow, count in (("meeting", 60), ("barrier", 60), ("proposal", 60)):
        states = defs.workflows[workflow].states
        for n in range(count):
            day = today + dt.timedelta(days=n % 80)
            rows.append(
                {
                    "workflow": workflow,
                    "state": states[n % len(states)].id,
                    "title": f"Masse {workflow} {n}",
                    "data": {"meeting": {"date": day.isoformat()}} if workflow == "meeting" else {},
                }
            )
    with database.atomic():
        for start in range(0, len(rows), 200):
            Record.insert_many(rows[start : start + 200]).execute()


@pytest.fixture(scope="module")
def big_demo(tmp_path_factory, redis_server):
    app, _summary = demo_app(tmp_path_factory.mktemp("kim-statements"), redis_server)
    with app.app_context():
        add_records(current_runtime(app).definitions)
    yield app
    if not database.is_closed():
        database.close()
    forget_clients()


class FullStatements(logging.Handler):
    """The statements' whole text (the counter shortens them; LIMIT is at the end)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.msg
        self.statements.append(str(message[0] if isinstance(message, tuple) else message))


# the register's block reads the minutes of every meeting (a few dozen a year, not cases)
# when they changed since the process last read them (services/register/entry_cache.py)
REGISTER_READ = 'SELECT "t1"."id", "t1"."workflow", "t1"."organisation_id", "t1"."owner_id"'


def unbounded_record_reads(statements: list[str]) -> list[str]:
    """Statements that read records one row each, without a limit: the rows of the whole
    table would reach Python."""
    return [
        s
        for s in statements
        if 'FROM "record"' in s
        and not s.startswith(REGISTER_READ)
        and not any(bound in s for bound in ("LIMIT", "COUNT(", "GROUP BY"))
    ]


def counted_get(app, username: str, path: str):
    client = app.test_client()
    login(client, username, DEMO_PASSWORD)
    client.get(path)  # the first request of a session warms caches (roles, settings)
    client.get(path)  # on PostgreSQL the second prepares the connection's statements
    full = FullStatements()
    with counted_statements() as log:
        logging.getLogger("peewee").addHandler(full)
        try:
            answer = client.get(path)
        finally:
            logging.getLogger("peewee").removeHandler(full)
    assert answer.status_code == 200, answer.status_code
    assert not unbounded_record_reads(full.statements), log.report()
    return answer.get_data(as_text=True), log


@pytest.mark.parametrize(
    "username, expected",
    [
        ("koordination", "Barrieren nach Kategorie"),
        ("teamleitung", "je Person und Phase"),
        ("cm.amt", "Meine Fälle"),
        ("sekretariat", "Anstehende Sitzungen"),
    ],
)
def test_each_roles_start_page_stays_within_the_statement_budget(big_demo, username, expected):
    page, log = counted_get(big_demo, username, "/")
    assert expected in page
    assert len(log) <= PAGE_BUDGET, log.report()


@pytest.mark.parametrize(
    "query",
    [
        "workflow=case_management&rows=state",
        "workflow=case_management&rows=organisation&columns=state",
        "workflow=case_management&rows=barriers.entries.category&columns=organisation",
    ],
)
def test_the_statistics_page_stays_within_the_statement_budget(big_demo, query):
    page, log = counted_get(big_demo, "koordination", f"/statistik/?{query}")
    assert "<table" in page
    assert len(log) <= PAGE_BUDGET, log.report()


def upcoming_in_python(records, first: dt.date, last: dt.date) -> list:
    """The upcoming block before issue 21: every record read, its date parsed here."""
    items = []
    for record in records:
        raw = ((record.data or {}).get("meeting") or {}).get("date")
        try:
            day = dt.date.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            day = None
        if day is not None and first <= day <= last:
            items.append((day, record))
    items.sort(key=lambda item: (item[0], item[1].id))
    return items


def test_upcoming_dates_come_soonest_first_as_before_and_odd_values_are_left_out(big_demo):
    from server.services.records.figures import dated_between

    first, last = dt.date(2030, 1, 10), dt.date(2030, 4, 10)
    values = [
        "2030-01-10",  # the first day counts
        "2030-01-10T09:00",  # text in the range, but no date: left out
        "2030-01-10T10:00",
        "2030-01-10 11:00",
        "2030-01-31",
        "2030-01-32",  # no date
        "2030-02-01",
        "2030-02-01",  # the same day twice: by id
        "2030-04-10",  # the last day counts
        "2030-04-11",
        "2030-01-09",
        "bald",
        20300115,
        None,
        "",
    ]
    with big_demo.app_context():
        rows = [
            {
                "workflow": "meeting",
                "state": "planned",
                "title": f"Datumsprobe {n}",
                "data": {"meeting": {"date": value}},
            }
            for n, value in enumerate(values)
        ]
        rows.append({"workflow": "meeting", "state": "planned", "title": "Datumsprobe leer"})
        Record.insert_many(rows).execute()
        query = Record.select().where(
            (Record.workflow == "meeting") & Record.title.startswith("Datumsprobe")
        )
        expected = upcoming_in_python(list(query), first, last)
        assert [day.isoformat() for day, _ in expected] == [
            "2030-01-10",
            "2030-01-31",
            "2030-02-01",
            "2030-02-01",
            "2030-04-10",
        ]
        for limit in range(1, 8):
            got = dated_between(query, "meeting.date", first, last, limit)
            assert [(d, r.id) for d, r in got] == [(d, r.id) for d, r in expected[:limit]]
