"""People, organisations and API tokens through the administration screens (CSRF on)."""

from __future__ import annotations

import re

import pytest

from server.models import ApiToken, AuditEntry, Organisation, User
from tests.helpers import PASSWORD, csrf_token, login


def token_of(client, url: str) -> str:
    return csrf_token(client.get(url).get_data(as_text=True))


@pytest.fixture
def admin_client(app, client, make_user):
    make_user("chefin", ["admin"], "verwaltung")
    login(client, "chefin")
    return client


def logged_in(app, username: str):
    other = app.test_client()
    assert login(other, username).status_code == 302
    assert other.get("/").status_code == 200
    return other


def test_create_a_person_with_roles_from_config_and_a_password_shown_once(app, admin_client):
    page = admin_client.get("/admin/users/new").get_data(as_text=True)
    for role in ("Verein (Antragsteller)", "Sachbearbeitung", "Amtsleitung"):
        assert role in page  # the roles of config.toml as check boxes
    org = Organisation.get(Organisation.name == "verwaltung")
    response = admin_client.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_token(page),
            "username": "neu.sb",
            "display_name": "Neue Sachbearbeiterin",
            "email": "neu@example.org",
            "organisation": str(org.id),
            "roles": ["clerk", "head"],
            "active": "y",
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "nur jetzt angezeigt" in html
    password = re.search(r'id="einmal-passwort">([^<]+)<', html).group(1)
    user = User.get(User.username == "neu.sb")
    assert user.roles == ["clerk", "head"] and user.email == "neu@example.org"
    assert user.organisation_id == org.id
    assert login(app.test_client(), "neu.sb", password).status_code == 302
    entry = (
        AuditEntry.select()
        .where(AuditEntry.action == "user.create")
        .order_by(AuditEntry.id.desc())
        .first()
    )
    assert entry.username == "chefin" and entry.detail["username"] == "neu.sb"


def test_bad_input_is_shown_in_german_at_the_field(admin_client, make_user):
    make_user("schon.da", ["clerk"])
    url = "/admin/users/new"
    cases = [
        ({"username": "X Y"}, "Kleinbuchstaben, Ziffern"),
        ({"username": "schon.da"}, "gibt es schon"),
        ({"username": "ok.name", "roles": ["kaiser"]}, "Unbekannte Rolle: kaiser"),
        ({"username": "ok.name", "password": "kurz"}, "mindestens 12 Zeichen"),
        ({"username": "ok.name", "email": "keine-mail"}, "Keine gültige E-Mail."),
        ({"username": "ok.name", "organisation": "abc"}, "aus der Liste wählen"),
    ]
    for data, message in cases:
        response = admin_client.post(
            url, data={"csrf_token": token_of(admin_client, url), "organisation": "0", **data}
        )
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    assert not User.select().where(User.username == "ok.name").exists()


def test_changing_roles_ends_the_persons_sessions(app, admin_client, make_user):
    clerk = make_user("sb.rolle", ["clerk"])
    their = logged_in(app, "sb.rolle")
    url = f"/admin/users/{clerk.id}"
    page = admin_client.get(url).get_data(as_text=True)
    assert 'id="offene-sitzungen">1<' in page
    response = admin_client.post(
        url,
        data={
            "csrf_token": csrf_token(page),
            "display_name": "SB",
            "organisation": str(clerk.organisation_id),
            "roles": ["head"],
            "active": "y",
        },
        follow_redirects=True,
    )
    assert "1 Sitzung(en) wurden beendet" in response.get_data(as_text=True)
    assert User.get_by_id(clerk.id).roles == ["head"]
    assert their.get("/").status_code == 302  # logged out at once
    entry = AuditEntry.get(AuditEntry.action == "user.update")
    assert entry.detail["changed"] == ["display_name", "roles"]


def test_deactivating_logs_out_and_blocks_login(app, admin_client, make_user):
    clerk = make_user("sb.weg", ["clerk"])
    their = logged_in(app, "sb.weg")
    url = f"/admin/users/{clerk.id}"
    admin_client.post(
        url,
        data={
            "csrf_token": token_of(admin_client, url),
            "display_name": "SB",
            "organisation": str(clerk.organisation_id),
            "roles": ["clerk"],
        },
    )
    assert User.get_by_id(clerk.id).active is False
    assert their.get("/").status_code == 302
    assert login(app.test_client(), "sb.weg").status_code == 401  # the form again: refused


def test_reset_password_shows_it_once_and_ends_sessions(app, admin_client, make_user):
    clerk = make_user("sb.pw", ["clerk"])
    their = logged_in(app, "sb.pw")
    url = f"/admin/users/{clerk.id}"
    response = admin_client.post(
        url + "/password", data={"csrf_token": token_of(admin_client, url)}
    )
    assert response.status_code == 200
    password = re.search(r'id="einmal-passwort">([^<]+)<', response.get_data(as_text=True))
    assert their.get("/").status_code == 302
    assert login(app.test_client(), "sb.pw", PASSWORD).status_code == 401  # old one refused
    assert login(app.test_client(), "sb.pw", password.group(1)).status_code == 302
    short = admin_client.post(
        url + "/password", data={"csrf_token": token_of(admin_client, url), "password": "kurz"}
    )
    assert short.status_code == 422 and "mindestens 12 Zeichen" in short.get_data(as_text=True)
    # the same rule as `verbund user password`: not guessable from the person's own name
    User.update(display_name="Wilhelmina Sturmvogel").where(User.id == clerk.id).execute()
    named = admin_client.post(
        url + "/password",
        data={"csrf_token": token_of(admin_client, url), "password": "Sturmvogel Wilhelmina"},
    )
    assert named.status_code == 422 and "zu leicht zu erraten" in named.get_data(as_text=True)
    assert AuditEntry.select().where(AuditEntry.action == "user.password_reset").count() == 1


def test_end_sessions_button(app, admin_client, make_user):
    clerk = make_user("sb.ende", ["clerk"])
    first, second = logged_in(app, "sb.ende"), logged_in(app, "sb.ende")
    url = f"/admin/users/{clerk.id}"
    response = admin_client.post(
        url + "/sessions", data={"csrf_token": token_of(admin_client, url)}, follow_redirects=True
    )
    assert "2 Sitzung(en) von „sb.ende“ wurden beendet" in response.get_data(as_text=True)
    assert first.get("/").status_code == 302 and second.get("/").status_code == 302


def test_the_last_admin_cannot_remove_their_own_admin_role(admin_client):
    me = User.get(User.username == "chefin")
    url = f"/admin/users/{me.id}"
    response = admin_client.post(
        url,
        data={
            "csrf_token": token_of(admin_client, url),
            "organisation": str(me.organisation_id),
            "roles": ["clerk"],
            "active": "y",
        },
    )
    assert response.status_code == 422
    assert "mindestens eine aktive Person mit der Rolle „admin“" in response.get_data(True)
    assert User.get_by_id(me.id).roles == ["admin"]


def test_user_list_filters(admin_client, make_user):
    make_user("anna", ["clerk"], "sportamt")
    make_user("bert", ["applicant"], "ruderclub")
    page = admin_client.get("/admin/users/?role=clerk").get_data(as_text=True)
    assert ">anna<" in page and ">bert<" not in page
    page = admin_client.get("/admin/users/?org=ruderclub").get_data(as_text=True)
    assert ">bert<" in page and ">anna<" not in page
    page = admin_client.get("/admin/users/?q=ann&page=x").get_data(as_text=True)
    assert ">anna<" in page and ">bert<" not in page


def test_organisations_create_rename_and_delete_only_when_unused(admin_client, make_user):
    url = "/admin/organisations/new"
    response = admin_client.post(
        url, data={"csrf_token": token_of(admin_client, url), "name": "awo", "label": "AWO"}
    )
    assert response.status_code == 302
    again = admin_client.post(
        url, data={"csrf_token": token_of(admin_client, url), "name": "awo", "label": "X"}
    )
    assert again.status_code == 422 and "gibt es schon" in again.get_data(as_text=True)
    bad = admin_client.post(
        url, data={"csrf_token": token_of(admin_client, url), "name": "A W O", "label": "X"}
    )
    assert bad.status_code == 422 and "Kleinbuchstaben" in bad.get_data(as_text=True)
    awo = Organisation.get(Organisation.name == "awo")
    edit = f"/admin/organisations/{awo.id}"
    admin_client.post(
        edit,
        data={"csrf_token": token_of(admin_client, edit), "name": "anders", "label": "AWO Kreis"},
    )
    awo = Organisation.get_by_id(awo.id)
    assert awo.label == "AWO Kreis" and awo.name == "awo"  # the short name stays
    make_user("awo.sb", ["clerk"], "awo")
    refused = admin_client.post(
        edit + "/delete", data={"csrf_token": token_of(admin_client, edit)}, follow_redirects=True
    )
    assert "kann nicht gelöscht werden" in refused.get_data(as_text=True)
    User.delete().where(User.username == "awo.sb").execute()
    admin_client.post(edit + "/delete", data={"csrf_token": token_of(admin_client, edit)})
    assert not Organisation.select().where(Organisation.name == "awo").exists()
    actions = {e.action for e in AuditEntry.select().where(AuditEntry.username == "chefin")}
    assert {"organisation.create", "organisation.update", "organisation.delete"} <= actions


def test_api_token_created_once_works_and_revoked_stops(app, admin_client, make_user):
    clerk = make_user("sb.api", ["clerk"])
    url = "/admin/tokens/new"
    response = admin_client.post(
        url,
        data={"csrf_token": token_of(admin_client, url), "user": str(clerk.id), "label": "Export"},
    )
    html = response.get_data(as_text=True)
    secret = re.search(r'id="einmal-token">([^<]+)<', html).group(1)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/workflows", headers=headers).status_code == 200
    listing = admin_client.get("/admin/tokens/").get_data(as_text=True)
    assert secret[:10] in listing and secret not in listing and "Export" in listing
    token = ApiToken.get(ApiToken.user == clerk.id)
    admin_client.post(f"/admin/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(listing)})
    assert api.get("/api/v1/workflows", headers=headers).status_code == 401
    created = AuditEntry.get(AuditEntry.action == "token.create", AuditEntry.username == "chefin")
    assert created.username == "chefin" and created.detail == {"for": "sb.api"}
    assert AuditEntry.get(AuditEntry.action == "token.revoke").username == "chefin"
    nobody = admin_client.post(url, data={"csrf_token": token_of(admin_client, url), "user": "0"})
    assert nobody.status_code == 422


def test_deactivation_revokes_api_tokens_for_good(app, admin_client, make_user):
    from server.services.accounts.people import issue_token

    clerk = make_user("sb.token", ["clerk"])
    secret = issue_token(clerk, "Skript")
    headers = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/records", headers=headers).status_code == 200
    url = f"/admin/users/{clerk.id}"
    form = {"display_name": "SB", "organisation": str(clerk.organisation_id), "roles": ["clerk"]}
    off = admin_client.post(
        url, data={"csrf_token": token_of(admin_client, url), **form}, follow_redirects=True
    )
    assert "1 API-Token(s) wurden widerrufen" in off.get_data(as_text=True)
    admin_client.post(url, data={"csrf_token": token_of(admin_client, url), **form, "active": "y"})
    assert User.get_by_id(clerk.id).active is True  # reactivated
    assert app.test_client().get("/api/v1/records", headers=headers).status_code == 401
    assert ApiToken.get(ApiToken.user == clerk.id).revoked_at is not None
    entry = AuditEntry.select().where(AuditEntry.action == "user.update").first()
    assert entry.detail["tokens_revoked"] == 1
