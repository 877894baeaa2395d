"""Deadlines (planned, closed, re-planned, reminded) and hand-overs, through API and screens."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from server import clock
from server.models import AuditEntry, Deadline, HandOver, Reminder
from server.services.records.deadlines import create_reminders
from tests.helpers import csrf_token, login

ANTRAG = {
    "verein": "Schachfreunde Süd",
    "email": "sf@example.org",
    "beginn": "2027-01-10",
    "zweck": "Uhren",
    "betrag": 80,
    "posten": [{"posten": "Uhren", "betrag": 80}],
}
DAY = dt.date(2027, 1, 4)


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.freeze(DAY)
    yield
    clock.freeze(None)


def submitted(club, clerk=None):
    rid = club.post("/records", json={"workflow": "foerderung"}).json["id"]
    club.put(f"/records/{rid}/forms/antrag", json={"data": ANTRAG, "version": 1})
    moved = club.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 2})
    assert moved.status_code == 200
    return rid, moved.json


def test_entering_a_state_plans_its_deadline_and_leaving_closes_it(api):
    club, clerk = api("sf1", ["applicant"], "sf"), api("sb1", ["clerk"])
    rid, record = submitted(club)
    assert record["deadlines"] == [
        {
            "label": "Bescheid fällig",
            "state": "eingereicht",
            "due_on": "2027-01-18",
            "overdue": False,
        }
    ]
    back = clerk.post(f"/records/{rid}/transitions", json={"to": "entwurf", "version": 3})
    assert back.json["deadlines"] == []
    clock.freeze(DAY + dt.timedelta(days=5))
    again = club.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 4})
    assert again.json["deadlines"][0]["due_on"] == "2027-01-23"  # re-planned from re-entry
    assert Deadline.select().where(Deadline.record == rid).count() == 2
    assert (
        Deadline.select().where(Deadline.record == rid, Deadline.closed_at.is_null()).count() == 1
    )


def test_reminders_are_created_once_and_shown_on_the_start_page(app, api, client):
    club = api("sf2", ["applicant"], "sf")
    rid, _ = submitted(club)
    assert create_reminders() == 0  # not due yet
    clock.freeze(DAY + dt.timedelta(days=14))
    assert create_reminders() == 1
    assert create_reminders() == 0  # idempotent
    clock.freeze(DAY + dt.timedelta(days=15))
    assert create_reminders() == 1  # now overdue: one more, of another kind
    assert {r.kind for r in Reminder.select()} == {"due", "overdue"}
    login(client, "sf2")
    home = client.get("/").get_data(as_text=True)
    assert "Erinnerungen" in home and "überfällig seit 18.01.2027" in home
    assert "Meine Fristen" in home


def test_deadlines_screen_and_api_show_only_readable_records(api, client):
    mine = api("sf3", ["applicant"], "sf")
    other = api("sf4", ["applicant"], "andere")
    submitted(mine)
    submitted(other)
    clock.freeze(DAY + dt.timedelta(days=20))
    items = mine.get("/deadlines").json["items"]
    assert len(items) == 1 and items[0]["overdue"] is True
    assert len(api("sb3", ["clerk"]).get("/deadlines?overdue=1").json["items"]) == 2
    login(client, "sf3")
    page = client.get("/deadlines/").get_data(as_text=True)
    assert page.count("überfällig seit") == 1 and "Schachfreunde Süd" in page


def test_handover_moves_access_with_the_owner_and_is_in_the_history(api, app, client):
    club = api("sf5", ["applicant"], "sf")
    clerk = api("sb5", ["clerk"], "sportamt")
    rid = club.post("/records", json={"workflow": "foerderung"}).json["id"]
    api("sf6", ["applicant"], "tsv")
    moved = club.post(
        f"/records/{rid}/handover",
        json={"owner": "sf6", "version": 1, "note": "Vereinswechsel"},
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["owner"] == "sf6" and moved.json["organisation"] == "tsv"
    assert club.get(f"/records/{rid}").status_code == 404  # own follows the owner
    handover = HandOver.get(HandOver.record == rid)
    assert handover.note == "Vereinswechsel" and handover.from_owner.username == "sf5"
    assert AuditEntry.select().where(AuditEntry.action == "record.handover").count() == 1
    login(client, "sb5")
    page = client.get(f"/records/foerderung/{rid}?verlauf=1").get_data(as_text=True)
    assert "übergeben an sf6" in page and "Vereinswechsel" in page
    assert clerk.get(f"/records/{rid}").json["version"] == 2


def test_handover_refusals(api):
    club = api("sf7", ["applicant"], "sf")
    head = api("hd7", ["head"], "sf")
    api("admin7", ["admin"], "sportamt")
    rid = club.post("/records", json={"workflow": "foerderung"}).json["id"]
    bad = club.post(f"/records/{rid}/handover", json={"owner": "niemand", "version": 1})
    assert bad.status_code == 422 and "niemand" in bad.json["errors"]["owner"][0]
    no_role = club.post(f"/records/{rid}/handover", json={"owner": "admin7", "version": 1})
    assert no_role.status_code == 422 and "arbeitet nicht mit" in no_role.json["errors"]["owner"][0]
    wrong_org = club.post(
        f"/records/{rid}/handover", json={"owner": "sf7", "organisation": "sportamt", "version": 1}
    )
    assert wrong_org.status_code == 422
    stale = club.post(f"/records/{rid}/handover", json={"organisation": "sportamt", "version": 9})
    assert stale.status_code == 409
    # the head of the organisation reads it but has no edit role in "entwurf"
    assert (
        head.post(
            f"/records/{rid}/handover", json={"organisation": "sportamt", "version": 1}
        ).status_code
        == 403
    )


def test_handover_to_an_organisation_leaves_it_unassigned_for_its_head(api, app, client):
    club = api("sf8", ["applicant"], "sf")
    head = api("hd8", ["head"], "sportamt")
    rid = club.post("/records", json={"workflow": "foerderung"}).json["id"]
    login(client, "sf8")
    page = client.get(f"/records/foerderung/{rid}").get_data(as_text=True)
    response = client.post(
        f"/records/foerderung/{rid}/handover",
        data={"target": "@sportamt", "version": "1", "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/foerderung/")
    record = head.get(f"/records/{rid}").json
    assert record["owner"] is None and record["organisation"] == "sportamt"
    assert head.get("/records?owner=-").json["total"] == 1


def test_a_large_installation_lists_only_ones_own_colleagues_for_a_hand_over(api, app, client):
    """Up to HANDOVER_PEOPLE active people every one is offered; beyond, the colleagues of
    one's own organisation and every organisation – and the hand-over still goes through."""
    from server.models import Organisation, User
    from server.services.records.view import HANDOVER_PEOPLE

    club = api("sf10", ["applicant"], "sf")
    api("sf11", ["applicant"], "sf")
    api("tv10", ["applicant"], "tsv")
    rid = club.post("/records", json={"workflow": "foerderung"}).json["id"]
    login(client, "sf10")

    def offered() -> tuple[list[str], str]:
        page = client.get(f"/records/foerderung/{rid}").get_data(as_text=True)
        select = page.split('id="handover-target"', 1)[1].split("</select>", 1)[0]
        return re.findall(r'<option value="([^"]+)"', select), page

    values, page = offered()
    assert {"sf11@sf", "tv10@tsv", "@tsv", "@sf"} <= set(values)
    assert 'id="handover-hint"' not in page

    tsv = Organisation.get(Organisation.name == "tsv")
    User.insert_many(
        [
            {
                "username": f"tv.many{n}",
                "password_hash": "x",
                "organisation": tsv.id,
                "roles": ["applicant"],
            }
            for n in range(HANDOVER_PEOPLE)
        ]
    ).execute()
    values, page = offered()
    assert "sf11@sf" in values and "@tsv" in values and "@sf" in values
    assert not [v for v in values if v.endswith("@tsv") and not v.startswith("@")]
    assert 'aria-describedby="handover-hint"' in page and 'id="handover-hint"' in page
    response = client.post(
        f"/records/foerderung/{rid}/handover",
        data={"target": "sf11@sf", "version": "1", "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 302
    assert HandOver.get(HandOver.record == rid).to_owner.username == "sf11"
