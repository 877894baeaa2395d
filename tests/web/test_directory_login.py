"""Directory login through the real login form against a real OpenLDAP slapd.

Every test gets its own slapd (tests/ldap_server.py: private config, own port, about half a
second to start) with two groups and three people, one of them disabled as AD marks it.
"""

from __future__ import annotations

import datetime as dt
import logging

import pyotp
import pytest
from ldap3 import MODIFY_ADD, MODIFY_DELETE, MODIFY_REPLACE, Connection, Server

from server import clock
from server.directory_settings import DirectorySettings
from server.models import AuditEntry, Organisation, User, UserSession
from server.runtime import current_runtime
from server.services.accounts import second_factor
from server.services.accounts.directory import DirectoryUnavailable
from server.services.accounts.directory_sync import sync_directory_accounts
from tests.helpers import PASSWORD, csrf_token, login
from tests.ldap_server import (
    ADMIN_DN,
    ADMIN_PASSWORD,
    SERVICE_DN,
    SERVICE_PASSWORD,
    SUFFIX,
    base_entries,
    group,
    person,
    start_slapd,
)

ANNA_PASSWORD = "Anna-im-Verzeichnis-1"
BERND_PASSWORD = "Bernd-im-Verzeichnis-2"
OTTO_PASSWORD = "Otto-im-Verzeichnis-3"
CLERKS = f"cn=foerderung-sachbearbeitung,ou=gruppen,{SUFFIX}"
HEADS = f"cn=amtsleitung,ou=gruppen,{SUFFIX}"


@pytest.fixture
def slapd(tmp_path):
    ldif = "\n".join(
        [
            base_entries(),
            person(
                "anna",
                "Anna Müller",
                ANNA_PASSWORD,
                "anna.mueller@stadt.example",
                groups=("alle-beschaeftigten", "newsletter", "foerderung-sachbearbeitung"),
            ),
            person(
                "bernd",
                "Bernd Weiß",
                BERND_PASSWORD,
                "bernd.weiss@stadt.example",
                groups=("amtsleitung",),
            ),
            person("otto", "Otto Öztürk", OTTO_PASSWORD, "otto@stadt.example", control=514),
            # groups Verbund does not map come first: all of a person's groups must be read
            group("alle-beschaeftigten", ["anna", "bernd", "otto"]),
            group("newsletter", ["anna"]),
            group("foerderung-sachbearbeitung", ["anna", "otto"]),
            group("amtsleitung", ["bernd"]),
        ]
    )
    server = start_slapd(tmp_path / "ldap", ldif)
    yield server
    server.stop()


@pytest.fixture
def config_dir(config_dir, slapd, monkeypatch, request):
    """The fixture office with an [ldap] section pointing at this test's slapd; groups are
    searched under ou=gruppen, or with the marker ``member_of`` read from memberOf (as AD)."""
    monkeypatch.setenv("VERBUND_LDAP_BIND_PASSWORD", SERVICE_PASSWORD)
    group_base = "" if request.node.get_closest_marker("member_of") else f"ou=gruppen,{SUFFIX}"
    with (config_dir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            f"""
[security]
second_factor_roles = ["head"]

[ldap]
url = "{slapd.url}"
bind_dn = "{SERVICE_DN}"
user_base = "ou=leute,{SUFFIX}"
user_filter = "(&(objectClass=inetOrgPerson)(uid={{username}}))"
group_base = "{group_base}"
disabled_filter = "(employeeType=ausgeschieden)"
timeout = 2

[[ldap.groups]]
group = "{CLERKS}"
roles = ["clerk"]
organisation = "sportamt"
organisation_label = "Sportamt"

[[ldap.groups]]
group = "{HEADS.upper()}"
roles = ["head"]
organisation = "amtsleitung"
organisation_label = "Amtsleitung Sport"
"""
        )
    return config_dir


def as_admin(slapd) -> Connection:
    connection = Connection(Server(slapd.url), ADMIN_DN, ADMIN_PASSWORD, auto_bind=True)
    return connection


def our_logs(caplog) -> str:
    """What Verbund and ldap3 logged (peewee's SQL echo in tests is not a production log)."""
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("peewee"))


def page_text(response) -> str:
    return response.get_data(as_text=True)


def test_first_login_creates_the_account_with_roles_and_organisation(app, slapd):
    browser = app.test_client()
    response = login(browser, "Anna", ANNA_PASSWORD)
    assert response.status_code == 302, page_text(response)
    anna = User.get(User.username == "anna")
    assert (anna.display_name, anna.email) == ("Anna Müller", "anna.mueller@stadt.example")
    assert anna.roles == ["clerk"] and anna.organisation.name == "sportamt"
    assert anna.organisation.label == "Sportamt"
    assert anna.password_hash == ""  # the directory keeps the password, not Verbund
    home = browser.get("/")
    assert home.status_code == 200 and "Anna Müller" in page_text(home)
    assert AuditEntry.select().where(AuditEntry.action == "user.directory_create").count() == 1


def test_second_login_after_a_group_change_updates_roles_and_organisation(app, slapd):
    assert login(app.test_client(), "anna", ANNA_PASSWORD).status_code == 302
    with as_admin(slapd) as directory:
        anna_dn = f"uid=anna,ou=leute,{SUFFIX}"
        directory.modify(CLERKS, {"member": [(MODIFY_DELETE, [anna_dn])]})
        directory.modify(HEADS, {"member": [(MODIFY_ADD, [anna_dn])]})
        directory.modify(anna_dn, {"mail": [(MODIFY_REPLACE, ["a.mueller@stadt.example"])]})
    browser = app.test_client()
    response = login(browser, "anna", ANNA_PASSWORD)
    anna = User.get(User.username == "anna")
    assert anna.roles == ["head"] and anna.organisation.name == "amtsleitung"
    assert anna.email == "a.mueller@stadt.example"
    assert User.select().where(User.username == "anna").count() == 1
    update = AuditEntry.get(AuditEntry.action == "user.directory_update")
    assert update.detail["changed"] == ["email", "organisation", "roles"]
    # "head" must use a second factor (TOTP works for directory accounts as for local ones)
    assert response.status_code == 302
    assert browser.get("/").headers["Location"].endswith("/auth/zweiter-faktor")


def test_the_second_factor_is_asked_of_directory_accounts_too(app, slapd):
    assert login(app.test_client(), "bernd", BERND_PASSWORD).status_code == 302
    bernd = User.get(User.username == "bernd")
    secret = pyotp.random_base32()
    assert second_factor.enrol(bernd, secret, pyotp.TOTP(secret).at(clock.now()))
    browser = app.test_client()
    response = login(browser, "bernd", BERND_PASSWORD)
    assert response.headers["Location"].endswith("/auth/code")
    assert browser.get("/").status_code == 302  # not in yet
    page = browser.get("/auth/code")
    later = clock.now() + dt.timedelta(seconds=30)  # the enrolment used the current code
    clock.freeze(later)
    try:
        answer = browser.post(
            "/auth/code",
            data={"code": pyotp.TOTP(secret).at(later), "csrf_token": csrf_token(page_text(page))},
        )
        assert answer.status_code == 302, page_text(answer)
        assert browser.get("/").status_code == 200
    finally:
        clock.freeze(None)


def test_wrong_password_and_unknown_names_are_refused_and_throttled(app, slapd, caplog):
    caplog.set_level(logging.DEBUG)
    browser = app.test_client()
    for _ in range(5):
        response = login(browser, "anna", "Falsches-Passwort-99")
        assert response.status_code == 401
        assert "Benutzername oder Passwort ist falsch." in page_text(response)
    assert not User.select().where(User.username == "anna").exists()
    # the sixth attempt is not even tested, the right password included
    blocked = login(browser, "anna", ANNA_PASSWORD)
    assert blocked.status_code == 429
    assert login(app.test_client(), "niemand", "Irgendein-Passwort-1").status_code == 401
    assert login(app.test_client(), "anna)(uid=*", "Irgendein-Passwort-1").status_code == 401
    logged = our_logs(caplog)
    assert "Falsches-Passwort" not in logged and "uid=" not in logged


def test_a_disabled_person_is_refused_and_deactivated_here(app, slapd):
    response = login(app.test_client(), "otto", OTTO_PASSWORD)
    assert response.status_code == 401
    assert not User.select().where(User.username == "otto").exists()
    # anna has an account and a session; then the directory disables her
    anna_browser = app.test_client()
    assert login(anna_browser, "anna", ANNA_PASSWORD).status_code == 302
    assert anna_browser.get("/").status_code == 200
    with as_admin(slapd) as directory:
        directory.modify(
            f"uid=anna,ou=leute,{SUFFIX}", {"userAccountControl": [(MODIFY_REPLACE, ["514"])]}
        )
    assert login(app.test_client(), "anna", ANNA_PASSWORD).status_code == 401
    anna = User.get(User.username == "anna")
    assert anna.active is False
    assert UserSession.select().where(UserSession.revoked_at.is_null()).count() == 0
    assert anna_browser.get("/").status_code == 302  # her open session ended, too
    # enabled again in the directory: the next login brings the account back
    with as_admin(slapd) as directory:
        directory.modify(
            f"uid=anna,ou=leute,{SUFFIX}", {"userAccountControl": [(MODIFY_REPLACE, ["512"])]}
        )
    assert login(app.test_client(), "anna", ANNA_PASSWORD).status_code == 302
    assert User.get(User.username == "anna").active is True


def test_a_person_without_a_mapped_group_is_told_why(app, slapd):
    with as_admin(slapd) as directory:
        directory.modify(CLERKS, {"member": [(MODIFY_DELETE, [f"uid=anna,ou=leute,{SUFFIX}"])]})
    response = login(app.test_client(), "anna", ANNA_PASSWORD)
    assert response.status_code == 401
    assert "keiner Gruppe" in page_text(response)


def test_directory_down_local_admin_still_gets_in(app, slapd, make_user, caplog):
    make_user("notfall", ["admin"], "verwaltung")
    assert login(app.test_client(), "anna", ANNA_PASSWORD).status_code == 302
    slapd.stop()
    caplog.set_level(logging.DEBUG)
    admin = app.test_client()
    assert login(admin, "notfall", PASSWORD).status_code == 302
    assert admin.get("/").status_code == 200
    down = login(app.test_client(), "anna", ANNA_PASSWORD)
    assert down.status_code == 503
    assert "Verzeichnisdienst" in page_text(down) and "nicht erreichbar" in page_text(down)
    assert User.get(User.username == "anna").active is True  # nothing changed here
    logged = our_logs(caplog)
    assert "LDAP nicht erreichbar" in logged
    assert ANNA_PASSWORD not in logged and "anna" not in logged.lower()


def test_a_local_account_is_never_taken_over_by_a_directory_entry(app, slapd, make_user):
    make_user("anna", ["applicant"], "verein")  # a local account with the same name
    assert login(app.test_client(), "anna", ANNA_PASSWORD).status_code == 401
    assert login(app.test_client(), "anna", PASSWORD).status_code == 302
    anna = User.get(User.username == "anna")
    assert anna.roles == ["applicant"] and anna.organisation.name == "verein"
    assert not Organisation.select().where(Organisation.name == "sportamt").exists()


def test_the_configurable_filter_also_disables(app, slapd):
    assert login(app.test_client(), "bernd", BERND_PASSWORD).status_code == 302
    with as_admin(slapd) as directory:
        directory.modify(
            f"uid=bernd,ou=leute,{SUFFIX}", {"employeeType": [(MODIFY_ADD, ["ausgeschieden"])]}
        )
    assert login(app.test_client(), "bernd", BERND_PASSWORD).status_code == 401
    assert User.get(User.username == "bernd").active is False
    entry = AuditEntry.get(AuditEntry.action == "user.directory_disable")
    assert entry.detail["why"] == "disabled"


@pytest.mark.member_of
def test_groups_from_member_of_as_active_directory_shows_them(app, slapd):
    assert login(app.test_client(), "bernd", BERND_PASSWORD).status_code == 302
    bernd = User.get(User.username == "bernd")
    assert bernd.roles == ["head"] and bernd.organisation.name == "amtsleitung"


def test_the_periodic_sync_deactivates_people_who_left_without_waiting_for_a_login(app, slapd):
    for name, password in (("anna", ANNA_PASSWORD), ("bernd", BERND_PASSWORD)):
        assert login(app.test_client(), name, password).status_code == 302
    anna_browser = app.test_client()
    login(anna_browser, "anna", ANNA_PASSWORD)
    runtime = current_runtime(app)
    settings = DirectorySettings.from_section(runtime.settings.section("ldap"))
    roles = set(runtime.definitions.roles)
    with as_admin(slapd) as directory:
        assert directory.delete(f"uid=anna,ou=leute,{SUFFIX}")  # she left the city
        # bernd moves from the heads to the clerks (a group keeps at least one member)
        otto = f"uid=otto,ou=leute,{SUFFIX}"
        assert directory.modify(HEADS, {"member": [(MODIFY_REPLACE, [otto])]})
        bernd_dn = f"uid=bernd,ou=leute,{SUFFIX}"
        assert directory.modify(CLERKS, {"member": [(MODIFY_ADD, [bernd_dn])]})
    assert sync_directory_accounts(settings, roles) == {
        "checked": 2,
        "updated": 1,
        "deactivated": 1,
    }
    assert User.get(User.username == "anna").active is False
    assert anna_browser.get("/").status_code == 302  # her session is over
    bernd = User.get(User.username == "bernd")
    assert bernd.roles == ["clerk"] and bernd.organisation.name == "sportamt"
    # again: nothing left to do; directory down: nothing changes, the run fails
    assert sync_directory_accounts(settings, roles) == {
        "checked": 1,
        "updated": 0,
        "deactivated": 0,
    }
    slapd.stop()
    with pytest.raises(DirectoryUnavailable):
        sync_directory_accounts(settings, roles)
    assert User.get(User.username == "bernd").active is True
