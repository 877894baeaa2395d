"""The stepped KIM intake and "Aus Zielvereinbarung übernehmen" in the service plan, through
the real screens without JavaScript (server-rendered steps by query parameter), and the API,
which still reads and writes the intake as one object (issue 20)."""

from __future__ import annotations

import re

import pytest

from server.models import FormSave, Record
from tests.helpers import csrf_token, login
from tests.kim.flow import create, move, save

BASE = "/records/case_management"


@pytest.fixture
def manager(api, app):
    person = api("cm1", ["case_manager"], "amt")
    browser = app.test_client()
    login(browser, "cm1")
    return person, browser


def page(browser, rid: int, query: str = "") -> str:
    answer = browser.get(f"{BASE}/{rid}{query}")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def current_step(html: str) -> str:
    found = re.search(r'<a href="[^"]*" aria-current="step">\s*<span[^>]*>[^<]*</span>\s*'
                      r'<span class="verbund-step-title">([^<]+)</span>', html)  # fmt: skip
    assert found, "no step is marked aria-current"
    return found.group(1)


def post_step(browser, rid: int, html: str, step: int, data: dict, go: str = "next"):
    form = {"csrf_token": csrf_token(html), "version": version_of(html), "step": str(step)}
    form["go"] = go
    form.update({f"intake-{k}": v for k, v in data.items()})
    return browser.post(f"{BASE}/{rid}/forms/intake", data=form)


def version_of(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def test_the_intake_is_filled_step_by_step_without_javascript(manager):
    person, browser = manager
    rid = create(person, "case_management")["id"]
    html = page(browser, rid)
    assert (
        '<nav class="verbund-steps-nav mb-3" aria-label="Schritte von „Klärung / Intake“">' in html
    )
    assert current_step(html) == "Person"
    assert "Schritt 1 von 6: Person" in html
    assert 'name="intake-name"' in html and 'name="intake-access_channel"' not in html

    answer = post_step(browser, rid, html, 0, {"name": "Amal Beispiel"})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"{BASE}/{rid}?form=intake&step=2#form-intake")
    html = page(browser, rid, "?form=intake&step=2")
    assert current_step(html) == "Sprache"
    assert 'Person</span>\n          <span class="verbund-step-status">(erledigt)' in html

    # an error of this step: shown at its field, nothing saved, the step stays
    refused = post_step(browser, rid, html, 1, {"interpreter_needed": "on"})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert current_step(body) == "Sprache"
    assert 'id="intake-interpreter_language-fehler-1"' in body
    assert Record.get_by_id(rid).version == 2

    # "Zurück" saves too, and goes back
    back = post_step(browser, rid, html, 1, {"languages": "ar"}, go="back")
    assert back.headers["Location"].endswith("step=1#form-intake")
    assert Record.get_by_id(rid).data["intake"]["languages"] == ["ar"]
    assert Record.get_by_id(rid).data["intake"]["name"] == "Amal Beispiel"

    # the summary lists what other steps still miss, each linked to its field on its step
    summary = page(browser, rid, "?form=intake&step=7")
    assert current_step(summary) == "Zusammenfassung"
    assert "Noch offen:" in summary
    assert (
        f'href="{BASE}/{rid}?form=intake&amp;step=4#intake-access_channel">Schritt 4 '
        "(Zugang und Zielgruppe): Zugangsweg:"
    ) in summary
    assert "Amal Beispiel" in summary  # the saved values, by step
    assert "Schritt 1 bearbeiten" in summary


def test_api_reads_and_writes_the_stepped_intake_as_one_object(manager):
    person, _ = manager
    whole = {
        "name": "Amal Beispiel",
        "access_channel": "welcome_point",
        "target_group": "neuzugewandert",
        "agencies": [{"agency": "Jobcenter"}, {"agency": "Ausländerbehörde"}],
    }
    record = create(person, "case_management", {"intake": whole})
    data = person.get(f"/records/{record['id']}").get_json()["data"]["intake"]
    assert data["name"] == "Amal Beispiel" and len(data["agencies"]) == 2
    # one PUT still checks every step's fields at once
    refused = person.put(
        f"/records/{record['id']}/forms/intake",
        json={"data": {"name": "A"}, "version": record["version"]},
    )
    assert refused.status_code == 422
    assert {"access_channel", "target_group"} <= set(refused.get_json()["errors"])
    steps = person.get("/forms/intake").get_json()["steps"]
    assert [s["title"] for s in steps][:2] == ["Person", "Sprache"]


def test_goals_are_copied_into_the_service_plan_on_the_server(manager, api):
    person, browser = manager
    intake = {
        "name": "Amal Beispiel",
        "access_channel": "welcome_point",
        "target_group": "neuzugewandert",
        "agencies": [{"agency": "Jobcenter"}, {"agency": "Ausländerbehörde"}],
    }
    case = create(person, "case_management", {"intake": intake})
    consent = {"purpose": "fallarbeit", "given_at": "2026-01-05"}
    assert person.post(f"/records/{case['id']}/consents", json=consent).status_code == 201
    case = person.get(f"/records/{case['id']}").get_json()
    case = move(person, case, "assessment")
    case = save(person, case, "assessment", {"life_areas": [{"area": "sprache"}]})
    case = move(person, case, "goals")
    goals = [
        {"goal": "Deutsch B1", "target_date": "2027-01-31"},
        {"goal": "Wohnung finden"},
    ]
    case = save(person, case, "goals", {"goals": goals})
    case = move(person, case, "planning")
    rid = case["id"]
    html = page(browser, rid)
    assert ">Aus Zielvereinbarung übernehmen</button>" in html
    copy_url = f"{BASE}/{rid}/forms/planning/copy/measures"
    answer = browser.post(
        copy_url, data={"csrf_token": csrf_token(html), "version": str(case["version"])}
    )
    # the measure is for the person to write: rows shown to complete, nothing saved yet
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    assert "Die übernommenen Zeilen sind noch nicht gespeichert" in body
    assert (
        'name="planning-measures-0-goal"' in body
        and "Deutsch B1</textarea>" in body
        or ('value="Deutsch B1"' in body)
    )
    assert 'value="2027-01-31"' in body
    assert 'id="planning-measures-0-measure-fehler-1"' in body
    assert FormSave.select().where(FormSave.form == "planning").count() == 0

    # completed and saved, a second copy adds nothing
    rows = [
        {"measure": "Kurs anmelden", "goal": "Deutsch B1", "due": "2027-01-31"},
        {"measure": "Wohnungsamt", "goal": "Wohnung finden"},
    ]
    case = save(person, case, "planning", {"measures": rows})
    again = browser.post(
        copy_url, data={"csrf_token": csrf_token(html), "version": str(case["version"])}
    )
    assert again.status_code == 302
    after = page(browser, rid)
    assert "nichts Neues zu übernehmen" in after
    assert Record.get_by_id(rid).version == case["version"]
