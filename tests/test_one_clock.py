"""Every date and time the server reads goes through server/clock.py (issue 13).

Each test freezes the clock far from the real date and checks a place people would notice:
a date field's default "today", a "today" limit, the moment a Word document says it was
made, and how long a password stays valid while the second factor is asked for.
"""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest

from server import clock
from server.documents.context import document_context
from server.forms import defaults
from server.runtime import current_runtime
from server.schema.definitions import FieldDef, FormDef
from server.services.accounts import second_factor
from server.services.records.changes import create_record
from tests.helpers import csrf_token, login

FROZEN_DAY = dt.date(2031, 11, 4)


@pytest.fixture
def frozen():
    """The clock stands at noon (Berlin) of FROZEN_DAY; freeze() moves it on."""
    clock.freeze(FROZEN_DAY)
    yield clock.freeze
    clock.freeze(None)


def test_a_date_field_defaulting_to_today_takes_the_clocks_day(frozen):
    form = FormDef(
        id="meldung",
        title="Meldung",
        fields=(FieldDef(name="eingang", type="date", label="Eingang", default="today"),),
    )
    assert defaults(form) == {"eingang": "2031-11-04"}
    frozen(dt.datetime(2031, 11, 4, 23, 30, tzinfo=dt.UTC))  # already the 5th in Berlin
    assert defaults(form) == {"eingang": "2031-11-05"}


def test_a_document_says_when_it_was_made_by_the_clock(app, make_user, frozen):
    frozen(dt.datetime(2031, 11, 4, 8, 15, tzinfo=dt.UTC))
    defs = current_runtime(app).definitions
    user = make_user("kanu", ["applicant"], "kanu")
    record = create_record(defs, user, "foerderung")
    context = document_context(defs, record)
    assert context["now"] == "04.11.2031 09:15"  # Berlin, winter time
    assert context["record"]["created"] == "04.11.2031 09:15"


def test_the_code_step_after_the_password_expires_by_the_clock(app, make_user, frozen):
    dpo = make_user("dpo", ["dpo"], "stadt")
    secret = second_factor.new_secret()
    assert second_factor.enrol(dpo, secret, pyotp.TOTP(secret).at(clock.now()))
    browser = app.test_client()
    assert login(browser, "dpo").location.endswith("/auth/code")
    frozen(clock.now() + dt.timedelta(minutes=4))
    assert browser.get("/auth/code").status_code == 200  # within five minutes: still asked
    frozen(clock.now() + dt.timedelta(minutes=2))
    late = browser.get("/auth/code")
    assert late.status_code == 302 and late.location.endswith("/auth/login")
    page = browser.get("/auth/login").get_data(as_text=True)
    assert "Bitte melden Sie sich erneut an." in page
    assert csrf_token(page)
