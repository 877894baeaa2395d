"""Revisions: the list, a revision's diff, rollback to any revision and to the file."""

from __future__ import annotations

import pytest

from server.models import AuditEntry, ConfigRevision, Record
from tests.helpers import csrf_token, login


@pytest.fixture
def admin_client(client, make_user):
    make_user("chefin", ["admin"], "verwaltung")
    login(client, "chefin")
    return client


@pytest.fixture
def three_versions(app, api):
    """The form „bescheid“ published twice through the API: file → r1 → r2."""
    admin = api("admin.api", ["admin"], "verwaltung")
    original = admin.get("/config/forms/bescheid").json["toml"]
    first = original.replace('label = "Begründung"', 'label = "Begründung (kurz)"')
    second = first.replace('label = "Entscheidung"', 'label = "Ergebnis"')
    r1 = admin.put("/config/forms/bescheid", json={"toml": first, "message": "kurz"}).json
    r2 = admin.put("/config/forms/bescheid", json={"toml": second, "message": "Ergebnis"}).json
    return admin, original, first, second, r1["revision"]["id"], r2["revision"]["id"]


def test_list_shows_author_time_message(admin_client, three_versions):
    page = admin_client.get("/admin/revisions/").get_data(as_text=True)
    assert "admin.api" in page and "kurz" in page and "Ergebnis" in page
    only = admin_client.get("/admin/revisions/?kind=workflow").get_data(as_text=True)
    assert "Noch keine Veröffentlichungen" in only


def test_revision_page_shows_the_diff_to_the_version_before(admin_client, three_versions):
    *_, r1, r2 = three_versions
    page = admin_client.get(f"/admin/revisions/{r2}").get_data(as_text=True)
    assert '<span class="verbund-diff-del">-label = &#34;Entscheidung&#34;</span>' in page
    assert '<span class="verbund-diff-add">+label = &#34;Ergebnis&#34;</span>' in page
    assert "Begründung (kurz)" not in page.split('id="diff"')[1].split("</pre>")[0]
    assert "gilt jetzt" in page
    first = admin_client.get(f"/admin/revisions/{r1}").get_data(as_text=True)
    assert "+label = &#34;Begründung (kurz)&#34;" in first  # against the file
    assert admin_client.get("/admin/revisions/999").status_code == 404


def test_rollback_to_an_earlier_revision_and_to_the_file(admin_client, three_versions):
    admin, original, first, second, r1, r2 = three_versions
    page = admin_client.get(f"/admin/revisions/{r1}").get_data(as_text=True)
    response = admin_client.post(
        f"/admin/revisions/{r1}/rollback",
        data={"csrf_token": csrf_token(page), "message": "zu lang"},
    )
    assert response.status_code == 302
    assert admin.get("/config/forms/bescheid").json["toml"] == first
    newest = ConfigRevision.select().order_by(ConfigRevision.id.desc()).first()
    assert newest.action == "rollback" and newest.restores == r1
    assert newest.message == f"Zurückgesetzt auf Revision {r1}: zu lang"
    labels = [f["label"] for f in admin.get("/forms/bescheid").json["fields"]]
    assert "Entscheidung" in labels and "Ergebnis" not in labels

    file_page = admin_client.get("/admin/revisions/file/forms/bescheid").get_data(as_text=True)
    assert "Ausgangsstand" in file_page
    admin_client.post(
        "/admin/revisions/file/forms/bescheid/restore",
        data={"csrf_token": csrf_token(file_page)},
    )
    assert admin.get("/config/forms/bescheid").json["toml"] == original
    assert AuditEntry.select().where(AuditEntry.action == "config.publish").count() == 4


def test_rollback_that_strands_records_needs_confirmation(admin_client, api, three_versions):
    admin, *_ = three_versions
    clerk = api("sb.rb", ["clerk"])
    record_id = clerk.post("/records", json={"workflow": "foerderung"}).json["id"]
    text = admin.get("/config/workflows/foerderung").json["toml"]
    renamed = text.replace('id = "entwurf"', 'id = "neu"').replace('"entwurf"', '"neu"')
    Record.update(state="neu").where(Record.id == record_id).execute()
    done = admin.put("/config/workflows/foerderung", json={"toml": renamed, "message": "umbenannt"})
    assert done.status_code == 200, done.json
    back_to = done.json["revision"]["id"]
    # going back to the file's state names would strand the record in „neu“
    page = admin_client.get("/admin/revisions/file/workflows/foerderung").get_data(True)
    refused = admin_client.post(
        "/admin/revisions/file/workflows/foerderung/restore",
        data={"csrf_token": csrf_token(page)},
    )
    assert refused.status_code == 409
    assert "1 Datensatz/-sätze im Zustand „neu“" in refused.get_data(as_text=True)
    assert admin.get("/config/workflows/foerderung").json["revision"] == back_to
    admin_client.post(
        "/admin/revisions/file/workflows/foerderung/restore",
        data={"csrf_token": csrf_token(page), "confirm": "1"},
    )
    assert admin.get("/config/workflows/foerderung").json["toml"] == text


def test_rollback_that_would_break_other_files_is_refused(admin_client, api):
    """A deleted form comes back by rollback; rolling back to its deletion while a workflow
    uses it is refused."""
    admin = api("admin.x", ["admin"], "verwaltung")
    note = 'title = "Notiz"\n\n[[fields]]\nname = "text"\ntype = "text"\nlabel = "Text"\n'
    created = admin.put("/config/forms/notiz", json={"toml": note, "message": "neu"}).json
    token = csrf_token(admin_client.get("/admin/config/forms/notiz").get_data(True))
    admin_client.post(
        "/admin/config/forms/notiz/delete", data={"csrf_token": token, "message": "weg"}
    )
    assert admin.get("/config/forms/notiz").status_code == 404
    deletion_page = admin_client.get(f"/admin/revisions/{created['revision']['id'] + 1}").get_data(
        as_text=True
    )
    assert "gilt jetzt" in deletion_page and "Zurücksetzen auf" not in deletion_page
    rid = created["revision"]["id"]
    admin_client.post(f"/admin/revisions/{rid}/rollback", data={"csrf_token": token})
    assert admin.get("/config/forms/notiz").json["toml"] == note

    deletion = ConfigRevision.get(ConfigRevision.deleted == True)  # noqa: E712
    workflow = admin.get("/config/workflows/foerderung").json["toml"]
    uses_note = workflow.replace('forms = ["bescheid"]', 'forms = ["bescheid", "notiz"]')
    assert (
        admin.put(
            "/config/workflows/foerderung", json={"toml": uses_note, "message": "Notiz"}
        ).status_code
        == 200
    )
    refused = admin_client.post(
        f"/admin/revisions/{deletion.id}/rollback", data={"csrf_token": token}
    )
    assert refused.status_code == 409
    assert "wird noch verwendet" in refused.get_data(as_text=True)
    assert admin.get("/config/forms/notiz").status_code == 200
