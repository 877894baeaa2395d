"""Indicators in the decision register: actual values written on after approval, the chart
with its text alternative, overdue and off-track measures labelled in words, the exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from server import clock
from server.models import AuditEntry, MeasureValue
from tests.helpers import csrf_token, login
from tests.kim.test_meetings import move, new_meeting
from tests.kim.test_register import rows, screen

TODAY = clock.today()  # Berlin: between 23:00 and 24:00 UTC it is tomorrow there
MEETING_DAY = TODAY - dt.timedelta(days=100)
DUE = TODAY + dt.timedelta(days=100)  # halfway today: the plan expects the middle


@pytest.fixture(autouse=True)
def _dates_of_today():
    """The dates anew for each test (see tests/kim/test_register.py)."""
    global TODAY, MEETING_DAY, DUE
    TODAY = clock.today()
    MEETING_DAY = TODAY - dt.timedelta(days=100)
    DUE = TODAY + dt.timedelta(days=100)


def minutes() -> dict:
    return {
        "committee": "lenkungskreis",
        "title": "LK 3/2026",
        "date": MEETING_DAY.isoformat(),
        "minute_taker": "S. Sekretariat",
        "agenda": [
            {
                "no": "1",
                "topic": "Sprachmittlung",
                "measure": "Pool ausbauen",
                "owner": "Amt 56",
                "due": DUE.isoformat(),
                "indicator": "Anteil der Fälle mit Sprachmittlung",
                "unit": "%",
                "baseline": "10",
                "target": "50",
            },
            {
                "no": "2",
                "topic": "Wartezeit",
                "measure": "Termine schneller vergeben",
                "owner": "Amt 50",
                "due": (TODAY - dt.timedelta(days=5)).isoformat(),  # overdue
                "indicator": "Tage bis zum Ersttermin",
                "unit": "Tage",
                "baseline": "40",
                "target": "14",
            },
            {"no": "3", "topic": "Wohnen", "measure": "Runder Tisch", "indicator": "ohne Zahl"},
        ],
    }


@pytest.fixture
def approved(api):
    office = api("sekretariat", ["secretary"], "amt")
    record = move(office, new_meeting(office, minutes()), "held")
    return move(office, record, "approved")


def post_value(client, page, record, row, day, value, follow=True):
    return client.post(
        "/register/wert",
        data={
            "csrf_token": csrf_token(page),
            "record": record,
            "row": row,
            "datum": day,
            "wert": value,
        },
        follow_redirects=follow,
    )


def test_actual_values_draw_the_indicator_against_the_target(client, make_user, approved):
    make_user("geschaeftsfuehrung", ["secretary"], "amt")
    login(client, "geschaeftsfuehrung")
    page = screen(client)
    assert 'name="wert"' in page and page.count('name="wert"') == 2  # rows with a target
    assert "noch nicht bewertbar" in page and "<svg" not in page  # nothing measured yet
    rid = approved["id"]
    early = (TODAY - dt.timedelta(days=50)).isoformat()
    post_value(client, page, rid, 0, early, "20")
    page = post_value(client, page, rid, 0, TODAY.isoformat(), "24,5").get_data(as_text=True)
    assert "Der Istwert wurde gespeichert." in page
    first = next(r for r in rows(page) if "Sprachmittlung" in r)
    # the chart: an image named and described, the figures also as text and as a table
    assert 'class="verbund-indicator-chart" role="img"' in first
    assert f'aria-labelledby="ind-{rid}-0-titel ind-{rid}-0-beschreibung"' in first
    assert "<desc" in first and "zuletzt 24,5\u00a0% am" in first
    assert "Ziel 50\u00a0%" in first and "laut Plan 30\u00a0%" in first
    assert "Istwerte:" in first and first.count("<circle") == 2
    assert first.count("<li>") == 2 and "24,5\u00a0%</li>" in first  # the values as text
    # 24.5 is behind the plan's 30: labelled in words, not only by colour
    assert "Indikator nicht im Plan" in first and "table-warning" in first
    assert len(rows(screen(client, stand="nicht_im_plan"))) == 1
    assert MeasureValue.select().count() == 2
    assert AuditEntry.select().where(AuditEntry.action == "register.value").count() == 2

    # a correction for the same day replaces the value in the chart (the old entry stays)
    page = post_value(client, page, rid, 0, TODAY.isoformat(), "31").get_data(as_text=True)
    first = next(r for r in rows(page) if "Sprachmittlung" in r)
    assert "zuletzt 31\u00a0% am" in first and "Indikator nicht im Plan" not in first
    assert "im Plan" in first and first.count("<circle") == 2
    assert MeasureValue.select().count() == 3
    assert len(rows(screen(client, stand="nicht_im_plan"))) == 0


def test_overdue_and_off_track_stand_out_in_words(client, make_user, approved):
    make_user("geschaeftsfuehrung", ["secretary"], "amt")
    login(client, "geschaeftsfuehrung")
    page = screen(client)
    page = post_value(client, page, approved["id"], 1, TODAY.isoformat(), "30").get_data(True)
    waiting = next(r for r in rows(page) if "Wartezeit" in r)
    # due five days ago and still open: overdue; 30 days is above the target's 14: off track
    assert "überfällig – offen" in waiting and "table-danger" in waiting
    assert "Indikator nicht im Plan" in waiting
    assert "laut Plan 14\u00a0Tage" in waiting
    assert len(rows(screen(client, stand="ueberfaellig"))) == 1


def test_bad_values_get_a_german_message_naming_the_field(client, make_user, approved, api):
    make_user("geschaeftsfuehrung", ["secretary"], "amt")
    login(client, "geschaeftsfuehrung")
    page = screen(client)
    rid = approved["id"]
    cases = [
        (TODAY.isoformat(), "viel", "wert", "Istwert: bitte eine Zahl angeben"),
        ("", "12", "datum", "Datum des Istwerts: bitte ein Datum angeben"),
        ("31.02.2026", "12", "datum", "Datum des Istwerts: bitte ein Datum angeben"),
        ((TODAY + dt.timedelta(days=1)).isoformat(), "12", "datum", "zwischen der Sitzung und"),
        ((MEETING_DAY - dt.timedelta(days=1)).isoformat(), "12", "datum", "zwischen der Sitzung"),
    ]
    for day, value, field, message in cases:
        answer = post_value(client, page, rid, 0, day, value)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 422 and message in html, message
        # the message is tied to the field it is about, and what was typed is still there
        error_id = f"{field}-{rid}-0-fehler"
        assert f'aria-describedby="{error_id}"' in html and f'id="{error_id}"' in html
        assert f'name="wert" inputmode="decimal" maxlength="30" required value="{value}"' in html
    answer = post_value(client, page, rid, 2, TODAY.isoformat(), "1")  # no target
    assert "keinen Zielwert" in answer.get_data(as_text=True)
    for row in (99, "x"):
        assert post_value(client, page, rid, row, TODAY.isoformat(), "1", False).status_code == 404
    assert MeasureValue.select().count() == 0
    # minutes not yet approved: values wait (the row index may still change)
    office = api("sekretariat3", ["secretary"], "amt")
    held = move(office, new_meeting(office, minutes()), "held")
    answer = post_value(client, page, held["id"], 0, TODAY.isoformat(), "1")
    assert "Solange das Protokoll nicht genehmigt ist" in answer.get_data(as_text=True)


def test_who_may_write_values(client, make_user, approved):
    make_user("cm", ["case_manager"], "amt")
    login(client, "cm")
    page = client.get("/").get_data(as_text=True)
    assert (
        post_value(client, page, approved["id"], 0, TODAY.isoformat(), "1", False).status_code
        == 404
    )
    client.post("/auth/logout", data={"csrf_token": csrf_token(page)})
    make_user("tl", ["team_lead"], "awo")  # reads the register, writes nothing
    login(client, "tl")
    page = screen(client)
    assert 'name="wert"' not in page
    answer = post_value(client, page, approved["id"], 0, TODAY.isoformat(), "1")
    assert "schreiben die Gremien-Geschäftsführung fort" in answer.get_data(as_text=True)
    assert MeasureValue.select().count() == 0


def test_exports_carry_the_indicator(client, make_user, approved):
    make_user("geschaeftsfuehrung", ["secretary"], "amt")
    login(client, "geschaeftsfuehrung")
    page = screen(client)
    post_value(client, page, approved["id"], 0, TODAY.isoformat(), "20")
    text = client.get("/register/export.csv").data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = table[0]
    assert header[-4:] == ["Ausgangswert", "Zielwert", "Istwert (zuletzt)", "Indikator im Plan?"]
    line = next(r for r in table if "Pool ausbauen" in r)
    assert line[-4:-1] == ["10\u00a0%", "50\u00a0%", f"20\u00a0% ({TODAY:%d.%m.%Y})"]
    assert line[-1] == "nicht im Plan"
