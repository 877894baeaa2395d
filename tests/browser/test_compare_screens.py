"""The cell-by-cell comparison with the period before (issue 17) in a real browser, on the
statistics page and the Lenkungskreis report of the KIM demo: axe-core without findings,
headers a screen reader announces, the change in words, the wide table scrolling inside
its own labelled region that the keyboard reaches, and 320 px without sideways scrolling
of the page. Screenshots: tests/browser/screenshots/compare_cells_*.png."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from tests.browser.test_axe_every_page import axe_violations
from tests.browser.test_bitv_forms import no_sideways_scrolling
from tests.browser_support import log_in, needs_chromium, screens_on_sqlite_pass

pytestmark = [needs_chromium, screens_on_sqlite_pass]


def test_compare_cells(kim_site, new_page, shots):
    page = new_page()
    log_in(page, kim_site, "koordination")
    year = dt.date.today().year  # the demo's records are dated relative to today
    page.goto(
        kim_site + "/statistik/?workflow=case_management&rows=state&columns=intake.target_group"
        f"&zeitraum=jahr&jahr={year}&vergleich=1"
    )
    region = page.get_by_role("region", name=re.compile(f"Vergleich: {year} und davor"))
    expect(region).to_have_attribute("tabindex", "0")
    table = region.locator("table#vergleich-tabelle")
    # two header rows: each category spans its three columns (now, before, change)
    expect(table.locator("thead tr").nth(0).locator("th[scope=colgroup]").first).to_have_attribute(
        "colspan", "3"
    )
    expect(table.locator("thead tr").nth(1).locator("th").nth(2)).to_have_text("Veränderung")
    # every change in words for a screen reader, besides the sign it shows
    words = table.locator("td .sr-only").all_inner_texts()
    assert words and all(re.fullmatch(r"\d+ (mehr|weniger)|\s*\(unverändert\)", w) for w in words)
    # every data cell names its row, its category and its column
    for cell in table.locator("tbody td").all()[:12]:
        ids = cell.get_attribute("headers").split()
        assert len(ids) == 3 and all(page.locator(f"#{i}").count() == 1 for i in ids)
    assert axe_violations(page) == []
    shots(page, "statistik")
    # at 320 px the page does not scroll sideways; the region does, by keyboard
    page.set_viewport_size({"width": 320, "height": 800})
    no_sideways_scrolling(page)
    region.focus()
    expect(region).to_be_focused()
    assert region.evaluate("r => r.scrollLeft") == 0
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # (the browser may scroll smoothly: wait for it)
    region.evaluate("r => new Promise(done => setTimeout(done, 500))")
    assert region.evaluate("r => r.scrollLeft") > 0
    shots(page, "statistik-320")
    # the Lenkungskreis report: its measure by district and target group, cell by cell
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(kim_site + f"/statistik/berichte/?zeitraum=jahr&jahr={year}&vergleich=1")
    page.get_by_role("link", name="Lenkungskreis: Case Management").click()
    page.goto(page.url.split("?")[0] + f"?zeitraum=jahr&jahr={year}&vergleich=1")
    cells = page.locator("table[id^=vergleich-] th[scope=colgroup]")
    expect(cells.first).to_be_visible()
    assert axe_violations(page) == []
    shots(page, "bericht")
    page.set_viewport_size({"width": 320, "height": 800})
    no_sideways_scrolling(page)
    shots(page, "bericht-320")
    assert page.errors == []
