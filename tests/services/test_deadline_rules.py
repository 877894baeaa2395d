"""Deadline rules on the fixture office (issue 16): days chosen by a select and re-planned when
it changes, deadlines planned before the new columns existed, and an escalation to a role in
the whole installation. Frozen clock; SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import shutil
import threading

import pytest
from playhouse.migrate import SchemaMigrator, migrate

from server import clock
from server.models import MODELS, Deadline, Record, Reminder, User, database
from server.models.migrations import MIGRATIONS, SchemaVersion, apply_pending, read_state
from server.runtime import current_runtime
from server.services.records.deadline_escalation import announce_deadlines, escalate_deadlines
from server.services.records.hooks import record_events
from tests.conftest import FIXTURES
from tests.services.test_deadlines_and_handover import ANTRAG

PLANS = next(m for m in MIGRATIONS if m.number == 4)  # m0004_deadline_plans
DAY = dt.date(2027, 1, 4)
RULE = """
[[deadlines]]
state = "eingereicht"
days = 30
days_field = "bescheid.entscheidung"
days_by_choice = { bewilligt = 5, abgelehnt = 20 }
label = "Auszahlung anweisen"
escalate_after_days = 0
escalate_to = "head"
escalate_scope = "all"
"""
NEW_COLUMNS = {"planned_from", "closed_reason", "escalated_at", "escalated_to", "announced"}


@pytest.fixture
def config_dir(tmp_path):
    target = tmp_path / "office"
    shutil.copytree(FIXTURES / "foerderung", target)
    workflow = target / "workflows" / "foerderung.toml"
    workflow.write_text(workflow.read_text(encoding="utf-8") + RULE, encoding="utf-8")
    return target


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze(DAY)
    yield
    clock.freeze(None)


def submitted(club) -> dict:
    rid = club.post("/records", json={"workflow": "foerderung"}).json["id"]
    club.put(f"/records/{rid}/forms/antrag", json={"data": ANTRAG, "version": 1})
    moved = club.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 2})
    assert moved.status_code == 200, moved.json
    return moved.json


def payout(record: dict) -> list[str]:
    return [d["due_on"] for d in record["deadlines"] if d["label"] == "Auszahlung anweisen"]


def test_days_chosen_by_a_select_are_replanned_when_it_changes(api):
    club, clerk = api("sf1", ["applicant"], "sf"), api("sb1", ["clerk"])
    record = submitted(club)
    assert payout(record) == ["2027-02-03"]  # nothing chosen: days = 30
    clock.freeze(DAY + dt.timedelta(days=2))
    saved = clerk.put(
        f"/records/{record['id']}/forms/bescheid",
        json={"data": {"entscheidung": "bewilligt"}, "version": record["version"]},
    ).json
    assert payout(saved) == ["2027-01-09"]  # 5 days from entering the state, not from today
    saved = clerk.put(
        f"/records/{record['id']}/forms/bescheid",
        json={"data": {"entscheidung": "abgelehnt"}, "version": saved["version"]},
    ).json
    assert payout(saved) == ["2027-01-24"]


def test_an_escalation_to_all_holders_of_a_role_reaches_other_organisations(api):
    club = api("sf2", ["applicant"], "sf")
    api("chef", ["head"], "rathaus")
    gone = api("ehemals", ["head"], "rathaus").user
    User.update(active=False).where(User.id == gone.id).execute()  # left: not reached
    record = submitted(club)
    defs = current_runtime().definitions
    clock.freeze(dt.date(2027, 2, 3))  # due today: not yet overdue
    assert escalate_deadlines(defs) == 0
    clock.freeze(dt.date(2027, 2, 4))  # overdue: escalate_after_days = 0 escalates at once
    assert escalate_deadlines(defs) == 1
    assert [r.user.username for r in Reminder.select().where(Reminder.kind == "escalated")] == [
        "chef"
    ]
    deadline = Deadline.get(
        Deadline.record == record["id"], Deadline.label == "Auszahlung anweisen"
    )
    assert deadline.escalated_to == "head"


def test_an_older_database_gets_the_new_deadline_columns(api):
    # as a database at migration 0003 had it: the deadline table without the five columns
    migrator = SchemaMigrator.from_database(database.obj)
    migrate(*(migrator.drop_column("deadline", column) for column in sorted(NEW_COLUMNS)))
    SchemaVersion.delete().where(SchemaVersion.version == PLANS.number).execute()
    assert [m.number for m in read_state(MODELS).pending] == [PLANS.number]
    apply_pending(MODELS)
    assert NEW_COLUMNS <= {c.name for c in database.get_columns("deadline")}
    club, clerk = api("sf3", ["applicant"], "sf"), api("sb3", ["clerk"])
    record = submitted(club)  # planning and re-planning work on the upgraded table
    saved = clerk.put(
        f"/records/{record['id']}/forms/bescheid",
        json={"data": {"entscheidung": "bewilligt"}, "version": record["version"]},
    ).json
    assert payout(saved) == ["2027-01-09"]


def test_two_runs_side_by_side_send_each_deadline_event_once(api):
    club = api("sf4", ["applicant"], "sf")
    for _ in range(3):
        submitted(club)
    record_ids = [r.id for r in Record.select(Record.id)]
    rows = [
        {"record": record_ids[i % 3], "state": "eingereicht", "label": f"Frist {i}", "due_on": DAY}
        for i in range(600)
    ]
    with database.atomic():
        Deadline.insert_many(rows).execute()
    due = Deadline.select().where(Deadline.due_on <= DAY).count()
    seen: list[int] = []
    lock = threading.Lock()

    def listener(sender, deadline, **_):
        with lock:
            seen.append(deadline)

    def run():
        with database.connection_context():
            announce_deadlines(DAY)

    record_events.deadline_due.connect(listener)
    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        record_events.deadline_due.disconnect(listener)
    assert len(seen) == due == len(set(seen))
