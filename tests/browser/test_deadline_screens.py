"""The "Fristen" screen with an overdue, escalated deadline, as the team lead meets it (issue 16).

A deadline of a case of the team lead's organisation is made overdue and escalated in the
site's database with Verbund's own code. The team lead filters "nur eskalierte" with the
keyboard only and reads "überfällig seit 20 Tagen" and "eskaliert an Teamleitung"; axe-core
finds nothing on the whole page, and at 320 px the page does not scroll sideways.

Screenshots: tests/browser/screenshots/team_lead_finds_*.png.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import run_on_site
from tests.browser.test_screens_a11y import both_widths, page_for, tab_to
from tests.browser_support import (
    axe_violations,  # the whole page
    needs_chromium,
    screens_on_sqlite_pass,
)

__all__ = ["page_for"]  # the fixture, used by name below

pytestmark = [needs_chromium, screens_on_sqlite_pass]

ESCALATE = """
import datetime as dt
from server import clock
from server.config import load_settings
from server.models import Deadline, Record, User, utcnow
from server.runtime import start_runtime
start_runtime(load_settings())
lead = User.get(User.username == "teamleitung")
deadline = (
    Deadline.select().join(Record)
    .where(Deadline.closed_at.is_null() & (Record.workflow == "case_management")
           & (Record.organisation == lead.organisation_id))
    .order_by(Deadline.id).first()
)
Deadline.update(
    due_on=clock.today() - dt.timedelta(days=20), escalated_at=utcnow(), escalated_to="team_lead"
).where(Deadline.id == deadline.id).execute()
"""


def escalate_one(base: str) -> None:
    run_on_site(base, ESCALATE)


def test_team_lead_finds_the_escalated_deadline_by_keyboard(kim_site, page_for, shots):
    escalate_one(kim_site)
    page = page_for(kim_site, "teamleitung")
    page.goto(kim_site + "/deadlines/")
    only = page.get_by_label("nur eskalierte")
    tab_to(page, only)
    page.keyboard.press("Space")
    expect(only).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Anzeigen"))
    page.keyboard.press("Enter")
    page.wait_for_url("**escalated=1**")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("überfällig seit 20 Tagen")
    expect(rows.first).to_contain_text("eskaliert an Teamleitung")
    assert axe_violations(page) == []
    both_widths(page, shots, "fristen")
    page.goto(kim_site + "/")
    team = page.locator("section[aria-label='Team: eskalierte Fristen']")
    expect(team).to_contain_text("eskaliert an Teamleitung")
    shots(page, "start")
