"""A large team on the team lead's start page: the 25 people with the most cases by name,
the rest in one sentence with a link to all cases (issue 21, ``by_owner`` with its limit).

The KIM site gets 30 more case managers in the team lead's organisation, each with open
cases (Verbund's models, in a subprocess against the site's database; the tallies follow
by the database's triggers). The team lead reads the chart's table and the sentence, and
reaches „alle anzeigen“ with the keyboard alone; axe-core finds nothing, and at 320 px the
page does not scroll sideways.

Screenshots: tests/browser/screenshots/*team_overview_*.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import run_on_site
from tests.browser.test_long_lists import tab_to
from tests.browser.test_screens_a11y import both_widths, page_for
from tests.browser_support import axe_violations, needs_chromium, screens_on_sqlite_pass

__all__ = ["page_for"]  # the fixture, used by name below

pytestmark = [needs_chromium, screens_on_sqlite_pass]

# 30 people with 2 to 4 open cases each: with the demo's own case managers more than 25
GROW = """
from server.config import load_settings
from server.models import Organisation, Record, User
from server.runtime import start_runtime
start_runtime(load_settings())
amt = Organisation.get(Organisation.name == "amt")
for i in range(30):
    person = User.create(username=f"cm.team{i:02}", display_name=f"Team Person {i:02}",
                         organisation=amt, roles=["case_manager"])
    for n in range(2 + i % 3):
        Record.create(workflow="case_management", state="assessment",
                      title=f"Fall Team {i:02}-{n}", owner=person, organisation=amt)
"""


@pytest.fixture(scope="module")
def team_site(kim_site):
    run_on_site(kim_site, GROW)
    return kim_site


def test_team_lead_sees_the_largest_caseloads_and_reaches_the_rest(team_site, page_for, shots):
    page = page_for(team_site, "teamleitung")
    sentence = page.get_by_text("Gezeigt: die 25 Personen mit den meisten Datensätzen.")
    expect(sentence).to_be_visible()
    # everyone beyond the 25 is counted: the sentence names how many and their cases
    text = sentence.inner_text()
    assert "weitere Personen mit zusammen" in text, text
    # the people with most cases are named (4 cases each: Team Person 02, 05, ...)
    # (a closed <details> hides its table from role queries: found by its header's text)
    numbers = page.locator("details", has=page.locator("th", has_text=re.compile("^Person$")))
    numbers.get_by_text("Zahlen als Tabelle").click()
    expect(numbers.get_by_role("cell", name="Team Person 02", exact=True)).to_be_visible()
    expect(numbers.locator("tbody tr")).to_have_count(25)

    link = sentence.get_by_role("link", name="alle anzeigen")
    tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/records/case_management/"))
    page.go_back()
    expect(sentence).to_be_visible()
    assert axe_violations(page) == []
    both_widths(page, shots, "team_overview_start")
