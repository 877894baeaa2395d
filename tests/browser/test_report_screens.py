"""The period controls of the statistics page and the Lenkungskreis report (issue 17) in a
real browser: keyboard only, axe-core without findings, 320 px without sideways scrolling,
a wrong date tied to its field. Screenshots: tests/browser/screenshots/report_*.png."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_axe_every_page import axe_violations
from tests.browser.test_bitv_forms import no_sideways_scrolling
from tests.browser_support import log_in, needs_chromium, screens_on_sqlite_pass

pytestmark = [needs_chromium, screens_on_sqlite_pass]


def test_report_period_by_keyboard(kim_site, new_page, shots):
    page = new_page()
    log_in(page, kim_site, "koordination")
    page.goto(kim_site + "/statistik/?workflow=case_management&rows=state")
    # keyboard only: to the radio "Jahr", the year, then submit with Enter
    page.locator("#zeitraum-alle").focus()
    page.keyboard.press("ArrowDown")  # radio group: Quartal
    page.keyboard.press("ArrowDown")  # Jahr
    expect(page.locator("#zeitraum-jahr")).to_be_checked()
    page.keyboard.press("Tab")  # to the select of the quarter
    page.keyboard.press("Tab")  # the year
    expect(page.locator("#jahr")).to_be_focused()
    button = page.get_by_role("button", name="Auswerten")
    for _ in range(20):  # on by Tab to the button, as a keyboard user goes
        page.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    assert button.evaluate("b => b === document.activeElement"), page.evaluate(
        "document.activeElement.outerHTML"
    )
    page.keyboard.press("Enter")  # a plain form: no JS needed
    page.wait_for_url(re.compile("zeitraum=jahr"))
    year = page.locator("#jahr").input_value()
    expect(page.locator("main, body").first).to_contain_text(f"Zeitraum: {year}")
    expect(page.locator("#vergleich-tabelle")).to_be_visible()
    assert axe_violations(page) == []
    shots(page, "statistik-jahr")
    # a wrong date: the message is tied to the field
    page.goto(kim_site + "/statistik/?workflow=case_management&zeitraum=frei&von=2026-02-01&bis=x")
    expect(page.locator("#bis")).to_have_attribute("aria-describedby", "bis-fehler")
    expect(page.locator("#bis-fehler")).to_contain_text("Bitte ein Datum eingeben")
    assert axe_violations(page) == []
    shots(page, "statistik-fehler")
    # the report: the last complete quarter by default, and the comparison
    page.goto(kim_site + "/statistik/berichte/")
    page.get_by_role("link", name="Lenkungskreis: Case Management").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Lenkungskreis: Case Management")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Erstkontakt bis Aufnahme ins Case Management")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Zeit in jeder Phase")).to_be_visible()
    expect(page.locator("#zeitraum-quartal")).to_be_checked()
    assert axe_violations(page) == []
    shots(page, "bericht")
    page.set_viewport_size({"width": 320, "height": 800})
    no_sideways_scrolling(page)
    shots(page, "bericht-320")
    page.goto(kim_site + "/statistik/?workflow=case_management&zeitraum=quartal&quartal=2026-Q4")
    no_sideways_scrolling(page)
    shots(page, "statistik-320")
