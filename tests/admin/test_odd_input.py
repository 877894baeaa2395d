"""Odd and hostile input to the administration screens: a message, never a 500."""

from __future__ import annotations

import pytest

from tests.admin.editor import editor_text
from tests.helpers import csrf_token, login

LONG = "x" * 5000
ODD = "\u202e<script>alert(1)</script>'\"%_\\\x00"


@pytest.fixture
def admin_client(client, make_user):
    make_user("chefin", ["admin"], "verwaltung")
    login(client, "chefin")
    return client


GETS = [
    "/admin/users/?page=-1&q=" + ODD + "&role=%25&active=maybe&org=" + LONG,
    "/admin/users/999999",
    "/admin/organisations/999999",
    "/admin/tokens/?user=" + ODD + "&revoked=2&page=99999999999",
    "/admin/audit/?record=99999999999999999999&from=2026-02-30&to=" + ODD + "&action=" + LONG,
    "/admin/audit/?page=abc&user=" + LONG,
    "/admin/config/new?kind=tabelle",
    "/admin/config/forms/" + "a" * 300,
    "/admin/config/forms/..%2F..%2Fconfig",
    "/admin/config/workflows/gibtsnicht/diagram",
    "/admin/config/forms/gibtsnicht/preview",
    "/admin/revisions/?kind=" + ODD + "&name=" + LONG + "&page=0",
    "/admin/revisions/file/forms/gibtsnicht",
    "/admin/revisions/file/tabellen/x",
]

POSTS = [
    ("/admin/users/new", {"username": ODD, "roles": [ODD], "organisation": LONG}),
    ("/admin/users/new", {"username": "a" * 200, "password": LONG, "email": ODD}),
    ("/admin/users/999999/password", {}),
    ("/admin/organisations/new", {"name": ODD, "label": LONG}),
    ("/admin/tokens/new", {"user": "-5", "label": LONG}),
    ("/admin/tokens/999999/revoke", {}),
    ("/admin/jobs/" + "q" * 300 + "/x/retry", {}),
    ("/admin/config/new", {"kind": "form", "name": ODD, "title": LONG}),
    ("/admin/config/new", {"kind": "workflow", "name": "ok_id", "title": ODD}),
    ("/admin/config/forms/antrag", {"toml": ODD, "message": LONG, "action": "check"}),
    ("/admin/config/forms/antrag", {"toml": LONG * 60, "message": "m", "action": "publish"}),
    ("/admin/config/forms/antrag", {"toml": "[[fields]]\n" * 50, "base_revision": ODD}),
    ("/admin/config/workflows/foerderung", {"toml": "title = 5\nstates = 3", "message": "m"}),
    ("/admin/config/forms/neu_form", {"toml": ODD, "message": "m", "base_revision": "-1"}),
    ("/admin/config/forms/gibtsnicht/delete", {"message": "weg"}),
    ("/admin/config/forms/antrag/delete", {}),
    ("/admin/revisions/999999/rollback", {}),
    ("/admin/revisions/file/forms/gibtsnicht/restore", {}),
]


def test_no_page_answers_with_a_server_error(admin_client):
    for url in GETS:
        response = admin_client.get(url)
        assert response.status_code < 500, url
    token = csrf_token(admin_client.get("/admin/users/").get_data(as_text=True))
    for url, data in POSTS:
        response = admin_client.post(url, data={"csrf_token": token, **data})
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code == 200 and "text/html" in response.content_type:
            assert "<script>alert(1)" not in response.get_data(as_text=True), url


def test_nul_characters_are_refused_not_stored(admin_client, api):
    """PostgreSQL refuses NUL in text; Verbund must answer before the database does."""
    token = csrf_token(admin_client.get("/admin/users/").get_data(as_text=True))
    assert admin_client.get("/admin/users/?q=a%00b").status_code == 400
    assert admin_client.get("/admin/config/forms/a%00b").status_code == 400
    response = admin_client.post(
        "/admin/organisations/new", data={"csrf_token": token, "name": "nul", "label": "a\x00b"}
    )
    assert response.status_code == 400
    admin = api("admin.nul", ["admin"], "verwaltung")
    text = admin.get("/config/forms/antrag").json["toml"]
    put = admin.put("/config/forms/antrag", json={"toml": text + "#\n", "message": "a\x00b"})
    assert put.status_code == 422
    assert admin.get("/config/revisions?name=a%00b").status_code == 422


def test_a_title_with_quotes_still_gives_a_valid_starter(admin_client):
    token = csrf_token(admin_client.get("/admin/config/new").get_data(as_text=True))
    page = admin_client.post(
        "/admin/config/new",
        data={"csrf_token": token, "kind": "workflow", "name": "zitat", "title": 'Der "Fall" \\ 1'},
    )
    html = page.get_data(as_text=True)
    check = admin_client.post(
        "/admin/config/workflows/zitat",
        data={
            "csrf_token": token,
            "toml": editor_text(html),
            "action": "check",
            "base_revision": "-1",
        },
    )
    assert check.status_code == 200 and "Keine Fehler gefunden" in check.get_data(as_text=True)
