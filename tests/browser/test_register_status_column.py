"""The decision and measure register (issue 17): its last column, „Stand“ (the status of a
measure, with the form that changes it), was cut off at 1366 px – the table scrolled in its
own box, and the status lay outside it. Now the whole table fits at 1366 and 1280 px: the
„Stand“ heading and every status badge lie inside the visible table box, without scrolling.
At 320 px each entry stacks its cells under their column names, so the status shows there
too and the page does not scroll sideways. The status form works by keyboard; axe-core finds
nothing.

Screenshots: tests/browser/screenshots/register_status_*.png.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_axe_every_page import axe_violations
from tests.browser.test_long_lists import tab_to
from tests.browser.test_screens_a11y import page_for
from tests.browser_support import needs_chromium, screens_on_sqlite_pass

__all__ = ["page_for"]  # the fixture, used by name below

pytestmark = [needs_chromium, screens_on_sqlite_pass]

# every status badge and the „Stand“ heading: its right edge, and that of the table's box
EDGES = """() => {
  const table = document.querySelector('#register');
  const box = table.closest('.table-responsive') || table.parentElement;
  const right = box.getBoundingClientRect().right;
  // the header row counts where it is shown (at 320 px it is there for screen readers only)
  const head = table.querySelector('thead');
  const parts = [...table.querySelectorAll('.verbund-register-status')];
  if (head.getBoundingClientRect().width > 1) parts.push(head.querySelector('th:last-child'));
  const shown = parts.map(e => e.getBoundingClientRect());
  return {right, sticking: shown.filter(r => r.right > right + 0.5 || r.left < 0).length,
          count: shown.length, scroll: box.scrollWidth - box.clientWidth,
          page: document.documentElement.scrollWidth - document.documentElement.clientWidth};
}"""


def _status_shows(page, width: int) -> dict:
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_function(f"window.innerWidth === {width}")
    edges = page.evaluate(EDGES)
    assert edges["count"] > 2, edges
    assert edges["sticking"] == 0, (width, edges)
    assert edges["page"] <= 0, (width, edges)
    return edges


def test_the_status_column_shows_at_1366_1280_and_320(kim_site, page_for, shots):
    page = page_for(kim_site, "sekretariat")
    page.goto(kim_site + "/register/")
    expect(page.locator("#register thead th").last).to_have_text("Stand")
    for width in (1366, 1280):
        edges = _status_shows(page, width)
        # nothing hidden to the right (1 px: the table's collapsed outer border, rounded)
        assert edges["scroll"] <= 1, (width, edges)
        page.locator("#register").scroll_into_view_if_needed()
        shots(page, f"register_status-{width}")
    assert axe_violations(page) == []

    _status_shows(page, 320)
    # stacked: each cell says which column it is
    first = page.locator("#register tbody > tr").first
    expect(first.locator("td").last).to_be_visible()
    label = first.locator("td").last.evaluate("td => getComputedStyle(td, '::before').content")
    assert "Stand" in label, label
    shots(page, "register_status-320")
    page.locator(".verbund-register-status").first.scroll_into_view_if_needed()
    shots(page, "register_status-320-status")
    assert axe_violations(page) == []

    # the status form of an approved meeting's measure, by keyboard at 320 px
    select = page.get_by_label("Neuer Stand").first
    tab_to(page, select)
    page.keyboard.press("End")  # the last status in the list
    chosen = select.evaluate("s => s.options[s.selectedIndex].text")
    page.keyboard.press("Tab")
    page.keyboard.type("per Tastatur")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("per Tastatur").first).to_be_visible()
    expect(page.locator(".verbund-register-status", has_text=chosen).first).to_be_visible()
