"""The JSON API as the design promises it: status codes, shapes, access, never a 500."""

from __future__ import annotations

import pytest

from server.runtime import current_runtime
from tests.helpers import ANTRAG


def create(client):
    response = client.post("/records", json={"workflow": "foerderung"})
    assert response.status_code == 201, response.json
    return response.json


def test_without_token_every_route_answers_401_json(client):
    for path in ("/api/v1/workflows", "/api/v1/records", "/api/v1/records/1"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.is_json and "Token" in response.json["error"]
    wrong = client.get("/api/v1/records", headers={"Authorization": "Bearer vb_falsch"})
    assert wrong.status_code == 401


def test_definitions_are_served_as_json(api):
    clerk = api("clerk1", ["clerk"])
    workflows = clerk.get("/workflows").json
    assert [w["id"] for w in workflows] == ["foerderung"]
    transitions = workflows[0]["transitions"]
    assert transitions[0]["from"] == ["entwurf"] and transitions[0]["to"] == "eingereicht"
    form = clerk.get("/forms/antrag").json
    assert form["fields"][0]["name"] == "verein"
    assert clerk.get("/forms/gibtsnicht").status_code == 404


def test_create_needs_a_create_role(api):
    head = api("head1", ["head"])
    response = head.post("/records", json={"workflow": "foerderung"})
    assert response.status_code == 403
    assert "anlegen" in response.json["error"]
    assert head.post("/records", json={"workflow": "nix"}).status_code == 404
    assert head.post("/records", json=["foerderung"]).status_code == 422
    assert head.post("/records", data="{kaputt", content_type="application/json").status_code == 422


def test_record_round_trip_save_and_transition(api):
    club = api("club1", ["applicant"], "verein-a")
    record = create(club)
    assert record["state"] == "entwurf" and record["version"] == 1
    assert record["data"] == {}
    assert [t["to"] for t in record["transitions"]] == ["eingereicht"]

    saved = club.put(f"/records/{record['id']}/forms/antrag", json={"data": ANTRAG, "version": 1})
    assert saved.status_code == 200, saved.json
    body = saved.json
    assert body["version"] == 2
    assert body["title"] == "SV Rhein"
    assert body["data"]["antrag"]["betrag"] == "300"
    assert body["data"]["antrag"]["beginn"] == "2027-05-01"
    assert "nachweis" not in body["data"]["antrag"]  # hidden by show_if: not stored

    moved = club.post(
        f"/records/{record['id']}/transitions", json={"to": "eingereicht", "version": 2}
    )
    assert moved.status_code == 200
    assert moved.json["state"] == "eingereicht" and moved.json["version"] == 3
    # the club may read its record but no longer edit it
    again = club.put(f"/records/{record['id']}/forms/bescheid", json={"data": {}, "version": 3})
    assert again.status_code == 403


def test_validation_errors_name_fields_and_table_cells(api):
    club = api("club2", ["applicant"], "verein-b")
    record = create(club)
    data = dict(
        ANTRAG,
        email="keine-mail",
        betrag="viel",
        beginn="31.02.2027",
        gemeinnuetzig=True,
        posten=[{"posten": "", "betrag": "x"}],
    )
    response = club.put(f"/records/{record['id']}/forms/antrag", json={"data": data, "version": 1})
    assert response.status_code == 422
    errors = response.json["errors"]
    assert "E-Mail" in errors["email"][0]
    assert "Zahl" in errors["betrag"][0]
    assert "kein gültiges Datum" in errors["beginn"][0]
    assert "Pflichtfeld" in errors["nachweis"][0]  # shown because gemeinnuetzig is ticked
    assert "posten.0.posten" in errors and "posten.0.betrag" in errors
    assert club.get(f"/records/{record['id']}").json["version"] == 1  # nothing saved


def test_stale_version_is_409_and_keeps_the_newer_data(api):
    club = api("club3", ["applicant"], "verein-c")
    record = create(club)
    first = club.put(f"/records/{record['id']}/forms/antrag", json={"data": ANTRAG, "version": 1})
    assert first.status_code == 200
    stale = club.put(
        f"/records/{record['id']}/forms/antrag",
        json={"data": dict(ANTRAG, verein="Anders"), "version": 1},
    )
    assert stale.status_code == 409
    assert "geändert" in stale.json["error"]
    assert club.get(f"/records/{record['id']}").json["title"] == "SV Rhein"
    missing = club.put(f"/records/{record['id']}/forms/antrag", json={"data": ANTRAG})
    assert missing.status_code == 422 and "version" in missing.json["errors"]


def test_transition_refusals(api):
    club = api("club4", ["applicant"], "verein-d")
    clerk = api("clerk4", ["clerk"])
    record = create(club)
    rid = record["id"]
    guard = club.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 1})
    assert guard.status_code == 422
    assert guard.json["errors"] == ["Bitte zuerst den Antrag mit Vereinsname und Betrag speichern."]
    wrong_state = club.post(f"/records/{rid}/transitions", json={"to": "bewilligt", "version": 1})
    assert wrong_state.status_code == 409
    club.put(f"/records/{rid}/forms/antrag", json={"data": ANTRAG, "version": 1})
    club.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 2})
    role = club.post(f"/records/{rid}/transitions", json={"to": "entwurf", "version": 3})
    assert role.status_code == 403
    stale = clerk.post(f"/records/{rid}/transitions", json={"to": "entwurf", "version": 2})
    assert stale.status_code == 409
    back = clerk.post(f"/records/{rid}/transitions", json={"to": "entwurf", "version": 3})
    assert back.status_code == 200 and back.json["state"] == "entwurf"


def test_scopes_decide_what_is_readable(api, make_user):
    a = api("club5", ["applicant"], "verein-e")
    b = api("club6", ["applicant"], "verein-f")
    clerk = api("clerk5", ["clerk"], "sportamt")
    head_same = api("head5", ["head"], "verein-e")
    head_other = api("head6", ["head"], "sportamt")
    admin = api("admin5", ["admin"], "sportamt")
    mine = create(a)["id"]
    theirs = create(b)["id"]
    assert {r["id"] for r in a.get("/records").json["items"]} == {mine}
    assert a.get(f"/records/{theirs}").status_code == 404
    assert (
        a.put(f"/records/{theirs}/forms/antrag", json={"data": ANTRAG, "version": 1}).status_code
        == 404
    )
    assert (
        a.post(
            f"/records/{theirs}/transitions", json={"to": "eingereicht", "version": 1}
        ).status_code
        == 404
    )
    assert a.post(f"/records/{theirs}/documents", json={"document": "eingang"}).status_code == 404
    assert {r["id"] for r in clerk.get("/records").json["items"]} == {mine, theirs}
    assert {r["id"] for r in head_same.get("/records").json["items"]} == {mine}
    assert head_other.get("/records").json["total"] == 0
    assert admin.get("/records").json["total"] == 0
    assert admin.get(f"/records/{mine}").status_code == 404


def test_paging_and_filters(api):
    clerk = api("clerk7", ["clerk"])
    ids = [create(clerk)["id"] for _ in range(3)]
    page = clerk.get("/records?workflow=foerderung&per_page=2&page=2").json
    assert page["total"] == 3 and page["pages"] == 2 and page["page"] == 2
    assert len(page["items"]) == 1
    assert clerk.get("/records?state=eingereicht").json["total"] == 0
    assert clerk.get("/records?state=entwurf").json["total"] == 3
    assert clerk.get("/records?page=abc").status_code == 422
    assert clerk.get("/records?page=0").status_code == 422
    assert sorted(r["id"] for r in clerk.get("/records").json["items"]) == ids


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "text",
        17,
        {"data": []},
        {"data": "x", "version": 1},
        {"data": {"verein": {"nested": 1}}, "version": 1},
        {"data": {"verein": ["a"]}, "version": 1},
        {"data": {"mitglieder": "1e9999"}, "version": 1},
        {"data": {"posten": [1, 2]}, "version": 1},
        {"data": {"posten": {"a": 1}}, "version": 1},
        {"data": {"sparten": "keine"}, "version": 1},
        {"data": {"verein": "a\x00b"}, "version": 1},
        {"data": {"verein": "x" * 1_000_000}, "version": 1},
        {"data": {"unbekannt": 1}, "version": 1},
        {"data": {}, "version": "1"},
        {"data": {}, "version": True},
    ],
)
def test_bad_input_is_a_clear_4xx_never_a_500(api, body):
    club = api("club9", ["applicant"], "verein-x")
    record = create(club)
    response = club.put(f"/records/{record['id']}/forms/antrag", json=body)
    assert 400 <= response.status_code < 500, response.json
    assert response.is_json and response.json["error"]
    assert club.get(f"/records/{record['id']}").json["version"] == 1


def test_openapi_lists_every_route(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for path in (
        "/workflows",
        "/forms/{form_id}",
        "/records",
        "/records/{record_id}",
        "/records/{record_id}/forms/{form_id}",
        "/records/{record_id}/transitions",
        "/records/{record_id}/documents",
        "/documents/{document_id}",
        "/documents/{document_id}/file",
    ):
        assert path in spec["paths"], path


def test_unknown_api_path_is_json_404(api):
    clerk = api("clerk10", ["clerk"])
    response = clerk.get("/gibtsnicht")
    assert response.status_code == 404 and response.is_json


def test_read_roles_and_read_scope_of_a_workflow(config_dir, app, api):
    """A directory everybody reads in full, and a workflow only some roles see at all."""
    (config_dir / "workflows" / "vereine.toml").write_text(
        'title = "Vereinsverzeichnis"\ninitial = "aktiv"\ncreate_roles = ["clerk"]\n'
        'read_scope = "all"\n[[states]]\nid = "aktiv"\nlabel = "Aktiv"\n'
    )
    (config_dir / "workflows" / "intern.toml").write_text(
        'title = "Intern"\ninitial = "offen"\ncreate_roles = ["clerk"]\n'
        'read_roles = ["clerk"]\n[[states]]\nid = "offen"\nlabel = "Offen"\n'
    )
    assert current_runtime(app).reload() == []
    clerk = api("clerk20", ["clerk"])
    club = api("club20", ["applicant"], "verein-z")
    entry = clerk.post("/records", json={"workflow": "vereine"}).json["id"]
    secret = clerk.post("/records", json={"workflow": "intern"}).json["id"]
    assert club.get(f"/records/{entry}").status_code == 200  # scope own, but read_scope all
    assert club.get(f"/records/{secret}").status_code == 404
    assert "intern" not in [w["id"] for w in club.get("/workflows").json]
    assert {r["id"] for r in club.get("/records").json["items"]} == {entry}


def test_a_changed_workflow_never_breaks_existing_records(config_dir, app, api, client):
    """Records in a state the new revision removed stay readable and can leave by "*"."""
    from tests.helpers import login

    club = api("club30", ["applicant"], "verein-30")
    clerk = api("clerk30", ["clerk"])
    record = create(club)
    club.put(f"/records/{record['id']}/forms/antrag", json={"data": ANTRAG, "version": 1})
    club.post(f"/records/{record['id']}/transitions", json={"to": "eingereicht", "version": 2})
    old_revision = current_runtime(app).definitions.workflows["foerderung"].revision
    path = config_dir / "workflows" / "foerderung.toml"
    text = path.read_text()
    text = text.replace(
        'id = "eingereicht"\nlabel = "Eingereicht"', 'id = "pruefung"\nlabel = "In Prüfung"'
    )
    text = (
        text.replace('from = ["eingereicht"]', 'from = ["pruefung"]')
        .replace('to = "eingereicht"', 'to = "pruefung"')
        .replace('state = "eingereicht"', 'state = "pruefung"')
        .replace('states = ["eingereicht", ', 'states = ["pruefung", ')
    )
    text += (
        '\n[[transitions]]\nfrom = "*"\nto = "abgelehnt"\nlabel = "Einstellen"\nroles = ["clerk"]\n'
    )
    path.write_text(text)
    assert [p for p in current_runtime(app).reload() if not p.warning] == []
    assert current_runtime(app).definitions.workflows["foerderung"].revision != old_revision

    detail = clerk.get(f"/records/{record['id']}")
    assert detail.status_code == 200 and detail.json["state"] == "eingereicht"
    assert [t["to"] for t in detail.json["transitions"]] == ["abgelehnt"]
    assert (
        clerk.put(
            f"/records/{record['id']}/forms/bescheid", json={"data": {}, "version": 3}
        ).status_code
        == 403
    )
    login(client, "clerk30")
    page = client.get(f"/records/foerderung/{record['id']}")
    assert page.status_code == 200
    assert "gibt es in der aktuellen Fassung" in page.get_data(as_text=True)
    out = clerk.post(f"/records/{record['id']}/transitions", json={"to": "abgelehnt", "version": 3})
    assert out.status_code == 200 and out.json["state"] == "abgelehnt"
