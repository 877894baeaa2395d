"""The Lenkungskreis report as a file (issue 17) in a real browser against ``verbund serve``
(its worker makes the file): the buttons by keyboard, the status page announced and
refreshed, the download; axe-core without findings, 320 px without sideways scrolling.
Screenshots: tests/browser/screenshots/report_file_*.png."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.browser.test_axe_every_page import axe_violations
from tests.browser.test_bitv_forms import no_sideways_scrolling
from tests.browser_support import log_in, needs_chromium, screens_on_sqlite_pass

pytestmark = [needs_chromium, screens_on_sqlite_pass]


def test_report_as_word_by_keyboard(kim_site, new_page, shots):
    page = new_page()
    log_in(page, kim_site, "koordination")
    page.goto(kim_site + "/statistik/berichte/lenkungskreis-faelle")
    word = page.get_by_role("button", name="Als Word-Dokument")
    expect(word).to_be_visible()
    expect(page.get_by_role("button", name="Als Excel-Tabelle")).to_be_visible()
    assert axe_violations(page) == []
    shots(page, "report_file_buttons")
    page.get_by_role("button", name="Anzeigen").focus()
    for _ in range(10):  # on by Tab to the button, as a keyboard user goes
        page.keyboard.press("Tab")
        if word.evaluate("b => b === document.activeElement"):
            break
    assert word.evaluate("b => b === document.activeElement"), page.evaluate(
        "document.activeElement.outerHTML"
    )
    page.keyboard.press("Enter")
    status = page.get_by_role("status").filter(has_text="Stand:")
    expect(status).to_be_visible()
    for _ in range(60):  # the worker of `verbund serve` makes it; the page says when
        if "fertig" in status.inner_text():
            break
        time.sleep(1)
        page.get_by_role("link", name="Stand aktualisieren").focus()
        page.keyboard.press("Enter")
        page.wait_for_load_state()
    expect(status).to_contain_text("fertig")
    link = page.get_by_role("link", name="herunterladen")
    expect(link).to_be_visible()
    assert axe_violations(page) == []
    shots(page, "report_file_ready")
    with page.expect_download() as download:
        link.focus()
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".docx")
    page.set_viewport_size({"width": 320, "height": 800})
    no_sideways_scrolling(page)
    shots(page, "report_file_ready-320")
    page.goto(kim_site + "/statistik/berichte/lenkungskreis-faelle")
    no_sideways_scrolling(page)
    expect(page.get_by_role("link", name="Word-Dokument")).to_be_visible()  # the last files
    assert axe_violations(page) == []
    shots(page, "report_file_buttons-320")
