"""One record_view() for the record page and GET /api/v1/records/<id>: both show the same
transitions, forms, documents and deadlines to the same person, and neither shows a record
the person may not read."""

from __future__ import annotations

import re

import pytest

from server.runtime import current_runtime
from server.services.errors import NotFound
from server.services.records.view import record_view
from tests.helpers import ANTRAG, login


def submitted(club) -> int:
    rid = club.post("/records", json={"workflow": "foerderung"}).json["id"]
    saved = club.put(f"/records/{rid}/forms/antrag", json={"data": ANTRAG, "version": 1})
    assert saved.status_code == 200, saved.json
    moved = club.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 2})
    assert moved.status_code == 200, moved.json
    return rid


def page_of(app, username: str, rid: int) -> tuple[int, str]:
    browser = app.test_client()
    login(browser, username)
    page = browser.get(f"/records/foerderung/{rid}")
    return page.status_code, page.get_data(as_text=True)


def buttons(html: str) -> list[str]:
    return re.findall(r'<button type="submit" [^>]*data-to="([a-z_]+)"', html)


def test_page_and_api_offer_the_same_steps_documents_and_deadlines(app, api):
    club = api("club1", ["applicant"], "verein-a")
    clerk = api("clerk1", ["clerk"], "sportamt")
    head = api("head1", ["head"], "verein-a")  # reads its organisation's records
    rid = submitted(club)

    for person, steps, forms in (
        # the clerk edits the decision and may take every step out of "eingereicht"
        (clerk, ["entwurf", "bewilligt", "abgelehnt"], ["bescheid"]),
        # the head may decide but not edit; the club may do neither any more
        (head, ["bewilligt", "abgelehnt"], []),
        (club, [], []),
    ):
        body = person.get(f"/records/{rid}").json
        status, html = page_of(app, person.user.username, rid)
        assert status == 200
        assert [t["to"] for t in body["transitions"]] == steps
        assert buttons(html) == steps, person.user.username
        assert body["editable_forms"] == forms
        assert 'data-form="bescheid"' in html  # the state's form is shown to every reader
        assert (">Speichern</button>" in html) == bool(forms)
        assert [d["id"] for d in body["available_documents"]] == ["eingang"]
        assert "Eingangsbestätigung erstellen" in html
        assert [d["label"] for d in body["deadlines"]] == ["Bescheid fällig"]
        assert "Bescheid fällig:" in html

        view = record_view(current_runtime(app).definitions, person.user, rid)
        assert [t.to for t in view.transitions] == steps
        assert view.editable_forms == forms
        # what only the screen needs is not fetched for the API
        assert "handover_targets" not in view.__dict__


def test_a_record_outside_ones_scope_is_not_found_on_every_door(app, api):
    club = api("club1", ["applicant"], "verein-a")
    other = api("club2", ["applicant"], "verein-b")
    rid = submitted(club)

    assert other.get(f"/records/{rid}").status_code == 404
    assert page_of(app, "club2", rid)[0] == 404
    with pytest.raises(NotFound):
        record_view(current_runtime(app).definitions, other.user, rid)
