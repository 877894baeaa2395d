"""Sessions, login throttling, passwords, the second factor, headers and cookies."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest

from server import clock
from server.models import SecondFactor, UserSession
from server.runtime import current_runtime
from server.services.accounts import people as accounts
from server.services.accounts.passwords import password_problem
from tests.helpers import PASSWORD, csrf_token, login


@pytest.fixture
def people(make_user):
    make_user("berater", ["berater"], "org-a")
    make_user("dpo", ["dpo"], "stadt")


def test_idle_sessions_and_old_sessions_end(app, people):
    browser = app.test_client()
    login(browser, "berater")
    assert browser.get("/").status_code == 200
    now = clock.now()
    try:
        clock.freeze(now + dt.timedelta(minutes=29))
        assert browser.get("/").status_code == 200  # still within the idle time
        clock.freeze(now + dt.timedelta(minutes=29 + 31))
        assert browser.get("/").status_code == 302  # 31 minutes idle: gone
        assert UserSession.get().revoked_at is not None
        clock.freeze(now + dt.timedelta(minutes=61))
        login(browser, "berater")
        for step in range(1, 34):  # busy all day: the absolute lifetime ends it after 10 h
            clock.freeze(now + dt.timedelta(minutes=61 + 20 * step))
            status = browser.get("/").status_code
            assert status == (200 if 20 * step <= 600 else 302), step
    finally:
        clock.freeze(None)


def test_the_same_hashing_work_for_known_and_unknown_names(app, people, monkeypatch):
    from argon2 import PasswordHasher

    calls = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash_, password):
            calls.append(hash_ == accounts._DUMMY_HASH)
            return super().verify(hash_, password)

    monkeypatch.setattr(accounts, "_hasher", CountingHasher())
    assert accounts.authenticate("berater", "falsches-Passwort-123") is None
    assert accounts.authenticate("niemand", "falsches-Passwort-123") is None
    assert calls == [False, True]  # exactly one argon2 verification on either path


def failed(browser, name, password="falsch-falsch-falsch", address="10.0.0.9"):
    page = browser.get("/auth/login")
    return browser.post(
        "/auth/login",
        data={
            "username": name,
            "password": password,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
        environ_base={"REMOTE_ADDR": address},
    )


def test_guessing_is_throttled_but_the_owners_browser_still_gets_in(app, people):
    owner = app.test_client()
    assert login(owner, "berater").status_code == 302  # this browser is now known
    owner.post("/auth/logout", data={"csrf_token": csrf_token(owner.get("/").get_data(True))})
    attacker = app.test_client()
    for _ in range(5):
        assert failed(attacker, "berater").status_code == 401
    blocked = failed(attacker, "berater", PASSWORD)  # even the right password: not tested
    assert blocked.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldungen" in blocked.get_data(as_text=True)
    # unknown names behave the same (no hint which names exist)
    for _ in range(5):
        assert failed(attacker, "niemand").status_code == 401
    assert failed(attacker, "niemand").status_code == 429
    # the owner's own browser is not affected
    assert login(owner, "berater").status_code == 302
    # after the window the account is open again for new browsers too
    try:
        clock.freeze(clock.now() + dt.timedelta(minutes=16))
        assert login(app.test_client(), "berater").status_code == 302
    finally:
        clock.freeze(None)


def test_one_address_guessing_many_names_is_blocked(app, people, config_dir):
    attacker = app.test_client()
    for n in range(50):
        failed(attacker, f"name{n}", address="10.6.6.6")
    assert failed(attacker, "berater", PASSWORD, address="10.6.6.6").status_code == 429
    assert failed(app.test_client(), "berater", PASSWORD, address="10.7.7.7").status_code == 302


@pytest.mark.parametrize(
    "password,ok",
    [
        ("kurz", False),
        ("password1234", False),
        ("123456789012", False),
        ("aaaaaaaaaaaaaaaa", False),
        ("Sommer2024!!", False),
        ("berater-berater", False),
        ("richtig-langes-Passwort-1", True),
        ("Hund Katze Maus Baum", True),
    ],
)
def test_passwords_are_checked_against_common_passwords(password, ok):
    problem = password_problem(password, ("berater",))
    assert (problem is None) == ok, problem


def test_creating_a_user_with_a_common_password_is_refused(app):
    from server.services.errors import Invalid

    with pytest.raises(Invalid) as caught:
        accounts.create_user("neu", "passwort1234", ["berater"], None)
    assert "Passwort" in caught.value.errors["password"][0]


def code_for(username: str) -> str:
    factor = SecondFactor.select().join(accounts.User).where(accounts.User.username == username)
    return pyotp.TOTP(factor.get().secret).at(clock.now())


def test_a_required_second_factor_is_enrolled_then_asked_for(app, people, config_dir):
    current_runtime(app).settings.raw["security"]["second_factor_roles"] = ["dpo"]
    browser = app.test_client()
    response = login(browser, "dpo")
    assert response.location.endswith("/auth/zweiter-faktor")
    assert browser.get("/datenschutz/protokoll/").status_code == 302  # only enrolment first
    page = browser.get("/auth/zweiter-faktor").get_data(as_text=True)
    assert "<svg" in page and 'id="totp-secret"' in page
    secret = page.split('id="totp-secret">')[1].split("<")[0]
    wrong = browser.post(
        "/auth/zweiter-faktor",
        data={"csrf_token": csrf_token(page), "action": "enrol", "code": "000000"},
    )
    assert "Der Code stimmt nicht" in wrong.get_data(as_text=True)
    done = browser.post(
        "/auth/zweiter-faktor",
        data={
            "csrf_token": csrf_token(page),
            "action": "enrol",
            "code": pyotp.TOTP(secret).now(),
        },
    )
    assert done.status_code == 302
    assert browser.get("/datenschutz/protokoll/").status_code == 200

    # the next login asks for the code after the password
    other = app.test_client()
    assert login(other, "dpo").location.endswith("/auth/code")
    assert other.get("/datenschutz/protokoll/").status_code == 302  # not logged in yet
    page = other.get("/auth/code").get_data(as_text=True)
    bad = other.post("/auth/code", data={"csrf_token": csrf_token(page), "code": "123456"})
    assert bad.status_code == 401
    # the code used at enrolment is spent; a fresh step is needed, so move the clock on
    try:
        clock.freeze(clock.now() + dt.timedelta(seconds=31))
        good = other.post(
            "/auth/code", data={"csrf_token": csrf_token(page), "code": code_for("dpo")}
        )
        assert good.status_code == 302
        assert other.get("/datenschutz/protokoll/").status_code == 200
        # a code is accepted once only
        third = app.test_client()
        login(third, "dpo")
        page = third.get("/auth/code").get_data(as_text=True)
        replay = third.post(
            "/auth/code", data={"csrf_token": csrf_token(page), "code": code_for("dpo")}
        )
        assert replay.status_code == 401
    finally:
        clock.freeze(None)


def test_headers_on_every_page(app, people):
    browser = app.test_client()
    anonymous = browser.get("/auth/login")
    csp = anonymous.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert anonymous.headers["X-Content-Type-Options"] == "nosniff"
    assert anonymous.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in anonymous.headers  # plain HTTP
    login(browser, "berater")
    page = browser.get("/")
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "<script>" not in html and " style=" not in html and " onclick=" not in html


def test_cookies_are_httponly_samesite_and_secure_over_https(app, people):
    browser = app.test_client()
    page = browser.get("/auth/login", base_url="https://verbund.example")
    response = browser.post(
        "/auth/login",
        base_url="https://verbund.example",
        headers={"Referer": "https://verbund.example/auth/login"},  # CSRF checks it on HTTPS
        data={
            "username": "berater",
            "password": PASSWORD,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Secure" in session
    device = next(c for c in cookies if c.startswith("verbund_device="))
    assert "HttpOnly" in device and "Secure" in device
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = app.test_client()
    login_page = plain.get("/auth/login")
    assert "Secure" not in " ".join(login_page.headers.getlist("Set-Cookie"))


def test_forwarded_https_counts_only_behind_a_trusted_proxy(
    config_dir, redis_url, database_overrides
):
    from server import create_app

    header = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.7"}
    untrusted = create_app(
        str(config_dir / "config.toml"), {"queue": {"redis_url": redis_url}, **database_overrides}
    )
    response = untrusted.test_client().get("/auth/login", headers=header)
    assert "Strict-Transport-Security" not in response.headers
    trusted = create_app(
        str(config_dir / "config.toml"),
        {
            "queue": {"redis_url": redis_url},
            "security": {"trust_proxy": True},
            **database_overrides,
        },
    )
    response = trusted.test_client().get("/auth/login", headers=header)
    assert "Strict-Transport-Security" in response.headers


def test_an_administrator_removes_a_lost_second_factor_from_the_command_line(
    app, people, config_dir, database_overrides
):
    from click.testing import CliRunner

    from server.cli import main
    from server.models import User
    from server.services.accounts import second_factor

    dpo = User.get(User.username == "dpo")
    secret = second_factor.new_secret()
    assert second_factor.enrol(dpo, secret, pyotp.TOTP(secret).at(clock.now()))
    url = database_overrides.get("database", {}).get("url", "")
    runner = CliRunner(env={"VERBUND_DATABASE_URL": url} if url else None)
    config = str(config_dir / "config.toml")
    done = runner.invoke(main, ["--config", config, "user", "reset-2fa", "dpo"])
    assert done.exit_code == 0 and "entfernt" in done.output
    assert not second_factor.enrolled(dpo)
    again = runner.invoke(main, ["--config", config, "user", "reset-2fa", "dpo"])
    assert again.exit_code != 0 and "keinen zweiten Faktor" in again.output
