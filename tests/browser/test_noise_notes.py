"""The note under perturbed figures (``[privacy] noise = 2`` in the KIM configuration) in a
real browser: visible under the statistics table and the comparison, tied to each table as
its description, axe-core without findings, 320 px without sideways scrolling of the page.
Screenshots: tests/browser/screenshots/noise_notes_*.png."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from tests.browser.test_axe_every_page import axe_violations
from tests.browser.test_bitv_forms import no_sideways_scrolling
from tests.browser_support import log_in, needs_chromium, screens_on_sqlite_pass

pytestmark = [needs_chromium, screens_on_sqlite_pass]

NOTE = "Zahlen zum Schutz vor Rückschlüssen um bis zu ±2 verändert; Summen können abweichen."


def test_noise_notes(kim_site, new_page, shots):
    page = new_page()
    log_in(page, kim_site, "koordination")
    year = dt.date.today().year  # the demo's records are dated relative to today
    page.goto(
        kim_site + "/statistik/?workflow=case_management&rows=state"
        f"&zeitraum=jahr&jahr={year}&vergleich=1"
    )
    for table_id in ("statistik", "vergleich-tabelle"):
        table = page.locator(f"table#{table_id}")
        note = page.locator(f"#{table_id}-rauschen")
        expect(note).to_be_visible()
        expect(note).to_have_text(NOTE)
        expect(table).to_have_attribute("aria-describedby", f"{table_id}-rauschen")
        expect(table).to_have_accessible_description(re.compile("um bis zu ±2 verändert"))
    assert axe_violations(page) == []
    shots(page, "statistik")
    page.set_viewport_size({"width": 320, "height": 800})
    no_sideways_scrolling(page)
    page.locator("#vergleich-tabelle-rauschen").scroll_into_view_if_needed()
    shots(page, "statistik-320")
    # the Lenkungskreis report: the counts and their durations say it, too
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(kim_site + f"/statistik/berichte/lenkungskreis-faelle?zeitraum=jahr&jahr={year}")
    expect(page.get_by_text(NOTE).first).to_be_visible()
    expect(
        page.get_by_text(re.compile("^Anzahlen zum Schutz vor Rückschlüssen")).first
    ).to_be_visible()
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 320, "height": 800})
    no_sideways_scrolling(page)
    shots(page, "bericht-320")
    assert page.errors == []
