"""Separation of duties: nobody gives themself a role; privacy roles need a second holder."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from server.cli import main
from server.models import AuditEntry, RoleGrant, User
from tests.helpers import csrf_token, login


@pytest.fixture
def people(make_user):
    """An administrator (who may search the audit log), a DPO and a counsellor."""
    return {
        "admin": make_user("chefin", ["admin"], "stadt"),
        "dpo": make_user("dpo", ["dpo"], "stadt"),
        "berater": make_user("berater", ["berater"], "org-a"),
    }


def browser_of(app, username):
    browser = app.test_client()
    assert login(browser, username).status_code == 302
    return browser


def save_roles(browser, user, roles):
    url = f"/admin/users/{user.id}"
    page = browser.get(url).get_data(as_text=True)
    return browser.post(
        url,
        data={
            "csrf_token": csrf_token(page),
            "display_name": user.display_name,
            "organisation": str(user.organisation_id),
            "roles": roles,
            "active": "y",
        },
        follow_redirects=True,
    )


def roles_of(user) -> list[str]:
    return User.get_by_id(user.id).roles


def test_the_admin_cannot_give_itself_the_dpo_role(app, people, make_user):
    admin = browser_of(app, "chefin")
    refused = save_roles(admin, people["admin"], ["admin", "dpo"])
    assert refused.status_code == 422
    assert "Niemand kann sich selbst eine Rolle geben: „dpo“" in refused.get_data(as_text=True)
    assert roles_of(people["admin"]) == ["admin"]  # nothing changed
    assert RoleGrant.select().count() == 0
    # and so the subject-access export stays closed to the administrator
    assert admin.get("/datenschutz/auskunft/?q=amira").status_code == 403
    # removing one's own role is still possible (another admin remains)
    make_user("zweite", ["admin"], "stadt")
    assert save_roles(admin, people["admin"], []).status_code == 200
    assert roles_of(people["admin"]) == []


def test_dpo_for_another_person_waits_until_a_dpo_confirms(app, people):
    admin = browser_of(app, "chefin")
    berater = people["berater"]
    answer = save_roles(admin, berater, ["berater", "dpo"])
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "erst, wenn eine andere Person mit dieser Rolle sie" in html
    assert 'id="wartende-rollen"' in html
    assert roles_of(berater) == ["berater"]  # not yet effective
    grant = RoleGrant.get()
    assert (grant.role, grant.state, grant.requested_by_id) == (
        "dpo",
        "pending",
        people["admin"].id,
    )
    request = AuditEntry.get(AuditEntry.action == "role.grant_request")
    assert request.username == "chefin" and request.detail["role"] == "dpo"

    # the receiver cannot confirm it: they have no privacy role, so no screen
    their = browser_of(app, "berater")
    assert their.get("/datenschutz/rollen/").status_code == 403
    # neither can the administrator who asked (not a holder of dpo)
    page = admin.get("/datenschutz/rollen/").get_data(as_text=True)  # admin is in audit_roles
    assert "bestätigt eine andere Person mit dieser Rolle" in page
    forged = admin.post(
        f"/datenschutz/rollen/{grant.id}",
        data={"csrf_token": csrf_token(page), "answer": "confirm"},
        follow_redirects=True,
    )
    assert "bestätigt eine andere Person, die sie selbst hat" in forged.get_data(as_text=True)
    assert roles_of(berater) == ["berater"]

    # the DPO sees it on their screen and confirms it
    dpo = browser_of(app, "dpo")
    page = dpo.get("/datenschutz/rollen/").get_data(as_text=True)
    assert "berater" in page and "Bestätigen" in page
    done = dpo.post(
        f"/datenschutz/rollen/{grant.id}",
        data={"csrf_token": csrf_token(page), "answer": "confirm"},
        follow_redirects=True,
    )
    assert "ist bestätigt" in done.get_data(as_text=True)
    assert roles_of(berater) == ["berater", "dpo"]
    assert their.get("/").status_code == 302  # the role change ended their session
    confirmed = AuditEntry.get(AuditEntry.action == "role.grant_confirm")
    assert confirmed.username == "dpo" and confirmed.detail["username"] == "berater"
    history = dpo.get("/datenschutz/rollen/").get_data(as_text=True)
    assert 'id="entschiedene-freigaben"' in history and "bestätigt" in history
    assert browser_of(app, "berater").get("/datenschutz/auskunft/").status_code == 200


def test_a_dpo_can_refuse_and_a_new_user_with_dpo_waits_too(app, people):
    admin = browser_of(app, "chefin")
    page = admin.get("/admin/users/new").get_data(as_text=True)
    made = admin.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_token(page),
            "username": "strohmann",
            "organisation": "0",
            "roles": ["dpo"],
            "active": "y",
            "password": "ein-sehr-langes-Passwort-77",
        },
    )
    assert made.status_code == 302
    assert User.get(User.username == "strohmann").roles == []
    grant = RoleGrant.get()
    dpo = browser_of(app, "dpo")
    page = dpo.get("/datenschutz/rollen/").get_data(as_text=True)
    dpo.post(
        f"/datenschutz/rollen/{grant.id}", data={"csrf_token": csrf_token(page), "answer": "refuse"}
    )
    assert RoleGrant.get_by_id(grant.id).state == "refused"
    assert User.get(User.username == "strohmann").roles == []
    assert AuditEntry.get(AuditEntry.action == "role.grant_refuse").username == "dpo"


def test_the_command_line_on_the_server_grants_at_once(app, people, config_dir, database_overrides):
    url = database_overrides.get("database", {}).get("url", "")
    runner = CliRunner(env={"VERBUND_DATABASE_URL": url} if url else None)
    config = str(config_dir / "config.toml")
    done = runner.invoke(main, ["--config", config, "user", "grant", "chefin", "dpo"])
    assert done.exit_code == 0, done.output
    assert roles_of(people["admin"]) == ["admin", "dpo"]
    entry = AuditEntry.get(AuditEntry.action == "role.grant")
    assert entry.detail == {"username": "chefin", "role": "dpo", "via": "cli"}
    unknown = runner.invoke(main, ["--config", config, "user", "grant", "chefin", "kaiser"])
    assert unknown.exit_code != 0 and "Unbekannte Rolle: kaiser" in unknown.output


def test_no_password_or_token_to_act_as_the_dpo(app, people, config_dir, database_overrides):
    admin = browser_of(app, "chefin")
    dpo = people["dpo"]
    url = f"/admin/users/{dpo.id}"
    reset = admin.post(
        url + "/password", data={"csrf_token": csrf_token(admin.get(url).get_data(True))}
    )
    assert reset.status_code == 422
    assert "Ein neues Passwort für „dpo“ (Rolle „dpo“)" in reset.get_data(as_text=True)
    assert login(app.test_client(), "dpo").status_code == 302  # the old password still works
    page = admin.get("/admin/tokens/new").get_data(as_text=True)
    token = admin.post(
        "/admin/tokens/new",
        data={"csrf_token": csrf_token(page), "user": str(dpo.id), "label": "x"},
    )
    assert token.status_code == 422 and "Einen API-Token für „dpo“" in token.get_data(True)
    # on the server, the command line sets it
    url = database_overrides.get("database", {}).get("url", "")
    runner = CliRunner(env={"VERBUND_DATABASE_URL": url} if url else None)
    config = str(config_dir / "config.toml")
    done = runner.invoke(
        main,
        ["--config", config, "user", "password", "dpo", "--password-stdin"],
        input="ein-ganz-neues-Passwort-42\n",
    )
    assert done.exit_code == 0, done.output
    assert login(app.test_client(), "dpo", "ein-ganz-neues-Passwort-42").status_code == 302
