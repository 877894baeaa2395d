"""Long lists page by page: deadlines, register and record list by keyboard (issue 21).

The KIM site gets 130 more cases of the team lead's organisation with an open deadline each
and 25 more meetings with three agenda rows each (Verbund's models, in a subprocess against
the site's database). The team lead pages through "Fristen" and the case list, the
coordination through the register, each by keyboard only: the page links sit in a labelled
nav, the current page is marked (aria-current), axe-core finds nothing, and at 320 px the
page does not scroll sideways.

Screenshots: tests/browser/screenshots/*long_lists_*.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import run_on_site
from tests.browser.test_screens_a11y import both_widths, page_for
from tests.browser_support import axe_violations, needs_chromium, screens_on_sqlite_pass

__all__ = ["page_for"]  # the fixture, used by name below

pytestmark = [needs_chromium, screens_on_sqlite_pass]

GROW = """
import datetime as dt
from server import clock
from server.config import load_settings
from server.models import Deadline, FormSave, Organisation, Record, TransitionLog, User
from server.runtime import start_runtime
start_runtime(load_settings())
amt = Organisation.get(Organisation.name == "amt")
owner = User.get(User.username == "cm.amt")
for i in range(130):
    record = Record.create(workflow="case_management", state="assessment",
                           title=f"Fall Seite {i:03}", owner=owner, organisation=amt)
    Deadline.create(record=record, state="assessment", label="Erstgespräch",
                    due_on=clock.today() + dt.timedelta(days=i))
for n in range(60):  # a long history of the first one
    TransitionLog.create(record=Record.get(Record.title == "Fall Seite 000"), from_state="intake",
                         to_state="assessment", label=f"Schritt {n}", user=owner, record_version=n)
for n in range(25):  # and many versions of its intake form
    FormSave.create(record=Record.get(Record.title == "Fall Seite 000"), form="intake",
                    record_version=100 + n, data={"phone": f"0211 {n}"}, author=owner)
agenda = [{"no": str(n), "topic": f"Thema {n}", "decision": "beschlossen", "measure": "tun"}
          for n in range(1, 4)]
for i in range(25):
    Record.create(workflow="meeting", state="planned", title=f"Sitzung Seite {i:02}",
                  organisation=amt,
                  data={"meeting": {"date": f"2025-{1 + i % 12:02}-{1 + i:02}", "agenda": agenda}})
"""


@pytest.fixture(scope="module")
def long_site(kim_site):
    run_on_site(kim_site, GROW)
    return kim_site


def tab_to(page, target) -> None:
    """Tab until ``target`` has the focus (a long list has many stops before its pages)."""
    for _ in range(400):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"Tab never reaches {target}")


def next_page_by_keyboard(page, nav_label: str, number: int) -> None:
    nav = page.get_by_role("navigation", name=nav_label)
    tab_to(page, nav.get_by_role("link", name="nächste Seite"))
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    current = page.get_by_role("navigation", name=nav_label).locator("[aria-current=page]")
    expect(current).to_have_text(str(number))


def test_team_lead_pages_through_the_deadlines_by_keyboard(long_site, page_for, shots):
    page = page_for(long_site, "teamleitung")
    page.goto(long_site + "/deadlines/")
    expect(page.locator("#fristen-anzahl")).to_contain_text("Seite 1 von")
    expect(page.locator("table.verbund-deadlines tbody tr")).to_have_count(50)
    next_page_by_keyboard(page, "Seiten der Fristen", 2)
    assert "page=2" in page.url
    expect(page.locator("#fristen-anzahl")).to_contain_text("Seite 2 von")
    assert axe_violations(page) == []
    both_widths(page, shots, "long_lists_fristen")


def test_filters_stay_on_the_deadline_pages(long_site, page_for):
    page = page_for(long_site, "teamleitung")
    page.goto(long_site + "/deadlines/?mine=1&page=2")
    nav = page.get_by_role("navigation", name="Seiten der Fristen")
    # the team lead owns none of the cases: "nur meine" has no second page
    expect(nav).to_have_count(0)
    expect(page.get_by_label("nur meine")).to_be_checked()
    page.goto(long_site + "/deadlines/?page=999")  # past the end: the last page, no error
    nav = page.get_by_role("navigation", name="Seiten der Fristen")
    last = nav.get_by_role("link", name="vorherige Seite")
    expect(last).to_be_visible()
    expect(nav.get_by_role("link", name="nächste Seite")).to_have_count(0)
    expect(nav.locator("[aria-current=page]")).to_have_text(
        page.locator("#fristen-anzahl").inner_text().rsplit(" ", 1)[-1]
    )


def test_coordination_pages_through_the_register_by_keyboard(long_site, page_for, shots):
    page = page_for(long_site, "koordination")
    page.goto(long_site + "/register/?art=massnahme")
    expect(page.locator("#register-count")).to_contain_text("Seite 1 von 2")
    next_page_by_keyboard(page, "Seiten des Registers", 2)
    assert "seite=2" in page.url and "art=massnahme" in page.url  # the filter is kept
    expect(page.locator("#register-count")).to_contain_text("Seite 2 von 2")
    assert axe_violations(page) == []
    both_widths(page, shots, "long_lists_register")


def test_team_lead_pages_through_the_cases_by_keyboard(long_site, page_for, shots):
    page = page_for(long_site, "teamleitung")
    page.goto(long_site + "/records/case_management/")
    next_page_by_keyboard(page, "Seiten der Liste", 2)
    assert "page=2" in page.url
    assert axe_violations(page) == []
    both_widths(page, shots, "long_lists_faelle")


def test_team_lead_reads_older_history_by_keyboard(long_site, page_for, shots):
    page = page_for(long_site, "teamleitung")
    page.goto(long_site + "/deadlines/")
    page.get_by_role("link", name="Fall Seite 000").click()
    history = page.locator("#verlauf")
    # read on demand (issue 21): the link puts the history into the card, which takes the
    # focus; the status line tells screen readers how many entries came
    expect(history.locator("li.list-group-item")).to_have_count(0)
    both_widths(page, shots, "long_lists_verlauf_link")
    tab_to(page, history.get_by_role("link", name="Verlauf anzeigen"))
    page.keyboard.press("Enter")
    expect(history.locator("li.list-group-item")).to_have_count(50)
    expect(page.locator("#verlauf-liste")).to_be_focused()
    expect(page.locator("#verlauf-status")).to_have_text("Verlauf geladen: 50 Einträge.")
    assert "verlauf" not in page.url  # in place, without leaving the page
    assert axe_violations(page) == []
    both_widths(page, shots, "long_lists_verlauf_geladen")
    nav = page.get_by_role("navigation", name="Seiten des Verlaufs")
    tab_to(page, nav.get_by_role("link", name="ältere Einträge"))
    page.keyboard.press("Enter")
    page.wait_for_url("**verlauf=2**")
    nav = page.get_by_role("navigation", name="Seiten des Verlaufs")
    expect(nav.locator("[aria-current=page]")).to_have_text("Seite 2")
    expect(nav.get_by_role("link", name="neuere Einträge")).to_be_visible()
    expect(page.locator("#verlauf")).to_contain_text("Schritt 0 →")  # the oldest event
    assert axe_violations(page) == []
    both_widths(page, shots, "long_lists_verlauf")


def test_team_lead_pages_through_form_versions_by_keyboard(long_site, page_for, shots):
    page = page_for(long_site, "teamleitung")
    page.goto(long_site + "/deadlines/")
    page.get_by_role("link", name="Fall Seite 000").click()
    page.locator("a.verbund-form-history[href$='/forms/intake/history']").first.click()
    expect(page.locator(".verbund-version")).to_have_count(20)
    expect(page.locator("#version-25")).to_be_visible()
    next_page_by_keyboard(page, "Seiten der Versionen", 2)
    expect(page.locator(".verbund-version")).to_have_count(5)
    expect(page.locator("#version-1")).to_be_visible()
    assert axe_violations(page) == []
    both_widths(page, shots, "long_lists_versionen")
