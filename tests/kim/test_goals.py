"""The KIM configuration measures the goals of the concept (section 1): transfer payments at
intake and at closing, the optional satisfaction survey, complaints, access channel and
waiting time — all counted without people, nothing new required of the intake."""

from __future__ import annotations

import pytest

from server.runtime import current_runtime
from server.services.privacy.statistics import count_table, dimension_keys
from tests.kim.flow import create, move, save

TRANSFER = ["sgb2", "sgb12", "asylblg", "kein_bezug", "unbekannt"]
INTAKE = {
    "name": "Amal Beispiel",
    "access_channel": "jobcenter",
    "target_group": "neuzugewandert",
    "agencies": [{"agency": "Jobcenter"}, {"agency": "Ausländerbehörde"}],
}


@pytest.fixture
def people(api):
    return {
        "manager": api("cm1", ["case_manager"], "amt"),
        "other": api("cm2", ["case_manager"], "caritas"),
        "coordination": api("koordination", ["coordination"], "amt"),
    }


def defs_of(app):
    return current_runtime(app).definitions


def test_transfer_status_is_asked_at_intake_and_at_closing(app):
    defs = defs_of(app)
    intake, closing = defs.forms["intake"].field("transfer_intake"), None
    closing = defs.forms["evaluation"].field("transfer_closing")
    for field in (intake, closing):
        assert [c.value for c in field.choices] == TRANSFER
        assert not field.required and not field.personal  # counted, never required
    # the intake's value sits in the step "Zugang und Zielgruppe"
    steps = defs.forms["intake"].steps
    step = next(s for s in steps if s.title == "Zugang und Zielgruppe")
    assert {"transfer_intake", "first_contact", "first_appointment", "waiting_days"} <= set(
        step.fields
    )
    keys = dimension_keys(defs, defs.workflows["case_management"])
    assert "intake.transfer_intake" in keys and "evaluation.transfer_closing" in keys
    assert "intake.access_channel" in keys


def test_waiting_time_is_computed_and_the_old_intake_still_saves(people):
    manager = people["manager"]
    plain = create(manager, "case_management", {"intake": INTAKE})  # nothing new required
    assert plain["data"]["intake"].get("waiting_days") is None
    case = create(
        manager,
        "case_management",
        {
            "intake": {
                **INTAKE,
                "first_contact": "2026-03-02",
                "first_appointment": "2026-03-20",
                "transfer_intake": "sgb2",
            }
        },
    )
    assert case["data"]["intake"]["waiting_days"] == 18
    assert case["data"]["intake"]["transfer_intake"] == "sgb2"
    wrong = manager.put(
        f"/records/{case['id']}/forms/intake",
        json={"data": {**INTAKE, "transfer_intake": "reich"}, "version": case["version"]},
    )
    assert wrong.status_code == 422 and "transfer_intake" in wrong.get_json()["errors"]


def test_the_satisfaction_survey_is_optional_and_shown_when_held(app):
    form = defs_of(app).forms["evaluation"]
    survey = [form.field(n) for n in ("satisfaction_access", "satisfaction_understood")]
    assert all(f.type == "scale" and not f.required for f in survey)
    assert all(f.show_if == "survey == 'durchgefuehrt'" for f in survey)
    assert form.field("satisfaction").type == "scale"  # the overall question, as before
    assert form.field("survey_comment").personal  # free text: never counted or exported
    assert not form.field("recommend").personal


def test_complaints_are_counted_without_people(app, people):
    defs = defs_of(app)
    form = defs.forms["complaint"]
    personal = {f.name for f in form.fields if f.personal}
    assert personal == {"summary"}  # the only free text; no name, no contact at all
    manager, other, coordination = people["manager"], people["other"], people["coordination"]
    complaint = create(
        manager,
        "complaint",
        {
            "complaint": {
                "received_on": "2026-03-02",
                "category": "wartezeit",
                "channel": "telefon",
                "concerns": "jobcenter",
            }
        },
    )
    assert complaint["title"] == "Wartezeit"
    refused = move(manager, complaint, "answered", status=422)
    assert "Datum und beantwortende Stelle" in str(refused)
    complaint = save(
        manager,
        complaint,
        "complaint",
        {
            **complaint["data"]["complaint"],
            "answered_on": "2026-03-09",
            "answered_by": "amt",
            "outcome": "abgeholfen",
        },
    )
    reopened = move(manager, complaint, "answered")
    assert reopened["state"] == "answered"
    # the coordination reads every complaint; another organisation reads but does not edit
    assert coordination.get(f"/records/{complaint['id']}").status_code == 200
    assert other.get(f"/records/{complaint['id']}").status_code == 200
    foreign = other.put(
        f"/records/{complaint['id']}/forms/complaint",
        json={"data": {"category": "sonstiges"}, "version": reopened["version"]},
    )
    assert foreign.status_code == 403
    workflow = defs.workflows["complaint"]
    keys = dimension_keys(defs, workflow)
    assert {"complaint.category", "complaint.channel", "complaint.answered_by"} <= set(keys)
    assert "complaint.summary" not in keys
    table = count_table(defs, workflow, "complaint.category", "state", min_cell=1)
    assert table.total == 1
