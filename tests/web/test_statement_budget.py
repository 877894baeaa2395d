"""SQL statements per page stay within the budget whatever the number of rows (issue 21).

The KIM demo is loaded once, then grown with Verbund's models until a query per row would
show: 45 more case managers and 20 organisations, 120 cases of the team lead's organisation
with two open deadlines each (half of them the case manager's), one case with 30 saves,
transitions, hand-overs, document requests and files by 30 different people, 60 meetings
with agenda rows for the register and 80 notifications for the inbox. Every page type is
then requested as a person would and the statements peewee sends are counted
(:func:`tests.sql_statements.counted_statements`); each page must stay within
``PAGE_BUDGET`` and the lists must show one page, not everything.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from server import clock
from server.demo import read_demo_of
from server.models import (
    Deadline,
    DocumentRequest,
    FormSave,
    HandOver,
    Notification,
    Organisation,
    Record,
    TransitionLog,
    Upload,
    User,
    database,
)
from server.runtime import current_runtime
from server.services.accounts.people import issue_token
from tests.helpers import login
from tests.kim_site import demo_app
from tests.sql_statements import PAGE_BUDGET, counted_statements

PEOPLE = 45  # more case managers of the team lead's organisation
CASES = 120  # more cases of that organisation, two open deadlines each
HISTORY = 30  # saves, steps, hand-overs, documents, files of the one busy case
MEETINGS = 60  # meetings with agenda rows (the register)
NOTIFICATIONS = 80  # the case manager's inbox


@pytest.fixture(scope="module")
def site(tmp_path_factory, redis_server):
    app, _ = demo_app(tmp_path_factory.mktemp("budget") / "kim", redis_server)
    password = read_demo_of(current_runtime(app).settings).password
    busy = _grow(app)
    yield app, password, busy
    database.close()


def _grow(app) -> int:
    """More of everything; returns the id of the case with the long history."""
    amt = Organisation.get(Organisation.name == "amt")
    cm = User.get(User.username == "cm.amt")
    lead = User.get(User.username == "teamleitung")
    orgs = [Organisation.create(name=f"traeger{i}", label=f"Träger {i:02}") for i in range(20)]
    people = [
        User.create(
            username=f"cm.mehr{i}",
            display_name=f"Fallmanagerin {i:02}",
            organisation=amt,
            roles=["case_manager"],
        )
        for i in range(PEOPLE)
    ]
    today = clock.today()
    for i in range(CASES):
        owner = cm if i % 2 == 0 else people[i % PEOPLE]
        record = Record.create(
            workflow="case_management",
            state="assessment",
            title=f"Fall Budget {i:03}",
            search_text=f"fall budget {i:03} gruppe{i % 4}",
            owner=owner,
            organisation=amt,
            data={},
        )
        Deadline.create(
            record=record, state="assessment", label="Erstgespräch", due_on=today - dt.timedelta(i)
        )
        Deadline.create(
            record=record,
            state="assessment",
            label="Einschätzung",
            due_on=today + dt.timedelta(i),
            escalated_at=clock.now(),
            escalated_to="team_lead",
        )
    busy = (
        Record.select()
        .where((Record.workflow == "case_management") & (Record.owner == cm.id))
        .order_by(Record.version.desc(), Record.id)
        .first()
    )
    for i in range(HISTORY):
        person = people[i]
        FormSave.create(
            record=busy,
            form=("intake", "assessment")[i % 2],
            record_version=busy.version + i,
            data={"phone": f"0211 {i}"} if i % 2 == 0 else {"assessment_date": f"2026-01-{i:02}"},
            author=person,
        )
        TransitionLog.create(
            record=busy,
            from_state="intake",
            to_state="assessment",
            label="weiter",
            user=person,
            record_version=busy.version + i,
        )
        HandOver.create(
            record=busy,
            from_owner=people[i],
            to_owner=people[i + 1],
            from_organisation=orgs[i % 20],
            to_organisation=orgs[(i + 1) % 20],
            user=people[i + 2],
            note="",
            record_version=busy.version + i,
        )
        DocumentRequest.create(
            record=busy, document="hilfeplan", label="Hilfeplan", template="x", requested_by=person
        )
        Upload.create(
            record=busy,
            filename=f"n{i}.pdf",
            kind="pdf",
            size=10,
            sha256="0" * 64,
            uploaded_by=person,
        )
        Deadline.create(record=busy, state=busy.state, label=f"Frist {i}", due_on=today)
    for i in range(30):  # the newest events are saves: a short page ends in the middle of them
        FormSave.create(
            record=busy,
            form=("intake", "assessment")[i % 2],
            record_version=busy.version + HISTORY + i,
            data={"phone": f"0221 {i}"} if i % 2 == 0 else {"assessment_date": f"2026-03-{i:02}"},
            author=people[i],
        )
    Record.update(state="assessment", owner=cm, organisation=amt).where(
        Record.id == busy.id
    ).execute()
    agenda = [
        {"no": str(n), "topic": f"Thema {n}", "decision": "beschlossen", "measure": "tun"}
        for n in range(1, 4)
    ]
    for i in range(MEETINGS):
        Record.create(
            workflow="meeting",
            state="planned",
            title=f"Sitzung Budget {i:02}",
            organisation=amt,
            data={"meeting": {"date": f"2026-{1 + i % 12:02}-{1 + i % 28:02}", "agenda": agenda}},
        )
    for i in range(NOTIFICATIONS):
        Notification.create(
            user=cm,
            kind="record.assigned",
            record=busy,
            title=f"Fall {busy.id}",
            event_key=f"budget-{i}",
        )
    assert lead.organisation_id == amt.id
    return busy.id


def _count(client, path: str, **kw) -> tuple[int, str, str]:
    # warm: templates and definitions, as in a running server; on PostgreSQL the second
    # request of a connection prepares its statements (server/models/prepared.py)
    client.get(path, **kw)
    client.get(path, **kw)
    with counted_statements() as log:
        response = client.get(path, **kw)
    assert response.status_code == 200, (path, response.status_code)
    return len(log), log.report(), response.get_data(as_text=True)


def _as(app, username: str, password: str):
    client = app.test_client()
    login(client, username, password)
    return client


def test_deadlines_page_of_the_team_lead_is_one_page_in_few_statements(site):
    app, password, _ = site
    count, report, html = _count(_as(app, "teamleitung", password), "/deadlines/")
    assert count <= PAGE_BUDGET, report
    rows = re.findall(r"<tr class=", html)
    assert 0 < len(rows) <= 50  # one page of the 240+ open deadlines
    assert 'aria-label="Seiten der Fristen"' in html
    assert 'aria-current="page"' in html
    # the owners are named (joined, not fetched one by one)
    assert "Fallmanagerin" in html


def test_deadlines_page_of_a_case_manager_in_few_statements(site):
    app, password, _ = site
    client = _as(app, "cm.amt", password)
    count, report, html = _count(client, "/deadlines/?mine=1&page=2")
    assert count <= PAGE_BUDGET, report
    assert "Fall Budget" in html and 'aria-current="page">2<' in html


def test_record_page_with_a_long_history_in_few_statements(site):
    app, password, busy = site
    client = _as(app, "teamleitung", password)
    count, report, html = _count(client, f"/records/case_management/{busy}")
    assert count <= PAGE_BUDGET, report
    # the hand-over offers the organisation's people (joined with their organisation)
    assert "Fallmanagerin 44 – Amt für Migration und Integration" in html
    # the history is read on demand (issue 21): the page itself sends no query for it
    for table in ("transition_log", "form_save", "hand_over"):
        assert f'FROM "{table}"' not in report, report
    # the page with its history (the link without JavaScript) and the history alone
    for path in (
        f"/records/case_management/{busy}?verlauf=1",
        f"/records/case_management/{busy}/verlauf",
    ):
        count, report, html = _count(client, path)
        assert count <= PAGE_BUDGET, report
        # every kind of event is there, named by who did it
        assert "Fallmanagerin 29" in html and "übergeben an" in html and "Träger" in html
        assert "Dokument „Hilfeplan“ angefordert" in html and "gespeichert" in html


def test_api_record_and_list_in_few_statements(site):
    app, _, busy = site
    token = issue_token(User.get(User.username == "teamleitung"), "budget")
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    count, report, _ = _count(client, f"/api/v1/records/{busy}", headers=headers)
    assert count <= PAGE_BUDGET, report
    count, report, body = _count(
        client, "/api/v1/records?workflow=case_management&per_page=100", headers=headers
    )
    assert count <= PAGE_BUDGET, report
    assert body.count('"owner"') == 100


def test_register_is_paginated_in_few_statements(site):
    app, password, _ = site
    client = _as(app, "koordination", password)
    count, report, html = _count(client, "/register/")
    assert count <= PAGE_BUDGET, report
    assert html.count("Sitzung Budget") <= 50  # one page of 180+ entries
    assert 'aria-label="Seiten des Registers"' in html
    count, _, second = _count(client, "/register/?seite=2")
    assert count <= PAGE_BUDGET
    assert 'aria-current="page">2<' in second


def test_inbox_in_few_statements(site):
    app, password, _ = site
    count, report, html = _count(_as(app, "cm.amt", password), "/notifications/")
    assert count <= PAGE_BUDGET, report
    assert html.count("/open") <= 25


@pytest.mark.parametrize(
    "path",
    ["/admin/users/", "/admin/organisations/", "/admin/tokens/", "/admin/audit/"],
)
def test_admin_lists_in_few_statements(site, path):
    app, password, _ = site
    count, report, _ = _count(_as(app, "verwaltung", password), path)
    assert count <= PAGE_BUDGET, report


def test_record_list_of_the_team_lead_in_few_statements(site):
    app, password, _ = site
    client = _as(app, "teamleitung", password)
    count, report, html = _count(client, "/records/case_management/?page=2")
    assert count <= PAGE_BUDGET, report
    assert 'aria-label="Seiten der Liste"' in html and 'aria-current="page">2<' in html


def test_record_list_searched_by_the_team_lead_in_few_statements(site):
    # a word in few records: SQLite looks it up in the trigram index and reads the records
    # by id (search.apply_search replaces the list's FROM); owners and organisations must
    # still come with the page, not one query per row
    app, password, _ = site
    client = _as(app, "teamleitung", password)
    count, report, html = _count(client, "/records/case_management/?search=gruppe1")
    assert count <= PAGE_BUDGET, report
    assert html.count("Fall Budget") == 30  # every fourth of the 120
    assert "Fallmanagerin 01" in html  # the owners are shown


def test_history_pages_together_are_the_whole_history(site):
    """The record page reads its "Verlauf" a page at a time; the pages put together are the
    timeline read whole, changes of every save included (told against the save before)."""
    app, _, busy = site
    from server.services.records.timeline import timeline
    from server.services.records.view import record_view

    defs = current_runtime(app).definitions
    view = record_view(defs, User.get(User.username == "teamleitung"), busy)
    whole = view.timeline()
    assert len(whole) > 100  # three pages of 50
    pages, page, older = [], 1, True
    while older:
        events, older = view.timeline_page(None, page)
        pages.extend(events)
        page += 1
    assert page - 1 == -(-len(whole) // 50)
    assert pages == whole
    # the oldest save on each page still says what it changed (the save before was read)
    saves = [e for e in pages if e["kind"] == "save" and e["form"] in ("intake", "assessment")]
    assert all(e["changes"] for e in saves), [e["text"] for e in saves if not e["changes"]]
    # a page cut among the saves: the oldest save shown is told against the one before it
    for newest in (1, 2, 3, 5, 8, 40):
        cut = timeline(defs, view.record, newest=newest)
        assert cut == whole[:newest]
        assert cut[-1]["kind"] != "save" or cut[-1]["changes"]


def test_history_page_two_of_the_record_page(site):
    app, password, busy = site
    client = _as(app, "teamleitung", password)
    count, report, html = _count(client, f"/records/case_management/{busy}?verlauf=2")
    assert count <= PAGE_BUDGET, report
    assert 'aria-label="Seiten des Verlaufs"' in html
    assert "neuere Einträge" in html and "ältere Einträge" in html


def test_form_versions_page_by_page(site):
    """The versions of one form, 20 a page: numbered from the oldest, each page's oldest
    still told against the version before it, in few statements."""
    app, password, busy = site
    client = _as(app, "teamleitung", password)
    path = f"/records/case_management/{busy}/forms/intake/history"
    count, report, first = _count(client, path)
    assert count <= PAGE_BUDGET, report
    total = FormSave.select().where((FormSave.record == busy) & (FormSave.form == "intake")).count()
    assert total > 20
    assert f'id="version-{total}"' in first and f'id="version-{total - 20}"' not in first
    _, _, second = _count(client, path + "?page=2")
    assert f'id="version-{total - 20}"' in second and 'aria-current="page">2<' in second
    # the oldest version on page 1 shows what it changed against the newest of page 2
    oldest = first.split(f'id="version-{total - 19}"')[1].split("verbund-version")[0]
    assert "Gespeichert ohne Änderung" not in oldest and "verbund-changes" in oldest


def test_api_deadlines_page_by_page_in_few_statements(site):
    """GET /api/v1/deadlines: without page arguments the answer of old (the first 500,
    soonest first) plus page figures; pages of ``per_page`` put together are that list."""
    app, _, _ = site
    token = issue_token(User.get(User.username == "teamleitung"), "budget-deadlines")
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    count, report, _ = _count(client, "/api/v1/deadlines", headers=headers)
    assert count <= PAGE_BUDGET, report
    whole = client.get("/api/v1/deadlines", headers=headers).json
    assert whole["page"] == 1 and whole["pages"] == 1 and whole["total_capped"] is False
    assert whole["total"] == len(whole["items"]) > 240  # 120 cases with two open each
    dues = [d["due_on"] for d in whole["items"]]
    assert dues == sorted(dues)
    pieces, page = [], 1
    while True:
        count, report, _ = _count(
            client, f"/api/v1/deadlines?per_page=100&page={page}", headers=headers
        )
        assert count <= PAGE_BUDGET, report
        answer = client.get(f"/api/v1/deadlines?per_page=100&page={page}", headers=headers).json
        assert len(answer["items"]) <= 100 and answer["total"] == whole["total"]
        pieces += answer["items"]
        if page == answer["pages"]:
            break
        page += 1
    assert pieces == whole["items"]
    mine = client.get("/api/v1/deadlines?mine=1&per_page=5", headers=headers).json
    assert mine["items"] == []  # the team lead owns none of the cases
    for bad in ("per_page=501", "per_page=0", "page=-1", "page=eins", "page="):
        response = client.get(f"/api/v1/deadlines?{bad}", headers=headers)
        assert response.status_code == 422 and response.is_json
        assert bad.split("=")[0] in response.json["errors"]


def test_deadlines_by_record_and_by_date_walk_are_the_same_pages(site, monkeypatch):
    """Few readable records: deadlines looked up by record; many: walked in date order
    (services.records.deadlines._open_query; PostgreSQL by a list of the records' ids).
    Both plans give the same pages and
    counts for every filter; the screen counts to 1,000 and then says "mehr als"."""
    from server.services.records import deadlines

    app, password, _ = site
    defs = current_runtime(app).definitions

    def pages(user, few: int, **filters):
        monkeypatch.setattr(deadlines, "FEW_RECORDS", few)
        page = deadlines.open_deadlines_page(defs, user, 2, per_page=30, **filters)
        return [d.id for d in page.items], page.total, page.pages

    lead, cm = (User.get(User.username == name) for name in ("teamleitung", "cm.amt"))
    cases = [(lead, {}), (lead, {"mine": True}), (lead, {"overdue": True})]
    cases += [(lead, {"escalated": True}), (cm, {})]
    for user, filters in cases:
        by_record = pages(user, 10**6, **filters)
        assert by_record == pages(user, 0, **filters), (user.username, filters)
        # the count (one query per read scope, UNION ALL) is the number of rows listed
        listed = deadlines.open_deadlines(defs, user, limit=10**6, **filters)
        assert by_record[1] == len(listed), (user.username, filters)
    assert pages(lead, 10**6)[1] > 240 and len(pages(cm, 10**6)[0]) == 30
    from server.web import deadlines as screen

    monkeypatch.setattr(screen, "SCREEN_COUNT_LIMIT", 100)
    html = _as(app, "teamleitung", password).get("/deadlines/").get_data(as_text=True)
    assert "mehr als 100 offene Fristen, Seite 1 von 2" in html


def test_the_list_screen_counts_to_its_limit_and_the_api_on(site, monkeypatch):
    """The case list says "mehr als N Einträge" past the screen's limit (1,000; here 5),
    the API still counts on (to 10,000)."""
    from server.services.records import listing

    app, password, _ = site
    monkeypatch.setattr(listing, "SCREEN_COUNT_LIMIT", 5)
    client = _as(app, "teamleitung", password)
    html = client.get("/records/case_management/").get_data(as_text=True)
    assert "mehr als 5 Einträge – bitte weiter filtern" in html
    token = issue_token(User.get(User.username == "teamleitung"), "list-count")
    api = app.test_client().get(
        "/api/v1/records?workflow=case_management", headers={"Authorization": f"Bearer {token}"}
    )
    answer = api.get_json()
    assert answer["total"] > 5 and not answer.get("total_capped"), answer.keys()
