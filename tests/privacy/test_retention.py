"""Retention: intact through the last day of the period, anonymised the day after."""

from __future__ import annotations

import datetime as dt

import pytest

from server import clock
from server.jobs.privacy import run_privacy_maintenance
from server.models import (
    AuditEntry,
    DocumentFile,
    DocumentRequest,
    FormSave,
    Record,
    database,
)
from server.runtime import current_runtime
from server.schema.workflows import parse_workflow
from server.services.privacy.anonymise import ATTACHMENT_TABLES, KEPT_TABLES
from server.services.privacy.retention import due_records

from .conftest import CASE, new_case

START = dt.date(2026, 3, 2)


@pytest.fixture
def frozen():
    clock.freeze(START)
    yield clock.freeze
    clock.freeze(None)


def closed_case(office, work_jobs) -> int:
    """A case with a document, closed on START (retention of "abgeschlossen": 30 days)."""
    client = office["berater"]
    rid = new_case(client)["id"]
    assert client.post(f"/records/{rid}/documents", json={"document": "vermerk"}).status_code == 202
    work_jobs()
    client.post(f"/records/{rid}/transitions", json={"to": "abschluss", "version": 2})
    client.put(
        f"/records/{rid}/forms/abschluss",
        json={
            "version": 3,
            "data": {
                "grund": "ziel",
                "barrieren": [{"kategorie": "sprache", "beschreibung": "kein Dolmetscher"}],
            },
        },
    )
    done = client.post(f"/records/{rid}/transitions", json={"to": "abgeschlossen", "version": 4})
    assert done.status_code == 200
    return rid


def run_job_on(day: dt.date) -> dict:
    clock.freeze(day)
    result = run_privacy_maintenance()
    database.connect(reuse_if_open=True)
    return result


def test_intact_on_the_last_day_anonymised_the_day_after(app, office, work_jobs, frozen):
    rid = closed_case(office, work_jobs)
    last_day = START + dt.timedelta(days=30)

    assert run_job_on(last_day)["anonymised"] == 0
    record = Record.get_by_id(rid)
    assert record.data["fall"]["name"] == "Amira Beispiel" and record.title == "Amira Beispiel"
    assert DocumentFile.select().count() == 1

    assert run_job_on(last_day + dt.timedelta(days=1))["anonymised"] == 1
    record = Record.get_by_id(rid)
    fall = record.data["fall"]
    assert fall["name"] is None and fall["email"] is None and fall["notiz"] is None
    assert fall["geburtsjahr"] is None
    assert fall["zielgruppe"] == "neu"  # not personal: statistics keep it
    assert fall["kontakte"] == [{"person": None, "art": "telefon"}]
    assert record.data["abschluss"]["barrieren"][0]["kategorie"] == "sprache"
    assert record.title == "Fall " + str(rid)
    assert "amira" not in record.search_text and "example.org" not in record.search_text
    assert record.state == "abgeschlossen"
    for save in FormSave.select().where(FormSave.record == rid):
        assert "Amira" not in str(save.data) and "Jobcenter-Kontakt" not in str(save.data)
    assert DocumentRequest.select().count() == 0 and DocumentFile.select().count() == 0
    # the audit log keeps everything, and says what happened
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.record_id == rid)]
    assert "record.create" in actions and "form.save" in actions
    assert actions[-1] == "record.anonymise"
    # the API shows the anonymised record without the person
    shown = office["berater"].get(f"/records/{rid}").json
    assert shown["title"] == f"Fall {rid}" and "Amira" not in str(shown)

    # idempotent: a second run changes nothing
    assert run_job_on(last_day + dt.timedelta(days=2))["anonymised"] == 0
    assert [e.action for e in AuditEntry.select()].count("record.anonymise") == 1


def test_a_legal_hold_stops_anonymisation_until_lifted(app, office, work_jobs, frozen):
    rid = closed_case(office, work_jobs)
    from server.models import User
    from server.services.privacy.retention import set_hold

    dpo = User.get(User.username == "dpo")
    defs = current_runtime(app).definitions
    set_hold(defs, dpo, rid, "Widerspruchsverfahren Az. 12/26")
    later = START + dt.timedelta(days=90)
    assert run_job_on(later)["anonymised"] == 0
    assert Record.get_by_id(rid).data["fall"]["name"] == "Amira Beispiel"
    assert [d.held for d in due_records(defs, later)] == [True]
    set_hold(defs, dpo, rid, "", hold=False)
    assert run_job_on(later)["anonymised"] == 1
    assert [e.action for e in AuditEntry.select().where(AuditEntry.record_id == rid)][-3:] == [
        "record.hold",
        "record.release",
        "record.anonymise",
    ]


def test_open_cases_and_other_states_are_never_anonymised(app, office, frozen):
    open_case = new_case(office["berater"])["id"]
    assert run_job_on(START + dt.timedelta(days=3650))["anonymised"] == 0
    assert Record.get_by_id(open_case).data["fall"]["name"] == "Amira Beispiel"


def test_withdrawn_cases_follow_their_own_shorter_period(app, office, frozen):
    client = office["berater"]
    rid = new_case(client)["id"]
    client.post(f"/records/{rid}/consents/beratung/withdrawal", json={"withdrawn_at": "2026-03-02"})
    client.post(f"/records/{rid}/transitions", json={"to": "zurueckgezogen", "version": 2})
    assert run_job_on(START + dt.timedelta(days=7))["anonymised"] == 0
    assert run_job_on(START + dt.timedelta(days=8))["anonymised"] == 1


def test_the_dpo_anonymises_on_request_and_the_record_stays_frozen(app, office, frozen):
    from tests.helpers import csrf_token, login

    client = office["berater"]
    rid = new_case(client)["id"]
    browser = app.test_client()
    login(browser, "dpo")
    page = browser.get("/datenschutz/aufbewahrung/")
    assert page.status_code == 200
    token = csrf_token(page.get_data(as_text=True))
    wrong = browser.post(
        "/datenschutz/aufbewahrung/anonymisieren",
        data={"csrf_token": token, "record": str(rid), "confirm": "99"},
        follow_redirects=True,
    )
    assert "Bestätigung" in wrong.get_data(as_text=True)
    assert Record.get_by_id(rid).data["fall"]["name"] == "Amira Beispiel"
    done = browser.post(
        "/datenschutz/aufbewahrung/anonymisieren",
        data={"csrf_token": token, "record": str(rid), "confirm": str(rid)},
        follow_redirects=True,
    )
    assert f"Datensatz {rid} wurde anonymisiert." in done.get_data(as_text=True)
    version = client.get(f"/records/{rid}").json["version"]
    refused = client.put(f"/records/{rid}/forms/fall", json={"data": CASE, "version": version})
    assert refused.status_code == 403 and "anonymisiert" in refused.json["error"]
    entry = AuditEntry.select().where(AuditEntry.action == "record.anonymise").get()
    assert entry.username == "dpo" and entry.detail["reason"] == "request"


def test_every_table_pointing_at_records_is_either_erased_or_kept_on_purpose():
    import peewee

    from server.models import MODELS

    for model in MODELS:
        for field in model._meta.sorted_fields:
            if isinstance(field, peewee.ForeignKeyField) and field.rel_model is Record:
                table = model._meta.table_name
                assert table in ATTACHMENT_TABLES + KEPT_TABLES, (
                    f"{table}: decide in server/privacy/anonymise.py whether anonymising a "
                    "record deletes its rows (ATTACHMENT_TABLES) or keeps them (KEPT_TABLES)"
                )


RETENTION_ERRORS = [
    ('[[retention]]\nstate = "offen"\ndays = 3\n', "ist nicht final"),
    ('[[retention]]\nstate = "gibtsnicht"\ndays = 3\n', "gibt es nicht"),
    ('[[retention]]\nstate = "zu"\n', "die Frist fehlt"),
    ('[[retention]]\nstate = "zu"\ndays = -1\n', "mindestens 0"),
    ('[[retention]]\nstate = "zu"\ndays = 1\n[[retention]]\nstate = "zu"\nyears = 1\n', "schon"),
    ('[[retention]]\nstate = "zu"\nweeks = 2\n', "unbekannter Schlüssel „weeks“"),
]

BASE = """title = "T"
initial = "offen"
[[states]]
id = "offen"
label = "Offen"
[[states]]
id = "zu"
label = "Zu"
final = true
[[states]]
id = "weg"
label = "Weg"
final = true
[[transitions]]
from = ["offen"]
to = "zu"
[[transitions]]
from = ["offen"]
to = "weg"
"""


@pytest.mark.parametrize("extra,message", RETENTION_ERRORS)
def test_retention_mistakes_are_reported_with_their_line(extra, message):
    workflow, problems = parse_workflow("t", BASE + extra, "workflows/t.toml")
    errors = [p for p in problems if not p.warning]
    assert workflow is None and any(message in p.message for p in errors), problems
    assert all(p.line > 19 for p in errors)


def test_retention_is_parsed_and_uncovered_final_states_are_warned_about():
    text = BASE + '[[retention]]\nstate = "zu"\nyears = 3\nmonths = 6\n'
    workflow, problems = parse_workflow("t", text, "workflows/t.toml")
    assert workflow.retention_for("zu").label() == "3 Jahre und 6 Monate"
    assert [p.message for p in problems if p.warning] == [
        "finaler Zustand „weg“ hat keine Aufbewahrungsfrist: seine Datensätze werden nie "
        "anonymisiert"
    ]


def test_periods_in_months_end_on_the_last_day_of_a_short_month():
    from server.services.privacy.dates import add_period

    assert add_period(dt.date(2026, 1, 31), months=1) == dt.date(2026, 2, 28)
    assert add_period(dt.date(2024, 2, 29), years=1) == dt.date(2025, 2, 28)
    assert add_period(dt.date(2026, 12, 15), months=1, days=1) == dt.date(2027, 1, 16)


@pytest.mark.parametrize(
    "extra,message",
    [
        ('[[consents]]\nlabel = "A"\nversion = "1"\n', "Einwilligung Nr. 1: „id“ fehlt"),
        (
            '[[consents]]\nid = "a"\nlabel = "A"\nversion = "1"\n'
            '[[consents]]\nid = "a"\nlabel = "B"\nversion = "1"\n',
            "Einwilligungs-Id „a“ ist doppelt vergeben",
        ),
        ('[[consents]]\nid = "A b"\nlabel = "A"\nversion = "1"\n', "Einwilligungs-Id „A b“"),
    ],
)
def test_consent_ids_are_checked_like_state_ids(extra, message):
    workflow, problems = parse_workflow("t", BASE + extra, "workflows/t.toml")
    assert workflow is None and any(message in p.message for p in problems), problems
    assert all(p.line > 19 for p in problems if not p.warning)
