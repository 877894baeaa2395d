"""The decision register: every decision and measure across meetings, filtered, followed up,
exported as .xlsx, .csv and .docx — and invisible to whoever may not read the meetings."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

import docx
import pytest
from openpyxl import load_workbook

from server import clock
from server.models import AuditEntry
from server.runtime import current_runtime
from server.services.register.decisions import register_entries
from server.services.register.figures import register_figures
from server.services.register.filters import OPEN
from tests.helpers import csrf_token, login
from tests.kim.test_meetings import move, new_meeting

TODAY = clock.today()  # Berlin: between 23:00 and 24:00 UTC it is tomorrow there
PAST = (TODAY - dt.timedelta(days=30)).isoformat()
FUTURE = (TODAY + dt.timedelta(days=60)).isoformat()


@pytest.fixture(autouse=True)
def _dates_of_today():
    """The dates anew for each test: a run that crossed Berlin's midnight had them from the
    day the module was collected and the app's from the next (seen at 23:00 UTC)."""
    global TODAY, PAST, FUTURE
    TODAY = clock.today()
    PAST = (TODAY - dt.timedelta(days=30)).isoformat()
    FUTURE = (TODAY + dt.timedelta(days=60)).isoformat()


def lenkungskreis(date: str) -> dict:
    return {
        "committee": "lenkungskreis",
        "title": "LK 1/2026",
        "date": date,
        "minute_taker": "S. Sekretariat",
        "agenda": [
            {"no": "1", "topic": "Protokoll", "decision": "Genehmigt"},
            {
                "no": "2",
                "topic": "Sprachmittlung",
                "decision": "Pool ausbauen",
                "measure": '=HYPERLINK("http://x")',  # must stay text in spreadsheets
                "owner": "Amt 56",
                "due": PAST,
                "indicator": "20 Sprachen",
                "escalation": True,
            },
            {
                "no": "3",
                "topic": "Wohnen",
                "measure": "Runder Tisch",
                "owner": "Amt 64",
                "due": FUTURE,
                "status": "erledigt",
            },
            {"no": "4", "topic": "Verschiedenes"},
        ],
    }


def think_tank(date: str) -> dict:
    return {
        "committee": "think_tank",
        "working_group": "Arbeit",
        "title": "AG Arbeit 2/2026",
        "date": date,
        "agenda": [
            {
                "topic": "Anerkennung",
                "measure": "Leitfaden & Checkliste <neu>",
                "owner": "IQ Netzwerk",
                "due": PAST,
                "indicator": "Leitfaden liegt vor",
            },
        ],
    }


@pytest.fixture
def meetings(api):
    office = api("sekretariat", ["secretary"], "amt")
    first = move(office, new_meeting(office, lenkungskreis("2026-02-10")), "held")
    first = move(office, first, "approved")
    second = move(office, new_meeting(office, think_tank("2026-03-05")), "held")
    return first, second


def rows(page: str) -> list[str]:
    body = page[page.index('id="register"') :]
    found = [chunk.split("</tr>")[0] for chunk in body.split("<tr")[2:]]
    return [row for row in found if "Keine Einträge." not in row]


def post_status(client, page: str, record: int, row, status: str, **more):
    """The „Stand“ form of the register, sent from ``page`` (its CSRF token)."""
    data = {"csrf_token": csrf_token(page), "record": record, "row": row, "status": status}
    return client.post("/register/status", data={**data, **more})


def screen(client, **filters) -> str:
    response = client.get("/register/", query_string=filters)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_who_sees_the_register(client, make_user, meetings):
    make_user("cm", ["case_manager"], "amt")
    login(client, "cm")
    assert "Beschluss- und Maßnahmenregister" not in client.get("/").get_data(as_text=True)
    for path in ("/register/", "/register/export.xlsx", "/register/export.csv"):
        assert client.get(path).status_code == 404
    page = client.get("/").get_data(as_text=True)
    assert (
        client.post(
            "/register/status",
            data={
                "csrf_token": csrf_token(page),
                "record": meetings[0]["id"],
                "row": 1,
                "status": "erledigt",
            },
        ).status_code
        == 404
    )
    client.post("/auth/logout", data={"csrf_token": csrf_token(page)})

    make_user("tl", ["team_lead"], "awo")
    login(client, "tl")
    assert "Beschluss- und Maßnahmenregister" in client.get("/").get_data(as_text=True)
    page = screen(client)
    assert len(rows(page)) == 4 and 'name="status"' not in page  # reads, cannot change


def test_entries_statuses_and_filters(client, make_user, meetings):
    make_user("koordination", ["coordination"], "amt")
    login(client, "koordination")
    page = screen(client)
    found = rows(page)
    assert "4 Einträge · alle Einträge" in page
    assert len(found) == 4  # TOP 4 has neither decision nor measure
    assert "AG Arbeit 2/2026" in found[0]  # newest meeting first
    assert "Leitfaden &amp; Checkliste &lt;neu&gt;" in found[0]
    assert "überfällig – offen" in found[0] and "table-danger" in found[0]
    assert "politische Gremien beteiligen" in page
    assert "überfällig – offen" in page and "erledigt" in page

    assert len(rows(screen(client, gremium="think_tank"))) == 1
    assert len(rows(screen(client, stand="ueberfaellig"))) == 2
    assert len(rows(screen(client, stand="erledigt"))) == 1
    assert len(rows(screen(client, art="beschluss"))) == 2
    assert len(rows(screen(client, art="massnahme"))) == 3
    assert len(rows(screen(client, verantwortlich="amt 6"))) == 1
    assert len(rows(screen(client, suche="sprachmittlung"))) == 1
    assert len(rows(screen(client, eskalation="1"))) == 1
    assert len(rows(screen(client, von="2026-03-01"))) == 1
    assert len(rows(screen(client, bis="10.02.2026"))) == 3
    # unreadable filters are ignored or match nothing, never an error
    assert len(rows(screen(client, von="gestern", art="'"))) == 4
    assert len(rows(screen(client, stand="<x>"))) == 0
    assert client.get("/register/", query_string={"von": "99.99.9999"}).status_code == 200


def test_overdue_follows_the_clock(client, make_user, meetings):
    """'Überfällig' is judged by server/clock.py: 40 days ago no measure was due yet."""
    make_user("koordination", ["coordination"], "amt")
    login(client, "koordination")
    assert len(rows(screen(client, stand="ueberfaellig"))) == 2
    clock.freeze(TODAY - dt.timedelta(days=40))
    try:
        page = screen(client)
        assert len(rows(screen(client, stand="ueberfaellig"))) == 0
        assert "überfällig – " not in page and len(rows(page)) == 4
    finally:
        clock.freeze(None)


def test_following_up_a_measure_of_approved_minutes(client, make_user, meetings):
    approved, held = meetings
    make_user("sekretariat2", ["secretary"], "amt")
    login(client, "sekretariat2")
    page = screen(client, gremium="lenkungskreis")
    assert page.count('name="status"') == 2  # the two measures of the approved minutes
    answer = post_status(
        client,
        page,
        approved["id"],
        1,
        "erledigt",
        note="Pool hat 22 Sprachen",
        back="gremium=lenkungskreis",
    )
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/register/?gremium=lenkungskreis")
    page = screen(client, gremium="lenkungskreis")
    assert "Der Stand wurde gespeichert." in page and "Pool hat 22 Sprachen" in page
    assert len(rows(screen(client, stand="ueberfaellig"))) == 1  # only the Think Tank one
    assert AuditEntry.select().where(AuditEntry.action == "register.status").count() == 1

    # minutes not approved yet: the status is kept in the minutes themselves
    page = client.post(
        "/register/status",
        data={"csrf_token": csrf_token(page), "record": held["id"], "row": 0, "status": "erledigt"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Solange das Protokoll nicht genehmigt ist" in page
    page = client.post(
        "/register/status",
        data={
            "csrf_token": csrf_token(page),
            "record": approved["id"],
            "row": 1,
            "status": "gibtsnicht",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Bitte einen gültigen Stand wählen." in page
    for row in (0, 3, 99, "x"):  # a decision without measure, an empty row, nothing, garbage
        response = client.post(
            "/register/status",
            data={
                "csrf_token": csrf_token(page),
                "record": approved["id"],
                "row": row,
                "status": "erledigt",
            },
        )
        assert response.status_code == 404


def test_exports_follow_the_filters_and_keep_text_as_text(client, make_user, meetings):
    make_user("koordination", ["coordination"], "amt")
    login(client, "koordination")

    xlsx = client.get("/register/export.xlsx", query_string={"gremium": "lenkungskreis"})
    assert xlsx.status_code == 200
    assert xlsx.headers["Content-Disposition"].endswith(f"beschlussregister-{TODAY:%Y%m%d}.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet["A1"].value == "Beschluss- und Maßnahmenregister"
    assert "Gremium: lenkungskreis" in sheet["A2"].value and "3 Einträge" in sheet["A2"].value
    header = [c.value for c in sheet[4]]
    assert header[:6] == ["Gremium", "Sitzung", "Datum", "TOP", "Thema", "Beschluss / Ergebnis"]
    data = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert len(data) == 3
    by_topic = {row[4]: row for row in data}
    sprach = by_topic["Sprachmittlung"]
    assert sprach[2] == dt.datetime(2026, 2, 10)  # a real date cell, shown as DD.MM.YYYY
    assert sprach[6] == '=HYPERLINK("http://x")'
    assert sheet.cell(5 + data.index(sprach), 7).data_type == "s"  # text, not a formula
    assert sprach[10] == "überfällig – offen" and sprach[12] == "Ja"

    text = client.get("/register/export.csv").data
    assert text.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert table[0][0] == "Gremium" and len(table) == 5
    assert ['\'=HYPERLINK("http://x")'] == [r[6] for r in table if r[4] == "Sprachmittlung"]
    assert {r[2] for r in table[1:]} == {"10.02.2026", "05.03.2026"}

    word = client.get("/register/export.docx", query_string={"stand": "ueberfaellig"})
    document = docx.Document(io.BytesIO(word.data))
    cells = [[c.text for c in r.cells] for t in document.tables for r in t.rows]
    assert len(cells) == 3  # header and the two overdue measures
    assert cells[1][3] == "Leitfaden & Checkliste <neu>"
    assert cells[1][0] == "AG Arbeit 2/2026 (05.03.2026) Think Tank KIM (Arbeitsgruppe)"
    assert any(
        "Stand: überfällig" in p.text and "2 Einträge" in p.text for p in document.paragraphs
    )
    assert client.get("/register/export.pdf").status_code == 404
    assert AuditEntry.select().where(AuditEntry.action == "register.export").count() == 3


def test_an_empty_register_exports_cleanly(client, make_user):
    make_user("koordination", ["coordination"], "amt")
    login(client, "koordination")
    assert "Keine Einträge." in screen(client)
    document = docx.Document(io.BytesIO(client.get("/register/export.docx").data))
    assert "Keine Einträge für diese Auswahl." in [p.text for p in document.paragraphs]
    sheet = load_workbook(io.BytesIO(client.get("/register/export.xlsx").data)).active
    assert sheet.max_row == 4


def test_demo_data_fills_the_register(app, client):
    from server.demo import load_demo

    load_demo(current_runtime(app))
    login(client, "sekretariat", "Verbund-Demo-2026")
    page = screen(client)
    assert len(rows(page)) == 6  # 4 from the approved Lenkungskreis, 2 from the Think Tank
    assert "überfällig – in Arbeit" in page and "politische Gremien beteiligen" in page
    assert page.count('name="status"') == 3  # measures of the approved minutes


def test_verbund_check_reports_a_broken_register_section(config_dir):
    from click.testing import CliRunner

    from server.cli import main

    config = config_dir / "config.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('table = "meeting.agenda"', 'table = "meeting.agendaa"')
    text = text.replace('status_roles = ["secretary", "coordination"]', 'status_roles = ["chef"]')
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "check"])
    assert result.exit_code == 1
    lines = text.splitlines()
    table_line = next(i for i, line in enumerate(lines, 1) if line.startswith("table ="))
    roles_line = next(i for i, line in enumerate(lines, 1) if line.startswith("status_roles"))
    assert (
        f"config.toml:{table_line}: [register] „table“: „meeting.agendaa“ ist keine Tabelle"
        in result.output
    )
    assert (
        f"config.toml:{roles_line}: [register] „status_roles“: die Rolle „chef“ gibt es nicht"
        in result.output
    )


def test_the_register_follows_each_change_of_the_minutes_at_once(client, make_user, api, meetings):
    """The entries are kept per process between requests (services/register/entry_cache.py):
    an edited agenda, a new meeting and a second reader must never see a stale register."""
    _approved, held = meetings
    make_user("koordination", ["coordination"], "amt")
    login(client, "koordination")
    assert len(rows(screen(client))) == 4
    office = api("sekretariat3", ["secretary"], "amt")
    agenda = think_tank("2026-03-05")
    agenda["agenda"].append({"topic": "Ausbildung", "decision": "Messe im Herbst"})
    edited = office.put(
        f"/records/{held['id']}/forms/meeting", json={"data": agenda, "version": held["version"]}
    )
    assert edited.status_code == 200, edited.get_json()
    assert "Messe im Herbst" in screen(client) and len(rows(screen(client))) == 5
    new_meeting(office, lenkungskreis("2026-04-01") | {"title": "LK 2/2026"})
    assert len(rows(screen(client))) == 8 and "LK 2/2026" in screen(client)

    make_user("tl", ["team_lead"], "awo")  # another reader, served from the same kept list
    other = client.application.test_client()
    login(other, "tl")
    assert len(rows(screen(other))) == 8


def test_the_start_pages_figures_are_the_registers_and_follow_each_change(
    app, client, make_user, api, meetings
):
    """The start pages' figures (services/register/figures.py) are kept per read scope
    beside the entries: they are what the register lists, for each reader, and follow a
    status update and a new meeting at once."""
    approved, _held = meetings
    runtime = current_runtime(app)
    defs, settings = runtime.definitions, runtime.settings
    readers = [
        make_user("koordination", ["coordination"], "amt"),
        make_user("tl", ["team_lead"], "awo"),
    ]

    def listed(user):
        entries = register_entries(defs, settings, user)
        measures = [e for e in entries if e["measure"]]
        by_status = Counter(
            "ueberfaellig" if e["overdue"] else e["status"] or "offen" for e in measures
        )
        decisions = sum(1 for e in entries if e["decision"])
        return by_status, decisions, len(measures), sum(1 for e in entries if e["escalation"])

    def shown(user):
        figures = register_figures(defs, settings, user)
        return figures.by_status, figures.decisions, figures.measures, figures.escalations

    first = shown(readers[0])
    assert first[2] > 0 and all(shown(u) == listed(u) for u in readers)
    make_user("sekretariat2", ["secretary"], "amt")
    login(client, "sekretariat2")
    page = screen(client)
    assert post_status(client, page, approved["id"], 1, "erledigt").status_code == 302
    updated = shown(readers[0])
    assert updated[0]["erledigt"] == first[0]["erledigt"] + 1
    assert all(shown(u) == listed(u) for u in readers)
    new_meeting(api("sekretariat3", ["secretary"], "amt"), lenkungskreis(FUTURE))
    assert shown(readers[0])[2] > updated[2]
    assert all(shown(u) == listed(u) for u in readers)
    opened = register_figures(defs, settings, readers[0]).open_measures
    dues = [e["due"] for e in opened if e["due"] is not None]
    assert dues == sorted(dues) and all(e["status"] in OPEN for e in opened)
