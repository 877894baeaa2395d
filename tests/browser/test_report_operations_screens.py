"""The report screens of the operational round (issue 17) in a real browser against ``verbund
serve`` with the KIM demo: the coordination's start block with its period in the heading; the
statistics page reached from a report that counts by a date field; a failed report file made
again with „Erneut erstellen“ by keyboard (the site's worker makes it). axe-core finds
nothing, and at 320 px no page scrolls sideways.

Screenshots: tests/browser/screenshots/report_operations_*.png.
"""

from __future__ import annotations

import time

from playwright.sync_api import expect

from server import clock
from tests.browser.conftest import run_on_site
from tests.browser.test_axe_every_page import axe_violations
from tests.browser.test_long_lists import tab_to
from tests.browser.test_screens_a11y import both_widths, page_for
from tests.browser_support import needs_chromium, screens_on_sqlite_pass

__all__ = ["page_for"]  # the fixture, used by name below

pytestmark = [needs_chromium, screens_on_sqlite_pass]

FAILED_FILE = """
import datetime as dt
from server.config import load_settings
from server.models import ReportDocument, User
from server.runtime import start_runtime
start_runtime(load_settings())
row = ReportDocument.create(
    report="lenkungskreis-faelle", title="Lenkungskreis: Case Management", format="xlsx",
    period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 31), period_kind="quartal",
    status="failed", error="Unerwarteter Fehler beim Erstellen (OSError).",
    requested_by=User.get(User.username == "koordination"), filename="lk-2026-q1.xlsx")
print(row.id)
"""


def _failed_file(base: str) -> int:
    """A failed report file of the coordination, written with Verbund's own models."""
    return int(run_on_site(base, FAILED_FILE).strip().splitlines()[-1])


def test_start_block_with_its_period(kim_site, page_for, shots):
    page = page_for(kim_site, "koordination")
    page.goto(kim_site + "/")
    year = clock.today().year  # the demo's cases were made today
    block = page.get_by_role("region", name=f"Fälle nach Phase – {year}")
    expect(block).to_be_visible()
    expect(block).to_contain_text(f"angelegt im Zeitraum {year} (Berliner Zeit)")
    link = block.get_by_role("link", name="Statistik")
    assert f"zeitraum=jahr&jahr={year}" in link.get_attribute("href")
    assert axe_violations(page) == []
    both_widths(page, shots, "report_operations_start")


def test_statistics_from_a_report_count_by_its_date(kim_site, page_for, shots):
    page = page_for(kim_site, "koordination")
    page.goto(kim_site + "/statistik/berichte/lenkungskreis-barrieren")
    link = page.get_by_role("link", name="Freie Statistik nach demselben Datum")
    tab_to(page, link)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("wie im Bericht „Lenkungskreis: Barrierenregister“")).to_be_visible()
    expect(page.get_by_role("link", name="Zurück zum Bericht")).to_be_visible()
    # the form keeps the report when a person picks other rows
    page.get_by_label("Zeilen").select_option(index=1)
    page.get_by_role("button", name="Auswerten").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "bericht=lenkungskreis-barrieren" in page.url
    expect(page.get_by_text("wie im Bericht „Lenkungskreis: Barrierenregister“")).to_be_visible()
    assert axe_violations(page) == []
    both_widths(page, shots, "report_operations_statistics")


def test_a_failed_file_made_again_by_keyboard(kim_site, page_for, shots):
    file_id = _failed_file(kim_site)
    page = page_for(kim_site, "koordination")
    url = f"{kim_site}/statistik/berichte/lenkungskreis-faelle/datei/{file_id}"
    page.goto(url)
    status = page.get_by_role("status").filter(has_text="Stand:")
    expect(status).to_contain_text("fehlgeschlagen – Unerwarteter Fehler")
    button = page.get_by_role("button", name="Erneut erstellen")
    assert axe_violations(page) == []
    both_widths(page, shots, "report_operations_failed")
    tab_to(page, button)
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("Die Datei wird erneut erstellt.")).to_be_visible()
    for _ in range(60):  # the worker of `verbund serve` makes it
        if "fertig" in status.inner_text():
            break
        time.sleep(1)
        page.get_by_role("link", name="Stand aktualisieren").focus()
        page.keyboard.press("Enter")
        page.wait_for_load_state()
    expect(status).to_contain_text("fertig")
    expect(page.get_by_role("button", name="Erneut erstellen")).to_have_count(0)
    expect(page.get_by_role("link", name="lk-2026-q1.xlsx herunterladen")).to_be_visible()
    assert axe_violations(page) == []
    both_widths(page, shots, "report_operations_retried")
