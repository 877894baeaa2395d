"""Deadlines of the KIM configuration from the record's own dates (issue 16), frozen clock.

Monitoring contacts recur and are done by logging a contact; goal target dates and the
residence status expiry come from the record's dates and are re-planned when those change
or the case jumps back; the agreement review follows its review interval; an overdue
contact is escalated to the team lead of the case's organisation, once.
"""

from __future__ import annotations

import datetime as dt

import pytest

from server import clock
from server.models import Deadline, Reminder
from server.runtime import current_runtime
from server.services.records.deadline_escalation import announce_deadlines, escalate_deadlines
from server.services.records.hooks import record_events
from tests.helpers import login
from tests.kim.flow import create, move, save
from tests.kim.test_case_level import open_case
from tests.kim.test_system_level import AGREEMENT

DAY = dt.date(2031, 3, 3)
MONITORING = "Monitoring-Gespräch fällig"
GOAL = "Zieldatum erreicht: Zielerreichung prüfen"
STATUS = "Aufenthaltsstatus läuft ab: Verlängerung vorbereiten"


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(DAY)
    yield clock.freeze
    clock.freeze(None)


def on(day: dt.date) -> None:
    clock.freeze(day)


def due(record: dict, label: str) -> list[str]:
    return [d["due_on"] for d in record["deadlines"] if d["label"] == label]


def to_monitoring(manager, goals: list[dict]) -> dict:
    case = move(manager, open_case(manager), "assessment")
    case = save(manager, case, "assessment", {"life_areas": [{"area": "sprache"}]})
    case = move(manager, case, "goals")
    case = save(manager, case, "goals", {"goals": goals})
    case = move(manager, case, "planning")
    case = save(manager, case, "planning", {"measures": [{"measure": "Kurs anmelden"}]})
    return move(manager, case, "monitoring")


def contact(manager, case: dict, *days: str) -> dict:
    rows = [{"date": day, "kind": "telefon"} for day in days]
    return save(manager, case, "monitoring", {"contacts": rows})


@pytest.fixture
def team(api):
    return {
        "manager": api("cm1", ["case_manager"], "amt"),
        "lead": api("tl1", ["team_lead"], "amt"),
        "other_lead": api("tl2", ["team_lead"], "caritas"),
    }


@pytest.fixture
def events():
    """Every deadline event as (kind, record id, deadline id), in order."""
    seen: list[tuple] = []

    def listener(kind):
        return lambda sender, **kw: seen.append((kind, sender, kw["deadline"]))

    receivers = {
        kind: listener(kind) for kind in ("deadline_due", "deadline_overdue", "deadline_escalated")
    }
    for kind, receiver in receivers.items():
        getattr(record_events, kind).connect(receiver)
    yield seen
    for kind, receiver in receivers.items():
        getattr(record_events, kind).disconnect(receiver)


def test_monitoring_contacts_recur_and_a_logged_contact_completes_one(team):
    manager = team["manager"]
    goals = [{"goal": "Deutsch B1", "target_date": "2031-05-15"}, {"goal": "Arbeit"}]
    case = to_monitoring(manager, goals)
    assert due(case, MONITORING) == ["2031-03-31"]  # 28 days after the phase began
    assert due(case, GOAL) == ["2031-05-15"]  # only goals with a target date
    on(DAY + dt.timedelta(days=9))
    case = contact(manager, case, "2031-03-10")
    assert due(case, MONITORING) == ["2031-04-07"]  # 28 days after the contact
    # an older contact typed in later is no new contact: nothing moves
    case = contact(manager, case, "2031-03-10", "2031-03-05")
    assert due(case, MONITORING) == ["2031-04-07"]
    case = contact(manager, case, "2031-03-10", "2031-03-05", "2031-03-12")
    assert due(case, MONITORING) == ["2031-04-09"]
    kept = Deadline.select().where(Deadline.record == case["id"], Deadline.label == MONITORING)
    assert sorted(d.closed_reason for d in kept) == ["", "done", "done"]


def test_an_overdue_contact_is_announced_once_and_escalated_to_the_own_team_lead(
    team, client, events
):
    manager, lead = team["manager"], team["lead"]
    case = to_monitoring(manager, [{"goal": "Deutsch B1"}])
    deadline = Deadline.get(Deadline.record == case["id"], Deadline.label == MONITORING)
    defs = current_runtime().definitions

    on(dt.date(2031, 3, 31))
    assert announce_deadlines() == 1 and announce_deadlines() == 0
    assert escalate_deadlines(defs) == 0
    on(dt.date(2031, 4, 13))  # 13 days overdue: not yet
    assert announce_deadlines() == 1  # now overdue: one more event, of the other kind
    assert escalate_deadlines(defs) == 0
    on(dt.date(2031, 4, 14))  # 14 days overdue
    assert escalate_deadlines(defs) == 1
    assert escalate_deadlines(defs) == 0  # once
    assert events == [
        ("deadline_due", case["id"], deadline.id),
        ("deadline_overdue", case["id"], deadline.id),
        ("deadline_escalated", case["id"], deadline.id),
    ]
    reminded = {r.user.username for r in Reminder.select().where(Reminder.kind == "escalated")}
    assert reminded == {"tl1"}  # the team lead of the case's organisation, not caritas'

    login(client, "tl1")
    page = client.get("/deadlines/?escalated=1").get_data(as_text=True)
    assert "überfällig seit 14 Tagen" in page and "eskaliert an Teamleitung" in page
    home = client.get("/").get_data(as_text=True)
    assert "an Sie eskaliert" in home  # the reminder
    block = home.partition('aria-label="Team: eskalierte Fristen"')[2]  # the team view
    team = block.partition("</section>")[0]
    assert "Amal Beispiel" in team and "eskaliert an Teamleitung" in team
    answer = lead.get("/deadlines?escalated=1").get_json()["items"]
    assert [(d["label"], d["escalated_to"]) for d in answer] == [(MONITORING, "team_lead")]

    case = manager.get(f"/records/{case['id']}").get_json()
    case = contact(manager, case, "2031-04-14")  # the contact: done, the next one planned
    assert due(case, MONITORING) == ["2031-05-12"]
    assert lead.get("/deadlines?escalated=1").get_json()["items"] == []


def test_goal_dates_are_replanned_when_the_case_jumps_back_and_forth(team):
    manager = team["manager"]
    case = to_monitoring(manager, [{"goal": "Deutsch B1", "target_date": "2031-05-15"}])
    assert due(case, GOAL) == ["2031-05-15"]
    case = move(manager, case, "goals")
    assert due(case, GOAL) == [] and due(case, MONITORING) == []  # left: closed
    on(DAY + dt.timedelta(days=3))
    goals = [
        {"goal": "Deutsch B1", "target_date": "2031-06-30"},
        {"goal": "Arbeit", "target_date": "2031-09-01"},
    ]
    case = save(manager, case, "goals", {"goals": goals})
    case = move(manager, case, "planning")
    case = move(manager, case, "monitoring")
    assert due(case, GOAL) == ["2031-06-30", "2031-09-01"]
    assert due(case, MONITORING) == ["2031-04-03"]  # from the day of re-entry


def test_a_residence_status_expiry_is_planned_weeks_before_and_follows_the_field(api):
    staff = api("abh1", ["abh_staff"], "amt")
    case = create(staff, "abh_counselling")
    assert due(case, STATUS) == []  # no date, no deadline
    form = {"name": "A. Beispiel", "referred_by": "selbst", "topics": ["bleibeperspektive"]}
    case = save(staff, case, "abh_counselling", {**form, "status_until": "2031-06-30"})
    assert due(case, STATUS) == ["2031-05-19"]  # six weeks before
    case = move(staff, case, "counselling")
    assert due(case, STATUS) == ["2031-05-19"]  # planned again in the next state
    case = save(staff, case, "abh_counselling", {**form, "status_until": "2032-06-30"})  # extended
    assert due(case, STATUS) == ["2032-05-19"]
    case = save(staff, case, "abh_counselling", form)
    assert due(case, STATUS) == []
    reasons = Deadline.select().where(Deadline.record == case["id"], Deadline.label == STATUS)
    assert [d.closed_reason for d in reasons] == ["left", "replanned", "replanned"]


@pytest.mark.parametrize(
    ("interval", "expected"),
    [("halbjaehrlich", "2031-08-02"), ("jaehrlich", "2032-02-01"), ("zweijaehrlich", "2033-01-31")],
)
def test_the_agreement_review_follows_its_review_interval(api, interval, expected):
    coordination = api("koordination", ["coordination"], "amt")
    data = {
        **AGREEMENT,
        "legal_basis": "Art. 6 Abs. 1 lit. a DSGVO",
        "review_interval": interval,
        "valid_until": "2033-12-31",
    }
    agreement = create(coordination, "agreement", {"agreement": data})
    for state in ("negotiation", "signed", "in_force"):
        agreement = move(coordination, agreement, state)
    assert due(agreement, "Überprüfung der Vereinbarung vorbereiten") == [expected]
    assert due(agreement, "Vereinbarung läuft aus: Verlängerung klären") == ["2033-10-02"]
