"""The configuration editor through the Flask client: list, edit, check, publish, delete."""

from __future__ import annotations

import re

import pytest

from server.models import AuditEntry, ConfigRevision, Record
from server.runtime import current_runtime
from tests.admin.editor import editor_text
from tests.helpers import csrf_token, login

EDIT_FORM = "/admin/config/forms/antrag"
EDIT_WORKFLOW = "/admin/config/workflows/foerderung"


@pytest.fixture
def admin_client(client, make_user):
    make_user("chefin", ["admin"], "verwaltung")
    login(client, "chefin")
    return client


def post_editor(client, url, text, action="publish", message="Test", **extra):
    page = client.get(url).get_data(as_text=True)
    base = re.search(r'name="base_revision" value="(-?\d*)"', page).group(1)
    data = {"csrf_token": csrf_token(page), "toml": text, "message": message, "action": action}
    return client.post(url, data={"base_revision": base, **data, **extra})


def staff_page(app, make_user, username="sb.sicht"):
    """A clerk's view of a new record (state „entwurf“, form „antrag“)."""
    make_user(username, ["clerk"])
    staff = app.test_client()
    login(staff, username)
    page = staff.get("/records/foerderung/").get_data(as_text=True)
    response = staff.post("/records/foerderung/new", data={"csrf_token": csrf_token(page)})
    return staff, response.headers["Location"]


def test_index_lists_forms_workflows_and_templates(admin_client):
    page = admin_client.get("/admin/config/").get_data(as_text=True)
    for text in ("antrag", "bescheid", "foerderung", "eingang.docx", "bescheid.docx"):
        assert text in page
    assert "Eingangsbestätigung" in page  # which document uses the template
    assert "Datei" in page  # nothing published yet


def test_editor_shows_the_text_with_line_numbers(app, admin_client):
    html = admin_client.get(EDIT_FORM).get_data(as_text=True)
    on_disk = (current_runtime(app).settings.forms_dir / "antrag.toml").read_text()
    assert editor_text(html) == on_disk
    lines = on_disk.count("\n") + 1
    assert f'<span id="zeile-{lines}">{lines}</span>' in html
    assert "verbund-admin.js" in html and "<script>" not in html  # no inline scripts


def test_publish_from_the_screen_reaches_staff_at_once(app, admin_client, make_user):
    staff, record_url = staff_page(app, make_user)
    assert "Name des Vereins" in staff.get(record_url).get_data(as_text=True)
    text = editor_text(admin_client.get(EDIT_FORM).get_data(as_text=True))
    response = post_editor(
        admin_client, EDIT_FORM, text.replace("Name des Vereins", "Vereinsname laut Register")
    )
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ist veröffentlicht (Revision" in page and "Stand: Revision" in page
    staff_view = staff.get(record_url).get_data(as_text=True)
    assert "Vereinsname laut Register" in staff_view and "Name des Vereins" not in staff_view
    revision = ConfigRevision.get()
    assert (revision.author_name, revision.message, revision.kind) == ("chefin", "Test", "form")
    entry = AuditEntry.get(AuditEntry.action == "config.publish")
    assert entry.username == "chefin" and entry.detail["revision"] == revision.id


def test_invalid_text_is_shown_at_its_line_and_nothing_is_applied(app, admin_client, make_user):
    staff, record_url = staff_page(app, make_user)
    text = editor_text(admin_client.get(EDIT_FORM).get_data(as_text=True))
    broken = text.replace('type = "integer"', 'type = "ganzzahl"')
    line = broken.splitlines().index('type = "ganzzahl"') + 1
    response = post_editor(admin_client, EDIT_FORM, broken.replace("Mitglieder", "Mitglieder*"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'data-line="{line}">Zeile {line}</a>' in html and "ganzzahl" in html
    assert f'<span id="zeile-{line}" class="verbund-error-line">' in html
    assert "nichts wurde übernommen" in html
    assert "Mitglieder*" in editor_text(html)  # what was typed is kept
    assert ConfigRevision.select().count() == 0
    assert "Mitglieder*" not in staff.get(record_url).get_data(as_text=True)


def test_check_shows_a_preview_without_publishing(admin_client):
    text = editor_text(admin_client.get(EDIT_FORM).get_data(as_text=True))
    response = post_editor(
        admin_client, EDIT_FORM, text.replace("Name des Vereins", "Vorschau-Name"), "check"
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Keine Fehler gefunden" in html and "Vorschau-Name" in html
    assert 'name="antrag-verein"' in html  # the field as staff get it
    assert ConfigRevision.select().count() == 0


def test_preview_is_the_staff_markup(app, admin_client, make_user):
    """The preview's fields are byte for byte what a clerk gets on a new record."""
    staff, record_url = staff_page(app, make_user)

    def fields(html: str) -> str:
        start = html.index('data-form="antrag"')
        start = html.index('<div class="form-group verbund-field"', start)
        end = html.index("Speichern</button>", start)
        return html[start : html.rindex("</div>", start, end)]

    preview = admin_client.get("/admin/config/forms/antrag/preview").get_data(as_text=True)
    assert fields(preview) == fields(staff.get(record_url).get_data(as_text=True))
    assert "Antragsteller" in preview  # section headings, too


def test_workflow_check_draws_the_draft_and_diagram_page(admin_client):
    text = editor_text(admin_client.get(EDIT_WORKFLOW).get_data(as_text=True))
    draft = text.replace('label = "Eingereicht"', 'label = "Beim Amt & <geprüft>"')
    html = post_editor(admin_client, EDIT_WORKFLOW, draft, "check").get_data(as_text=True)
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "Beim Amt &amp; &lt;geprüft&gt;" in svg and "Einreichen" in svg
    page = admin_client.get("/admin/config/workflows/foerderung/diagram").get_data(True)
    assert page.count('class="zustand"') == 4 and "Zur Überarbeitung zurückgeben" in page
    raw = admin_client.get("/admin/config/workflows/foerderung/diagram.svg")
    assert raw.mimetype == "image/svg+xml" and raw.data.startswith(b"<svg")


def test_removing_a_state_with_records_asks_for_confirmation(admin_client, api):
    clerk = api("sb.imp", ["clerk"])
    record_id = clerk.post("/records", json={"workflow": "foerderung"}).json["id"]
    Record.update(state="abgelehnt").where(Record.id == record_id).execute()
    text = editor_text(admin_client.get(EDIT_WORKFLOW).get_data(as_text=True))
    blocks = text.split("\n[[")
    kept = [b for b in blocks if not ('id = "abgelehnt"' in b or 'to = "abgelehnt"' in b)]
    draft = "\n[[".join(kept).replace(', "abgelehnt"]', "]")
    refused = post_editor(admin_client, EDIT_WORKFLOW, draft)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "1 Datensatz/-sätze im Zustand „abgelehnt“" in html and 'name="confirm"' in html
    assert ConfigRevision.select().count() == 0
    done = post_editor(admin_client, EDIT_WORKFLOW, editor_text(html), confirm="1")
    assert done.status_code == 302
    assert "abgelehnt" not in [s["id"] for s in clerk.get("/workflows/foerderung").json["states"]]


def test_a_stale_editor_is_refused(admin_client):
    page = admin_client.get(EDIT_FORM).get_data(as_text=True)
    text = editor_text(page)
    assert post_editor(admin_client, EDIT_FORM, text + "\n# A\n").status_code == 302
    stale = admin_client.post(
        EDIT_FORM,
        data={
            "csrf_token": csrf_token(page),
            "toml": text + "\n# B\n",
            "message": "B",
            "action": "publish",
            "base_revision": "0",
        },
    )
    assert stale.status_code == 409
    assert "Inzwischen wurde eine andere Fassung veröffentlicht" in stale.get_data(True)
    assert ConfigRevision.select().count() == 1


def test_missing_message_and_bad_ids_are_explained(admin_client):
    text = editor_text(admin_client.get(EDIT_FORM).get_data(as_text=True))
    response = post_editor(admin_client, EDIT_FORM, text + "\n# x\n", message=" ")
    assert response.status_code == 422 and "Nachricht" in response.get_data(as_text=True)
    token = csrf_token(admin_client.get(EDIT_FORM).get_data(as_text=True))
    bad = admin_client.post(
        "/admin/config/forms/Böse Id", data={"csrf_token": token, "toml": "x", "action": "check"}
    )
    assert bad.status_code == 422 and "ungültig" in bad.get_data(as_text=True)
    assert admin_client.get("/admin/config/tabellen/x").status_code == 404
    assert admin_client.get("/admin/config/forms/gibtsnicht").status_code == 404


def test_new_form_and_workflow_from_a_starter(admin_client, api):
    page = admin_client.get("/admin/config/new?kind=form").get_data(as_text=True)
    starter = admin_client.post(
        "/admin/config/new",
        data={"csrf_token": csrf_token(page), "kind": "form", "name": "notiz", "title": "Notiz"},
    )
    html = starter.get_data(as_text=True)
    assert starter.status_code == 200 and "neu – noch nicht veröffentlicht" in html
    assert 'title = "Notiz"' in editor_text(html)
    assert ConfigRevision.select().count() == 0  # only shown, not published
    created = post_editor_new(admin_client, "/admin/config/forms/notiz", html)
    assert created.status_code == 302
    assert "notiz" in admin_client.get("/admin/config/").get_data(as_text=True)

    wf_page = admin_client.post(
        "/admin/config/new",
        data={
            "csrf_token": csrf_token(page),
            "kind": "workflow",
            "name": "meldung",
            "title": "Meldung",
        },
    ).get_data(as_text=True)
    assert (
        post_editor_new(admin_client, "/admin/config/workflows/meldung", wf_page).status_code == 302
    )
    clerk = api("sb.neu", ["clerk"])
    assert "meldung" in [w["id"] for w in clerk.get("/workflows").json]
    taken = admin_client.post(
        "/admin/config/new",
        data={"csrf_token": csrf_token(page), "kind": "form", "name": "antrag", "title": "X"},
    )
    assert taken.status_code == 422 and "gibt es schon" in taken.get_data(as_text=True)
    actions = [r.action for r in ConfigRevision.select().order_by(ConfigRevision.id)]
    assert actions == ["create", "create"]


def post_editor_new(client, url, html):
    return client.post(
        url,
        data={
            "csrf_token": csrf_token(html),
            "toml": editor_text(html),
            "message": "neu",
            "action": "publish",
            "base_revision": "-1",
        },
    )


def test_delete_only_what_nothing_uses(admin_client, api):
    used = admin_client.get(EDIT_FORM).get_data(as_text=True)
    assert 'id="verwendung"' in used and "Entwurf" in used
    token = csrf_token(used)
    refused = admin_client.post(
        EDIT_FORM + "/delete", data={"csrf_token": token, "message": "weg"}, follow_redirects=True
    )
    assert "wird noch verwendet" in refused.get_data(as_text=True)
    clerk = api("sb.del", ["clerk"])
    clerk.post("/records", json={"workflow": "foerderung"})
    refused = admin_client.post(
        EDIT_WORKFLOW + "/delete",
        data={"csrf_token": token, "message": "weg"},
        follow_redirects=True,
    )
    assert "1 Datensatz/-sätze gehören zu diesem Ablauf" in refused.get_data(as_text=True)
    assert ConfigRevision.select().count() == 0

    admin_client.post(
        "/admin/config/new",
        data={"csrf_token": token, "kind": "form", "name": "entwurf2", "title": "E"},
    )
    page = admin_client.post(
        "/admin/config/new",
        data={"csrf_token": token, "kind": "form", "name": "entwurf2", "title": "E"},
    ).get_data(True)
    post_editor_new(admin_client, "/admin/config/forms/entwurf2", page)
    editor = admin_client.get("/admin/config/forms/entwurf2").get_data(as_text=True)
    assert 'id="verwendung"' not in editor
    deleted = admin_client.post(
        "/admin/config/forms/entwurf2/delete", data={"csrf_token": token, "message": "weg"}
    )
    assert deleted.status_code == 302
    assert admin_client.get("/admin/config/forms/entwurf2").status_code == 404
    assert ConfigRevision.select().order_by(ConfigRevision.id.desc()).first().deleted


def test_a_guard_over_its_work_limits_is_refused_at_its_line(admin_client):
    """Publishing evaluates each condition under its limits: this one would keep a worker
    busy for ~15 s on every attempt to move a record (issue 12); before, it was published."""
    text = editor_text(admin_client.get(EDIT_WORKFLOW).get_data(as_text=True))
    tower = "when = '((9**999)**999)**12 > 0'"
    broken = text.replace('when = "antrag.verein and antrag.betrag"', tower)
    line = broken.splitlines().index(tower) + 1
    response = post_editor(admin_client, EDIT_WORKFLOW, broken)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'data-line="{line}">Zeile {line}</a>' in html
    assert "ist zu aufwendig (Zahl mit mehr als 4096 Bit) und wurde abgebrochen" in html
    assert ConfigRevision.select().count() == 0
