"""Consent per record and purpose; after a withdrawal the case can only be closed."""

from __future__ import annotations

from server.models import AuditEntry
from tests.helpers import csrf_token, login

from .conftest import CASE, new_case


def test_consent_is_recorded_with_version_day_and_recorder(office):
    case = new_case(office["berater"])
    items = office["berater"].get(f"/records/{case['id']}/consents").json["items"]
    beratung = next(i for i in items if i["purpose"] == "beratung")
    assert beratung["status"] == "given"
    assert beratung["text_version"] == "2026-01" and beratung["given_at"] == "2026-01-05"
    assert beratung["recorded_by"] == "berater"
    foto = next(i for i in items if i["purpose"] == "foto")
    assert foto["status"] == "missing" and foto["required"] is False
    entry = AuditEntry.get(AuditEntry.action == "consent.give")
    assert entry.record_id == case["id"] and entry.organisation == "org-a"


def test_without_consent_the_case_cannot_move_on(office):
    client = office["berater"]
    case = new_case(client, consent=False)
    moved = client.post(
        f"/records/{case['id']}/transitions", json={"to": "abschluss", "version": case["version"]}
    )
    assert moved.status_code == 422
    assert "Ohne Einwilligung" in moved.json["errors"][0]


def test_after_withdrawal_saves_and_steps_are_refused_but_closing_works(office):
    client = office["berater"]
    case = new_case(client)
    rid = case["id"]
    moved = client.post(f"/records/{rid}/transitions", json={"to": "abschluss", "version": 2})
    assert moved.status_code == 200
    withdrawn = client.post(
        f"/records/{rid}/consents/beratung/withdrawal", json={"withdrawn_at": "2026-02-01"}
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json["items"][0]["status"] == "withdrawn"
    version = client.get(f"/records/{rid}").json["version"]

    saved = client.put(f"/records/{rid}/forms/fall", json={"data": CASE, "version": version})
    assert saved.status_code == 403
    assert (
        "widerrufen" in saved.json["error"]
        and "abgeschlossen oder anonymisiert" in (saved.json["error"])
    )
    back = client.post(f"/records/{rid}/transitions", json={"to": "offen", "version": version})
    assert back.status_code == 409 and "widerrufen" in back.json["error"]
    document = client.post(f"/records/{rid}/documents", json={"document": "vermerk"})
    assert document.status_code == 409
    # the team lead cannot either: it is about the record, not the person
    lead_save = office["leitung"].put(
        f"/records/{rid}/forms/fall", json={"data": CASE, "version": version}
    )
    assert lead_save.status_code == 403

    closed = client.post(
        f"/records/{rid}/transitions", json={"to": "zurueckgezogen", "version": version}
    )
    assert closed.status_code == 200 and closed.json["state"] == "zurueckgezogen"


def test_an_optional_consent_withdrawn_does_not_stop_work(office):
    client = office["berater"]
    case = new_case(client)
    rid = case["id"]
    client.post(f"/records/{rid}/consents", json={"purpose": "foto", "given_at": "2026-01-05"})
    client.post(f"/records/{rid}/consents/foto/withdrawal", json={"withdrawn_at": "2026-01-06"})
    version = client.get(f"/records/{rid}").json["version"]
    saved = client.put(f"/records/{rid}/forms/fall", json={"data": CASE, "version": version})
    assert saved.status_code == 200


def test_bad_consent_input_gets_german_messages_never_a_500(office):
    client = office["berater"]
    rid = new_case(client, consent=False)["id"]
    for body in (
        {"purpose": "beratung"},
        {"purpose": "beratung", "given_at": "gestern"},
        {"purpose": "beratung", "given_at": "2999-01-01"},
        {"purpose": "gibtsnicht", "given_at": "2026-01-01"},
        {"purpose": ["x"], "given_at": 5},
    ):
        response = client.post(f"/records/{rid}/consents", json=body)
        assert response.status_code == 422, (body, response.json)
        assert response.json["error"]
    assert client.post(f"/records/{rid}/consents", json=[1]).status_code == 422
    nothing = client.post(
        f"/records/{rid}/consents/beratung/withdrawal", json={"withdrawn_at": "2026-01-01"}
    )
    assert nothing.status_code == 422 and "keine Einwilligung" in nothing.json["error"]
    client.post(f"/records/{rid}/consents", json={"purpose": "beratung", "given_at": "2026-01-05"})
    early = client.post(
        f"/records/{rid}/consents/beratung/withdrawal", json={"withdrawn_at": "2026-01-01"}
    )
    assert early.status_code == 422 and "vor der Einwilligung" in early.json["error"]


def test_other_organisations_cannot_see_or_record_consent(office):
    rid = new_case(office["berater"])["id"]
    assert office["fremd"].get(f"/records/{rid}/consents").status_code == 404
    response = office["fremd"].post(
        f"/records/{rid}/consents/beratung/withdrawal", json={"withdrawn_at": "2026-02-01"}
    )
    assert response.status_code == 404


def test_the_record_page_records_a_withdrawal_and_shows_the_refusal(app, office):
    rid = new_case(office["berater"])["id"]
    browser = app.test_client()
    login(browser, "berater")
    page = browser.get(f"/records/beratung/{rid}").get_data(as_text=True)
    assert 'data-purpose="beratung" data-status="given"' in page
    assert "erteilt am 05.01.2026" in page  # German dates on the screen, not 2026-01-05
    done = browser.post(
        f"/einwilligungen/{rid}/widerrufen",
        data={"csrf_token": csrf_token(page), "purpose": "beratung", "withdrawn_at": "2026-02-01"},
        follow_redirects=True,
    )
    text = done.get_data(as_text=True)
    assert "Der Widerruf wurde erfasst." in text
    assert 'id="widerruf"' in text and "01.02.2026 widerrufen" in text
    assert "widerrufen am 01.02.2026 (erteilt am 05.01.2026)" in text
    version = office["berater"].get(f"/records/{rid}").json["version"]
    refused = browser.post(
        f"/records/beratung/{rid}/forms/fall",
        data={"csrf_token": csrf_token(text), "version": str(version), "fall-name": "Neu"},
        follow_redirects=True,
    )
    assert "kann nur noch abgeschlossen oder anonymisiert werden" in refused.get_data(as_text=True)
