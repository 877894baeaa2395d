"""The access rule on every administration route, read from the app's URL map.

Anonymous visitors are sent to the login, people without the ``admin`` role get 403, admins
get the page. A route added later is covered without touching this file; a route whose
sample arguments are missing makes the test fail, so nobody forgets it.
"""

from __future__ import annotations

import pytest

from server.models import ApiToken, ConfigRevision
from server.runtime import current_runtime
from server.services.accounts.people import issue_token
from tests.helpers import csrf_token, login

ADMIN_ENDPOINTS = (
    "admin_users.",
    "admin_organisations.",
    "admin_tokens.",
    "admin_config.",
    "admin_revisions.",
    "admin_jobs.",
    "admin_audit.",
)


@pytest.fixture
def world(app, make_user):
    """An admin, a clerk, one token and one revision, so every route has something to show."""
    admin = make_user("chefin", ["admin"], "verwaltung")
    clerk = make_user("sb", ["clerk"])
    issue_token(clerk, "Test")
    runtime = current_runtime(app)
    from server.services.configuration.publish import publish

    text = (runtime.settings.forms_dir / "bescheid.toml").read_text() + "\n# geprüft\n"
    revision = publish(runtime, admin, "form", "bescheid", text, "Kommentar").revision
    return {
        "user_id": clerk.id,
        "org_id": clerk.organisation_id,
        "token_id": ApiToken.select().first().id,
        "revision_id": revision.id,
        "part": "forms",
        "config_id": "antrag",
        "queue_name": "verbund",
        "job_id": "document-1",
    }


def admin_routes(app, world):
    """(method, url) for every administration route, filled with sample arguments."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(ADMIN_ENDPOINTS):
            continue
        values = {arg: world[arg] for arg in rule.arguments}
        if rule.endpoint in ("admin_config.diagram", "admin_config.diagram_svg"):
            values["config_id"] = "foerderung"
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, url))
    assert len(routes) >= 25
    return routes


def send(client, method, url, token):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": token})


def test_anonymous_visitors_are_sent_to_the_login(app, client, world):
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    for method, url in admin_routes(app, world):
        response = send(client, method, url, token)
        assert response.status_code == 302, (method, url)
        assert "/auth/login" in response.headers["Location"], (method, url)


def test_people_without_the_admin_role_get_403(app, client, world, make_user):
    make_user("koordination", ["clerk", "head"])
    login(client, "koordination")
    token = csrf_token(client.get("/").get_data(as_text=True))
    for method, url in admin_routes(app, world):
        response = send(client, method, url, token)
        assert response.status_code == 403, (method, url)
        assert "Keine Berechtigung" in response.get_data(as_text=True)
    assert ConfigRevision.select().count() == 1  # nothing was published by anybody else


def test_admins_get_every_page(app, client, world):
    login(client, "chefin")
    for method, url in admin_routes(app, world):
        if method != "GET":
            continue
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_a_deactivated_admin_is_sent_to_the_login(app, client, world):
    from server.models import User

    login(client, "chefin")
    assert client.get("/admin/users/").status_code == 200
    User.update(active=False).where(User.username == "chefin").execute()
    response = client.get("/admin/users/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_the_menu_shows_the_administration_to_admins_only(client, world):
    login(client, "sb")
    assert "/admin/users/" not in client.get("/").get_data(as_text=True)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client.get("/").get_data(True))})
    login(client, "chefin")
    page = client.get("/").get_data(as_text=True)
    assert "Verwaltung" in page and "/admin/users/" in page and "/admin/config/" in page


def test_every_post_needs_the_csrf_token(app, client, world):
    login(client, "chefin")
    for method, url in admin_routes(app, world):
        if method == "POST":
            response = client.post(url, data={})
            assert response.status_code == 400, url
            assert "Formular ist abgelaufen" in response.get_data(as_text=True)
