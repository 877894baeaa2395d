"""The builders' live check: admin only, CSRF-protected, German messages at their key."""

from __future__ import annotations

import re

from server.models import ConfigRevision
from tests.admin.test_form_builder import Builder, admin_client, draft  # noqa: F401 - fixture
from tests.admin.test_workflow_builder_parts import WorkflowBuilder
from tests.helpers import csrf_token, login

FORM_CHECK = "/admin/builder/forms/antrag/check"
WF_CHECK = "/admin/workflow-builder/workflows/foerderung/check"


def test_a_typed_limit_is_checked_without_saving_and_named_at_its_input(admin_client):  # noqa: F811
    builder = Builder(admin_client)
    page = builder.press("edit|mitglieder")
    assert f'data-live-check="{FORM_CHECK}"' in page and "verbund-live-check.js" in page
    data = {
        "csrf_token": csrf_token(page),
        "toml": draft(page),
        "path": "mitglieder",
        "action": "save",
        "label": "Mitglieder",
        "set-min": "10",
        "set-max": "5",
    }
    answer = admin_client.post(FORM_CHECK, data=data).get_json()
    assert answer["count"] >= 1 and "Fehler im Entwurf" in answer["summary"]
    mine = [p for p in answer["problems"] if p["key"] in ("min", "max")]
    assert mine and re.match(r"forms/antrag\.toml:\d+$", mine[0]["where"])
    assert "Kleinster erlaubter Wert" in mine[0]["message"] or "Größter" in mine[0]["message"]
    data["set-max"] = "500"
    answer = admin_client.post(FORM_CHECK, data=data).get_json()
    assert answer == {
        "count": 0,
        "summary": "Geprüft: der Entwurf ist fehlerfrei.",
        "problems": [],
    }
    assert ConfigRevision.select().count() == 0  # checking stores nothing


def test_a_deadline_being_typed_gets_german_messages_at_its_keys(admin_client):  # noqa: F811
    page = WorkflowBuilder(admin_client).press("edit|deadline:0")
    data = {
        "csrf_token": csrf_token(page),
        "toml": draft(page),
        "selected": "deadline:0",
        "state": "eingereicht",
        "label": "Bescheid fällig",
        "days": "14",
        "offset_days": "-3",
    }
    answer = admin_client.post(WF_CHECK, data=data).get_json()
    keys = {p["key"]: p["message"] for p in answer["problems"]}
    assert "„Tage vor oder nach dem Datum“ gilt nur" in keys["offset_days"]
    data["days"] = "vierzehn"
    answer = admin_client.post(WF_CHECK, data=data).get_json()
    assert answer["count"] == 1 and "keine ganze Zahl" in answer["problems"][0]["message"]


def test_odd_drafts_get_a_german_answer_never_a_500(admin_client):  # noqa: F811
    page = admin_client.get("/admin/builder/forms/antrag").get_data(as_text=True)
    token = csrf_token(page)
    for url, data in (
        (FORM_CHECK, {"toml": "title = [\n", "path": "verein"}),
        (FORM_CHECK, {"toml": "fields = 3\n", "path": "x/y"}),
        (WF_CHECK, {"toml": "deadlines = 1\n", "selected": "deadline:0"}),
        (WF_CHECK, {"toml": "title = 'x'\n", "selected": "state:"}),
        (WF_CHECK, {"toml": "", "selected": "nonsense"}),
    ):
        response = admin_client.post(url, data={"csrf_token": token, **data})
        assert response.status_code in (200, 422), (url, data)
        assert "Traceback" not in response.get_data(as_text=True)
    assert (
        admin_client.post(
            "/admin/builder/forms/nirgends/check", data={"csrf_token": token}
        ).status_code
        == 404
    )


def test_only_admins_with_a_csrf_token_may_check(app, client, make_user):
    make_user("chefin", ["admin"], "verwaltung")
    make_user("koordination", ["clerk", "head"])
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    assert client.post(FORM_CHECK, data={"csrf_token": token}).status_code == 302  # login
    assert client.post(FORM_CHECK, data={}).status_code == 400  # no token: refused first
    login(client, "koordination")
    token = csrf_token(client.get("/").get_data(as_text=True))
    for url in (FORM_CHECK, WF_CHECK):
        assert client.post(url, data={"csrf_token": token}).status_code == 403
    admin = app.test_client()
    login(admin, "chefin")
    page = admin.get("/admin/builder/forms/antrag").get_data(as_text=True)
    without = admin.post(FORM_CHECK, data={"toml": draft(page), "path": ""})
    assert without.status_code in (400, 403) and without.get_json() is None
