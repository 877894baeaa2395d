"""/api/v1/config: reading and publishing forms and workflows with an admin token."""

from __future__ import annotations

from server.models import AuditEntry, ConfigRevision, Record

ANTRAG_SMALL = """title = "Kurzantrag"

[[fields]]
name = "verein"
type = "text"
label = "Verein"
required = true

[[fields]]
name = "betrag"
type = "decimal"
label = "Betrag"
"""


def test_admin_reads_a_form_as_toml_and_its_source(api):
    admin = api("admin1", ["admin"], "verwaltung")
    response = admin.get("/config/forms/antrag")
    assert response.status_code == 200
    body = response.json
    assert body["source"] == "file" and body["revision"] is None
    assert body["path"] == "forms/antrag.toml"
    assert 'title = "Förderantrag"' in body["toml"]
    assert admin.get("/config/workflows/foerderung").json["toml"].startswith("title =")
    assert admin.get("/config/forms/gibtsnicht").status_code == 404


def test_non_admins_get_403_and_no_token_401(api, client):
    clerk = api("clerk1", ["clerk"])
    for path in ("/config/forms/antrag", "/config/workflows/foerderung", "/config/revisions"):
        assert clerk.get(path).status_code == 403
        assert client.get("/api/v1" + path).status_code == 401
    put = clerk.put("/config/forms/antrag", json={"toml": ANTRAG_SMALL, "message": "x"})
    assert put.status_code == 403 and put.is_json
    assert ConfigRevision.select().count() == 0


def test_publish_applies_at_once_and_is_a_revision_in_the_audit_log(api):
    admin = api("admin2", ["admin"], "verwaltung")
    clerk = api("clerk2", ["clerk"])
    text = (
        admin.get("/config/forms/antrag")
        .json["toml"]
        .replace('label = "Name des Vereins"', 'label = "Name des Sportvereins"')
    )
    response = admin.put("/config/forms/antrag", json={"toml": text, "message": "Beschriftung"})
    assert response.status_code == 200, response.json
    revision = response.json["revision"]
    assert revision["author"] == "admin2" and revision["message"] == "Beschriftung"
    # staff see the new label through the API at once
    labels = [f["label"] for f in clerk.get("/forms/antrag").json["fields"]]
    assert "Name des Sportvereins" in labels
    now = admin.get("/config/forms/antrag").json
    assert now["source"] == "database" and now["revision"] == revision["id"]
    entry = AuditEntry.get(AuditEntry.action == "config.publish")
    assert entry.username == "admin2" and entry.object_id == "antrag"
    assert entry.detail["revision"] == revision["id"]
    listed = admin.get("/config/revisions").json
    assert listed["total"] == 1
    assert listed["items"][0]["message"] == "Beschriftung"
    assert listed["items"][0]["author"] == "admin2" and listed["items"][0]["at"].endswith("Z")
    full = admin.get(f"/config/revisions/{revision['id']}").json
    assert full["toml"] == text
    # the same text again is no new revision
    again = admin.put("/config/forms/antrag", json={"toml": text, "message": "nochmal"})
    assert again.status_code == 200 and again.json["unchanged"] is True
    assert ConfigRevision.select().count() == 1


def test_invalid_toml_is_422_with_path_and_line_and_nothing_changes(api):
    admin = api("admin3", ["admin"], "verwaltung")
    broken = 'title = "Kaputt"\n\n[[fields]]\nname = "x"\ntype = "zahl"\nlabel = "X"\n'
    response = admin.put("/config/forms/antrag", json={"toml": broken, "message": "kaputt"})
    assert response.status_code == 422
    assert any(e.startswith("forms/antrag.toml:5:") for e in response.json["errors"])
    assert response.json["problems"][0]["line"] == 5
    syntax = admin.put("/config/forms/antrag", json={"toml": 'title = "x', "message": "m"})
    assert syntax.status_code == 422 and syntax.json["errors"][0].startswith("forms/antrag.toml:1:")
    assert ConfigRevision.select().count() == 0
    assert admin.get("/config/forms/antrag").json["source"] == "file"
    assert not AuditEntry.select().where(AuditEntry.action == "config.publish").exists()


def test_a_change_that_breaks_another_file_is_refused_there(api):
    """Dropping a field a workflow's condition uses is an error in the workflow, at its line."""
    admin = api("admin4", ["admin"], "verwaltung")
    response = admin.put(
        "/config/forms/antrag",
        json={"toml": ANTRAG_SMALL.replace('"betrag"', '"summe"'), "message": "umbenannt"},
    )
    assert response.status_code == 422
    assert any(
        e.startswith("workflows/foerderung.toml:") and "betrag" in e
        for e in response.json["errors"]
    )


def test_bad_bodies_are_json_errors(api):
    admin = api("admin5", ["admin"], "verwaltung")
    assert admin.put("/config/forms/antrag", data="kein json").status_code == 422
    assert admin.put("/config/forms/antrag", json={"toml": 5, "message": "m"}).status_code == 422
    no_message = admin.put("/config/forms/antrag", json={"toml": ANTRAG_SMALL})
    assert no_message.status_code == 422 and "message" in no_message.json["errors"][0]
    bad_id = admin.put("/config/forms/Nicht-Gut", json={"toml": ANTRAG_SMALL, "message": "m"})
    assert bad_id.status_code == 422
    huge = admin.put("/config/forms/antrag", json={"toml": "#" * 300_000, "message": "m"})
    assert huge.status_code == 422
    base = admin.put(
        "/config/forms/antrag", json={"toml": ANTRAG_SMALL, "message": "m", "base_revision": "x"}
    )
    assert base.status_code == 422


def test_new_form_is_created_with_201(api):
    admin = api("admin6", ["admin"], "verwaltung")
    text = 'title = "Notiz"\n\n[[fields]]\nname = "text"\ntype = "textarea"\nlabel = "Notiz"\n'
    response = admin.put("/config/forms/notiz", json={"toml": text, "message": "neu"})
    assert response.status_code == 201
    assert response.json["revision"]["action"] == "create"
    assert admin.get("/config/forms/notiz").json["toml"] == text


def _workflow_without_bewilligt(text: str) -> str:
    """The fixture workflow without its state „bewilligt“ and what points there."""
    parts = text.split("\n[[")
    kept = [
        p
        for p in parts
        if not (p.startswith("states]]") and 'id = "bewilligt"' in p)
        and not (p.startswith("transitions]]") and 'to = "bewilligt"' in p)
    ]
    return "\n[[".join(kept).replace('states = ["eingereicht", "bewilligt", "abgelehnt"]', "")


def test_removing_a_state_with_records_needs_confirmation(api):
    admin = api("admin7", ["admin"], "verwaltung")
    clerk = api("clerk7", ["clerk"])
    record_id = clerk.post("/records", json={"workflow": "foerderung"}).json["id"]
    Record.update(state="bewilligt").where(Record.id == record_id).execute()
    text = _workflow_without_bewilligt(admin.get("/config/workflows/foerderung").json["toml"])
    text = text.replace('states = ["bewilligt", "abgelehnt"]', 'states = ["abgelehnt"]')
    body = {"toml": text, "message": "Bewilligt entfällt"}
    refused = admin.put("/config/workflows/foerderung", json=body)
    assert refused.status_code == 409, refused.json
    impact = refused.json["impact"]
    assert impact["records_in_removed_states"] == {"bewilligt": 1}
    assert impact["records_affected"] == 1
    assert ConfigRevision.select().count() == 0
    confirmed = admin.put("/config/workflows/foerderung", json={**body, "confirm": True})
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["impact"]["records_affected"] == 1
    states = [s["id"] for s in clerk.get("/workflows/foerderung").json["states"]]
    assert "bewilligt" not in states
    entry = AuditEntry.get(AuditEntry.action == "config.publish")
    assert entry.detail["records_affected"] == 1


def test_dropping_a_field_with_values_needs_confirmation(api):
    admin = api("admin8", ["admin"], "verwaltung")
    clerk = api("clerk8", ["clerk"])
    record = clerk.post("/records", json={"workflow": "foerderung"}).json
    Record.update(data={"antrag": {"verein": "TuS", "mitglieder": 12}}).where(
        Record.id == record["id"]
    ).execute()
    text = admin.get("/config/forms/antrag").json["toml"]
    start = text.index('[[fields]]\nname = "mitglieder"')
    end = text.index("[[fields]]", start + 1)
    body = {"toml": text[:start] + text[end:], "message": "Mitglieder entfallen"}
    refused = admin.put("/config/forms/antrag", json=body)
    assert refused.status_code == 409
    assert refused.json["impact"]["records_with_dropped_fields"] == {"antrag.mitglieder": 1}
    assert admin.put("/config/forms/antrag", json={**body, "confirm": True}).status_code == 200


def _publish_changed(admin, old: str, new: str):
    text = admin.get("/config/forms/antrag").json["toml"]
    assert old in text
    return {"toml": text.replace(old, new, 1), "message": "Feld geändert"}


def test_a_change_that_refuses_stored_values_needs_confirmation_and_keeps_them(api):
    """A choice taken away, a tighter limit: the admin is told how many records hold a value
    the new version refuses; confirmed, the values stay stored and the next save names them."""
    admin = api("admin10", ["admin"], "verwaltung")
    clerk = api("clerk10", ["clerk"])
    record = clerk.post("/records", json={"workflow": "foerderung"}).json
    fitting = clerk.post("/records", json={"workflow": "foerderung"}).json
    for rec, sparten, mitglieder in ((record, ["turnen"], 12), (fitting, ["fussball"], 3)):
        Record.update(
            data={"antrag": {"verein": "TuS", "sparten": sparten, "mitglieder": mitglieder}}
        ).where(Record.id == rec["id"]).execute()
    no_turnen = _publish_changed(admin, ', { value = "turnen", label = "Turnen" }', "")
    refused = admin.put("/config/forms/antrag", json=no_turnen)
    assert refused.status_code == 409, refused.json
    assert refused.json["impact"]["records_with_unfit_values"] == {"antrag.sparten": 1}
    assert refused.json["impact"]["records_affected"] == 1
    assert admin.put("/config/forms/antrag", json={**no_turnen, "confirm": True}).status_code == 200
    stored = Record.get_by_id(record["id"]).data["antrag"]
    assert stored["sparten"] == ["turnen"]  # kept, not silently dropped
    current = clerk.get(f"/records/{record['id']}").json
    saved = clerk.put(
        f"/records/{record['id']}/forms/antrag",
        json={"data": stored, "version": current["version"]},
    )
    assert saved.status_code == 422 and "sparten" in saved.json["errors"]


def test_a_tighter_limit_counts_only_the_values_outside_it(api):
    admin = api("admin12", ["admin"], "verwaltung")
    clerk = api("clerk12", ["clerk"])
    for members in (3, 12, 40):
        record = clerk.post("/records", json={"workflow": "foerderung"}).json
        Record.update(data={"antrag": {"mitglieder": members}}).where(
            Record.id == record["id"]
        ).execute()
    at_least_ten = _publish_changed(admin, "min = 1\nmax = 100000", "min = 10\nmax = 30")
    refused = admin.put("/config/forms/antrag", json=at_least_ten)
    assert refused.status_code == 409
    assert refused.json["impact"]["records_with_unfit_values"] == {"antrag.mitglieder": 2}


def test_a_change_every_stored_value_still_fits_publishes_at_once(api):
    """A new label changes no rule: no confirmation, even for a value that came in before
    today's limits (0 members, from an import); only rule changes are checked."""
    admin = api("admin11", ["admin"], "verwaltung")
    clerk = api("clerk11", ["clerk"])
    record = clerk.post("/records", json={"workflow": "foerderung"}).json
    Record.update(data={"antrag": {"verein": "TuS", "mitglieder": 0}}).where(
        Record.id == record["id"]
    ).execute()
    relabelled = _publish_changed(admin, 'label = "Mitglieder', 'label = "Mitgliederzahl')
    published = admin.put("/config/forms/antrag", json=relabelled)
    assert published.status_code == 200, published.json
    assert published.json["impact"]["records_affected"] == 0


def test_stale_base_revision_is_409(api):
    admin = api("admin9", ["admin"], "verwaltung")
    text = admin.get("/config/forms/antrag").json["toml"]
    first = admin.put(
        "/config/forms/antrag",
        json={"toml": text + "\n# eins\n", "message": "eins", "base_revision": 0},
    )
    assert first.status_code == 200
    stale = admin.put(
        "/config/forms/antrag",
        json={"toml": text + "\n# zwei\n", "message": "zwei", "base_revision": 0},
    )
    assert stale.status_code == 409 and "Revision" in stale.json["error"]


def test_openapi_describes_the_config_calls(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/config/forms/{id}", "/config/workflows/{id}", "/config/revisions"):
        assert path in paths
    put = paths["/config/workflows/{id}"]["put"]
    assert {"200", "403", "409", "422"} <= set(put["responses"])
