"""The KIM case level beyond the six phases: the service plan refers to the service
directory, case conferences are pseudonymised, ABH and EBH keep their cases to themselves.
"""

from __future__ import annotations

import pytest

from tests.helpers import login
from tests.kim.flow import create, move, produce, rows_of, save, text_of

INTAKE = {
    "name": "Amal Beispiel",
    "access_channel": "welcome_point",
    "target_group": "neuzugewandert",
    "agencies": [{"agency": "Jobcenter"}, {"agency": "Ausländerbehörde"}],
}


@pytest.fixture
def people(api):
    return {
        "coordination": api("koordination", ["coordination"], "amt"),
        "manager": api("cm1", ["case_manager"], "amt"),
        "other": api("cm2", ["case_manager"], "caritas"),
        "abh": api("abh1", ["abh_staff"], "amt"),
        "abh2": api("abh2", ["abh_staff"], "amt"),
        "ebh": api("ebh1", ["ebh_staff"], "amt"),
        "secretary": api("sekretariat", ["secretary"], "amt"),
    }


def open_case(manager) -> dict:
    case = create(manager, "case_management", {"intake": INTAKE})
    answer = manager.post(
        f"/records/{case['id']}/consents", json={"purpose": "fallarbeit", "given_at": "2026-01-05"}
    )
    assert answer.status_code == 201, answer.get_json()
    return manager.get(f"/records/{case['id']}").get_json()


def test_the_service_plan_names_services_of_the_directory(people, work_jobs):
    coordination, manager = people["coordination"], people["manager"]
    service = create(coordination, "service_directory", {"service": {"name": "Sprachkurs & B1"}})
    case = move(manager, open_case(manager), "assessment")
    case = save(manager, case, "assessment", {"life_areas": [{"area": "sprache"}]})
    case = move(manager, case, "goals")
    case = save(manager, case, "goals", {"goals": [{"goal": "Deutsch B1"}]})
    case = move(manager, case, "planning")
    measures = [
        {"measure": "Kurs anmelden", "service": service["id"], "status": "vermittelt"},
        {"measure": "Termin Jobcenter", "other_provider": "Jobcenter Mitte"},
    ]
    case = save(manager, case, "planning", {"measures": measures})
    wrong = [{"measure": "x", "service": case["id"]}]  # a case is not a service
    assert (
        manager.put(
            f"/records/{case['id']}/forms/planning",
            json={"data": {"measures": wrong}, "version": case["version"]},
        ).status_code
        == 422
    )
    plan = produce(manager, case["id"], "hilfeplan", work_jobs)
    rows = rows_of(plan)
    assert ["Kurs anmelden", "Sprachkurs & B1", "", "", "vermittelt"] in rows
    assert ["Termin Jobcenter", "Jobcenter Mitte", "", "", ""] in rows


def test_a_case_conference_names_the_case_only_to_those_who_may_read_it(people, app, work_jobs):
    manager, other = people["manager"], people["other"]
    case = open_case(manager)
    data = {
        "kind": "kollegiale_beratung",
        "topic": "Übergang Schule – Ausbildung",
        "date": "2026-03-02",
        "case": case["id"],
        "participants": [{"institution": "Caritas", "function": "Case Management"}],
        "situation": "Person mit Duldung",
        "recommendations": "Beratung in der ABH",
        "barriers": [{"category": "wartezeit", "institution": "ABH"}],
    }
    conference = create(manager, "case_conference", {"case_conference": data})
    assert conference["title"] == "Übergang Schule – Ausbildung"  # never the person's name
    # colleagues of another organisation read the conference, never the case behind it
    seen = other.get(f"/records/{conference['id']}")
    assert seen.status_code == 200 and seen.get_json()["data"]["case_conference"]["case"]
    assert other.get(f"/records/{case['id']}").status_code == 404
    browser = app.test_client()
    login(browser, "cm2")
    page = browser.get(f"/records/case_conference/{conference['id']}").get_data(as_text=True)
    assert "Übergang Schule" in page and "Amal Beispiel" not in page
    assert f"Nr. {case['id']} (für Sie nicht sichtbar)" in page
    login(owner := app.test_client(), "cm1")
    assert "Amal Beispiel" in owner.get(f"/records/case_conference/{conference['id']}").get_data(
        as_text=True
    )
    # a case manager can only point at cases she may read
    refused = manager.put(
        f"/records/{conference['id']}/forms/case_conference",
        json={"data": {**data, "case": case["id"] + 1000}, "version": conference["version"]},
    )
    assert refused.status_code == 422
    # the minutes are pseudonymised on paper, too
    conference = move(manager, conference, "held")
    minutes = text_of(produce(manager, conference["id"], "fallberatung", work_jobs))
    assert f"Nr. {case['id']}" in minutes and "Amal Beispiel" not in minutes
    assert "Pseudonymisiert" in minutes
    # the secretary has nothing to do with case conferences
    assert people["secretary"].get(f"/records/{conference['id']}").status_code == 404


def test_a_case_conference_is_changed_only_by_the_organisation_that_opened_it(people, app, api):
    manager, other, coordination = people["manager"], people["other"], people["coordination"]
    lead = api("tl1", ["team_lead"], "amt")
    data = {"kind": "fallkonferenz", "topic": "Wohnungssuche", "date": "2026-03-02"}
    conference = create(manager, "case_conference", {"case_conference": data})
    url = f"/records/{conference['id']}"
    # the other organisation's case manager reads it, but cannot change it in any way
    seen = other.get(url).get_json()
    assert seen["transitions"] == [] and seen["editable_forms"] == []
    changed = other.put(
        url + "/forms/case_conference",
        json={"data": {**data, "topic": "Übernommen"}, "version": conference["version"]},
    )
    assert changed.status_code == 403
    assert "gehört einer anderen Organisation" in changed.get_json()["error"]
    moved = other.post(url + "/transitions", json={"to": "held", "version": conference["version"]})
    assert moved.status_code == 403
    assert (
        other.post(url + "/transitions", json={"to": "cancelled", "version": 1}).status_code == 403
    )
    assert manager.get(url).get_json()["data"]["case_conference"]["topic"] == "Wohnungssuche"
    browser = app.test_client()
    login(browser, "cm2")
    page = browser.get(f"/records/case_conference/{conference['id']}").get_data(as_text=True)
    assert "Wohnungssuche" in page and "Speichern" not in page and "Hat stattgefunden" not in page
    # the owning organisation's team lead and the coordination (both amt) may
    conference = save(
        lead, manager.get(url).get_json(), "case_conference", {**data, "situation": "Ohne Namen"}
    )
    conference = move(coordination, conference, "held")
    assert conference["state"] == "held"
    # and a conference of caritas is caritas' own: the coordination reads, does not change
    theirs = create(other, "case_conference", {"case_conference": data})
    assert coordination.get(f"/records/{theirs['id']}").status_code == 200
    refused = coordination.post(
        f"/records/{theirs['id']}/transitions", json={"to": "held", "version": theirs["version"]}
    )
    assert refused.status_code == 403


def test_abh_and_ebh_keep_their_cases_to_themselves(people, work_jobs):
    abh, ebh = people["abh"], people["ebh"]
    counselling = create(
        abh,
        "abh_counselling",
        {"abh_counselling": {"name": "R. Beispiel", "referred_by": "selbst", "topics": ["25b"]}},
    )
    counselling = move(abh, counselling, "counselling")
    refused = move(abh, counselling, "closed", status=422)
    assert "Ergebnis" in refused["errors"][0]
    assert people["abh2"].get(f"/records/{counselling['id']}").status_code == 200  # colleague
    for name in ("manager", "coordination", "ebh", "secretary"):
        assert people[name].get(f"/records/{counselling['id']}").status_code == 404, name
        listed = people[name].get("/records?workflow=abh_counselling").get_json()
        assert listed["items"] == [], name
    # a workflow the manager may not even see is "not found", like an unknown one
    assert (
        people["manager"].post("/records", json={"workflow": "abh_counselling"}).status_code == 404
    )

    support = create(ebh, "ebh_support", {"ebh_support": {"name": "S. Beispiel"}})
    support = move(ebh, support, "preparation")
    refused = move(ebh, support, "applied", status=422)
    assert "Sprachnachweis" in refused["errors"][0]
    ready = {"name": "S. Beispiel", "identity": True, "language": True, "applied_on": "2026-05-01"}
    support = move(ebh, save(ebh, support, "ebh_support", ready), "applied")
    checklist = text_of(produce(ebh, support["id"], "checkliste", work_jobs))
    assert "Checkliste Einbürgerung" in checklist and "S. Beispiel" in checklist
    assert "Antrag gestellt am 01.05.2026." in checklist
    for name in ("manager", "coordination", "abh"):
        assert people[name].get(f"/records/{support['id']}").status_code == 404, name


def test_a_case_ends_as_not_admitted_or_withdrawn_only_with_its_reason(people):
    """The two ends besides closing (Konzept 3.4): not admitted needs the reason and is only
    possible in the intake phase; withdrawal needs the recorded withdrawal of consent and is
    possible in any running phase. Both are final: nothing can be saved afterwards."""
    manager = people["manager"]
    case = open_case(manager)
    refused = move(manager, case, "not_admitted", status=422)
    assert "Grund der Nichtaufnahme" in refused["errors"][0]
    case = save(manager, case, "intake", {**INTAKE, "not_admitted_reason": "keine_einwilligung"})
    ended = move(manager, case, "not_admitted")
    assert ended["state"] == "not_admitted"
    edit = manager.put(
        f"/records/{ended['id']}/forms/intake", json={"data": INTAKE, "version": ended["version"]}
    )
    assert edit.status_code == 403 and "nicht zu bearbeiten" in edit.get_json()["error"]

    running = move(manager, open_case(manager), "assessment")
    assert move(manager, running, "not_admitted", status=409)  # not after the intake phase
    refused = move(manager, running, "withdrawn", status=422)
    assert "Widerruf" in refused["errors"][0]
    answer = manager.post(
        f"/records/{running['id']}/consents/fallarbeit/withdrawal",
        json={"withdrawn_at": "2026-02-01"},
    )
    assert answer.status_code == 200, answer.get_json()
    running = manager.get(f"/records/{running['id']}").get_json()
    assert move(manager, running, "withdrawn")["state"] == "withdrawn"


def test_the_service_plan_computes_its_hours_and_asks_per_row(people, app):
    from server.runtime import current_runtime
    from server.schema.expressions import evaluate_condition
    from server.workflow.engine import expression_context

    manager = people["manager"]
    case = move(manager, open_case(manager), "assessment")
    case = move(
        manager, save(manager, case, "assessment", {"life_areas": [{"area": "sprache"}]}), "goals"
    )
    case = move(manager, save(manager, case, "goals", {"goals": [{"goal": "B1"}]}), "planning")
    measures = [
        {"measure": "Kurs anmelden", "hours": "2.25", "status": "vermittelt"},
        {"measure": "Termin Jobcenter", "hours": "1,25", "status": "abgebrochen"},
    ]
    # a cancelled measure needs its reason, in its own row
    answer = manager.put(
        f"/records/{case['id']}/forms/planning",
        json={"data": {"measures": measures}, "version": case["version"]},
    )
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == {
        "measures.1.stop_reason": [
            "Zeile 2, Spalte „Grund des Abbruchs“: bitte ausfüllen "
            "(in dieser Zeile eine Pflichtangabe)."
        ]
    }
    measures[1]["stop_reason"] = "nicht erschienen"
    measures[0]["stop_reason"] = "bleibt nicht stehen"  # not cancelled: the cell is hidden
    # what a client sends for a computed field is ignored; the server computes
    data = {"measures": measures, "total_hours": "999", "measure_count": 7}
    case = save(manager, case, "planning", data)
    plan = case["data"]["planning"]
    assert plan["total_hours"] == "3.5" and plan["measure_count"] == 2
    assert plan["measures"][0]["stop_reason"] is None
    # guards read the stored value like any other
    defs = current_runtime(app).definitions
    context = expression_context(
        defs, defs.workflows["case_management"], {"state": "planning"}, case["data"]
    )
    assert evaluate_condition("planning.total_hours > 3 and planning.measure_count == 2", context)
