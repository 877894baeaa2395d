"""The decision register with indicators in the browser (issue 17): the KIM demo's approved
Lenkungskreis minutes carry two measured indicators (one behind its plan and overdue, one on
track). The secretary reads the charts — images named and described, the figures also as
text — and adds an actual value by keyboard only; axe-core finds nothing, and at 320 px the
page does not scroll sideways (the wide register table scrolls inside its own box).

Screenshots: tests/browser/screenshots/*register_indicators_*.png.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_axe_every_page import axe_violations
from tests.browser.test_long_lists import tab_to
from tests.browser.test_screens_a11y import both_widths, page_for
from tests.browser_support import needs_chromium, screens_on_sqlite_pass

__all__ = ["page_for"]  # the fixture, used by name below

pytestmark = [needs_chromium, screens_on_sqlite_pass]


def test_secretary_reads_indicators_and_adds_a_value_by_keyboard(kim_site, page_for, shots):
    page = page_for(kim_site, "sekretariat")
    page.goto(kim_site + "/register/?gremium=lenkungskreis")
    charts = page.get_by_role("img", name=re.compile("^Indikator zu TOP"))
    expect(charts).to_have_count(2)
    waiting = page.get_by_role("img", name="Indikator zu TOP 2: Wartezeit auf Sprachmittlung")
    # the description holds the figures in words
    described = waiting.get_attribute("aria-labelledby").split()[1]
    expect(page.locator(f"#{described}")).to_contain_text("Zielwert 10\u00a0Arbeitstage")
    row = page.locator("#register tbody > tr").filter(has=waiting)
    expect(row).to_contain_text("überfällig – in Arbeit")
    expect(row).to_contain_text("Indikator nicht im Plan")
    expect(row.locator(".verbund-indicator-values li")).to_have_count(3)
    bookings = page.locator("#register tbody > tr").filter(has_text="mehrsprachiger Buchungen")
    expect(bookings.locator(".verbund-indicator-progress")).to_have_text("im Plan")
    assert axe_violations(page) == []
    both_widths(page, shots, "register_indicators")

    # a new value by keyboard: tab to the value field of the waiting-time measure, type, Enter
    field = row.get_by_label("Istwert (Arbeitstage)")
    tab_to(page, field)
    page.keyboard.type("12")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("Der Istwert wurde gespeichert.")).to_be_visible()
    row = page.locator("#register tbody > tr").filter(
        has=page.get_by_role("img", name="Indikator zu TOP 2: Wartezeit auf Sprachmittlung")
    )
    expect(row.locator(".verbund-indicator-values li")).to_have_count(4)
    expect(row).to_contain_text("zuletzt 12\u00a0Arbeitstage")

    # a wrong value: a German message naming the field, nothing saved
    field = row.get_by_label("Istwert (Arbeitstage)")
    field.fill("zwölf")
    field.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("Istwert: bitte eine Zahl angeben")).to_be_visible()
    assert axe_violations(page) == []
    shots(page, "register_indicators_error")
