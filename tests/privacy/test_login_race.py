"""Throttling under real concurrency: many browsers guess at once, in parallel threads.

Each thread has its own test client and so its own database connection (peewee connects per
thread in the request hooks). What counts is how often the password or code was actually
tested: every test writes one ``login.failed`` audit entry, every refusal ``login.throttled``
(password) or nothing but a 429 (code).
"""

from __future__ import annotations

import threading

import pyotp
import pytest

from server import clock
from server.models import AuditEntry, LoginFailure
from server.services.accounts import second_factor
from tests.helpers import csrf_token, login

THROTTLED = "Zu viele fehlgeschlagene Anmeldungen"


def in_parallel(jobs):
    """Run ``jobs`` (callables) at the same moment; their results, in order."""
    results: list = [None] * len(jobs)
    start = threading.Barrier(len(jobs), timeout=60)

    def run(index, job):
        try:
            start.wait()
            results[index] = job()
        except Exception as error:  # a crash counts as a wrong result, not a hang
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a login never answered"
    return results


def answer(response):
    return response.status_code, response.get_data(as_text=True)


def failed_checks(step=None) -> int:
    entries = AuditEntry.select().where(AuditEntry.action == "login.failed")
    return sum(1 for e in entries if (e.detail or {}).get("step") == step)


@pytest.fixture
def people(make_user):
    make_user("berater", ["berater"], "org-a")


def test_forty_parallel_wrong_passwords_test_the_password_five_times(app, people):
    def guess(browser, token):
        return lambda: answer(
            browser.post(
                "/auth/login",
                data={"username": "berater", "password": "falsch-falsch-1", "csrf_token": token},
            )
        )

    jobs = []
    for _ in range(40):
        browser = app.test_client()
        jobs.append(guess(browser, csrf_token(browser.get("/auth/login").get_data(True))))
    results = in_parallel(jobs)

    statuses = sorted(r[0] for r in results if isinstance(r, tuple))
    assert len(statuses) == 40, [r for r in results if not isinstance(r, tuple)]
    assert statuses == [401] * 5 + [429] * 35  # never a 500
    assert all(THROTTLED in body for status, body in results if status == 429)
    assert failed_checks() == 5  # the password was tested exactly five times
    assert AuditEntry.select().where(AuditEntry.action == "login.throttled").count() == 35
    assert LoginFailure.select().count() == 5


def test_a_right_password_gives_its_reserved_attempt_back(app, people):
    for _ in range(4):
        login(app.test_client(), "berater", "falsch-falsch-1")
    assert login(app.test_client(), "berater").status_code == 302
    assert LoginFailure.select().count() == 4  # the success left no failure behind
    assert login(app.test_client(), "berater", "falsch-falsch-1").status_code == 401
    assert login(app.test_client(), "berater").status_code == 429  # now five: blocked


def test_thirty_parallel_wrong_codes_test_the_code_five_times(app, make_user):
    dpo = make_user("dpo", ["dpo"], "stadt")
    secret = pyotp.random_base32()
    assert second_factor.enrol(dpo, secret, pyotp.TOTP(secret).at(clock.now()))
    totp = pyotp.TOTP(secret)
    now = clock.now()
    step = totp.timecode(now)
    valid = {totp.generate_otp(step + offset) for offset in (-1, 0, 1)}
    wrong = next(code for code in ("111111", "222222", "333333", "444444") if code not in valid)

    def guess(browser, token):
        return lambda: answer(browser.post("/auth/code", data={"code": wrong, "csrf_token": token}))

    jobs = []
    for _ in range(30):
        browser = app.test_client()
        assert login(browser, "dpo").location.endswith("/auth/code")
        jobs.append(guess(browser, csrf_token(browser.get("/auth/code").get_data(True))))
    assert LoginFailure.select().count() == 0  # 30 right passwords left nothing behind
    results = in_parallel(jobs)

    statuses = sorted(r[0] for r in results if isinstance(r, tuple))
    assert len(statuses) == 30, [r for r in results if not isinstance(r, tuple)]
    assert statuses == [401] * 5 + [429] * 25
    assert all(THROTTLED in body for status, body in results if status == 429)
    assert failed_checks("code") == 5  # the code was tested exactly five times
