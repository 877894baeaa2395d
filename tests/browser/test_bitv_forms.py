"""What axe-core cannot find on the record pages, checked as a keyboard and screen-reader user
meets it (WCAG 2.1 AA, issue 14).

- the skip link is the first Tab stop and leads into ``<main>``; one h1, no heading level skipped;
- a save with errors: "Fehler:" in the title, an error summary that takes the focus and links to
  each field, every wrong field ``aria-invalid`` and described by its message and help text,
  required fields ``required`` – rendered by the server, so the same holds with JavaScript off;
- checkbox groups and tables are fieldsets named by their legend; a removed table row does not
  take the focus with it;
- the meeting record: the 14-column agenda is one block per row with labelled fields, both
  checkboxes of a row inside the card, nothing scrolls sideways at 320 px (screenshots
  tests/browser/screenshots/meeting_record_*.png).
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser_support import log_in, needs_chromium

pytestmark = [
    needs_chromium,
    pytest.mark.skipif(
        bool(os.environ.get("VERBUND_TEST_DATABASE_URL")),
        reason="the HTML does not depend on the database: checked on the SQLite pass",
    ),
]

HEADING_LEVELS = (
    "[...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')]"
    ".filter(h => h.offsetParent !== null).map(h => Number(h.tagName[1]))"
)


def open_record(page, base: str, workflow: str, query: str = "") -> None:
    page.goto(f"{base}/records/{workflow}/{query}")
    page.locator("table tbody a[href*='/records/']").first.click()
    expect(page.locator("#record-title")).to_be_visible()


def open_step(page, number: int) -> None:
    """Step ``number`` of the stepped intake on the record page that is open."""
    page.goto(page.url.split("#")[0].split("?")[0] + f"?form=intake&step={number}")
    expect(page.locator('#form-intake [aria-current="step"]')).to_be_visible()


def no_sideways_scrolling(page) -> None:
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in {widths[1]} px"


def test_skip_link_landmarks_and_headings(kim_site, new_page):
    page = new_page()
    log_in(page, kim_site, "cm.amt")
    open_record(page, kim_site, "case_management", "?state=intake")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#inhalt")).to_be_focused()
    expect(page.get_by_role("navigation", name="Hauptmenü")).to_be_visible()
    # one h1, and going down the page no level is skipped (h1 -> h2 -> h3)
    levels = page.evaluate(HEADING_LEVELS)
    assert levels.count(1) == 1 and levels[0] == 1
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"heading levels jump: {levels}"
    # groups of inputs are fieldsets named by their legend (steps 2 and 5 of the intake)
    open_step(page, 2)
    expect(page.get_by_role("group", name="Sprachen")).to_be_visible()
    open_step(page, 5)
    agencies = page.get_by_role("group", name="Beteiligte Stellen")
    expect(agencies.get_by_role("textbox", name="Stelle").first).to_be_visible()
    assert page.errors == []


def test_errors_are_tied_to_their_fields(kim_site, new_page):
    page = new_page()
    log_in(page, kim_site, "cm.amt")
    open_record(page, kim_site, "case_management", "?state=intake")
    name = page.locator("#intake-name")
    assert name.get_attribute("required") is not None  # HTML required: announced as required
    page.fill("#intake-name", "")
    page.fill("#intake-email", "keine-adresse")
    page.locator("#form-intake button[type=submit]").click()

    assert page.title().startswith("Fehler: ")
    summary = page.get_by_role("alert").filter(has_text="Bitte korrigieren Sie")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="Name oder Pseudonym")
    expect(link).to_be_visible()
    expect(summary.get_by_role("link", name="E-Mail")).to_be_visible()

    # the field says it is wrong, and why, and its help text
    assert name.get_attribute("aria-invalid") == "true"
    described = name.get_attribute("aria-describedby").split()
    texts = [page.locator(f"#{i}").inner_text() for i in described]
    assert any("Pflichtfeld" in t for t in texts), texts
    assert any("Pseudonym" in t and "Team" in t for t in texts), texts  # the help text
    expect(name).to_have_accessible_description(" ".join(texts))
    assert page.locator("#intake-phone").get_attribute("aria-invalid") is None

    # the summary's link leads to the field, by keyboard
    link.focus()
    page.keyboard.press("Enter")
    expect(name).to_be_focused()
    # the refused save answers 422 (Chromium logs that); no script failed
    assert [e for e in page.errors if "422" not in e] == []


def test_errors_are_tied_to_their_fields_without_javascript(kim_site, chromium):
    context = chromium.new_context(locale="de-DE", java_script_enabled=False)
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        log_in(page, kim_site, "cm.amt")
        open_record(page, kim_site, "case_management", "?state=intake")
        name = page.locator("#intake-name")
        expect(name).to_have_attribute("required", "")
        page.fill("#intake-name", "")
        page.locator("#form-intake button[type=submit]").click()  # novalidate: sent as it is
        expect(name).to_have_attribute("aria-invalid", "true")
        expect(name).to_have_accessible_description(re.compile(r"Pflichtfeld.*Pseudonym", re.S))
        link = page.locator(".verbund-error-summary a", has_text="Name oder Pseudonym")
        assert link.get_attribute("href") == "#intake-name"
    finally:
        context.close()


def test_removing_a_table_row_keeps_the_focus_in_the_table(kim_site, new_page):
    page = new_page()
    log_in(page, kim_site, "cm.amt")
    open_record(page, kim_site, "case_management", "?state=intake")
    open_step(page, 5)
    table = page.locator('table[data-name="intake-agencies"]')
    before = table.locator("tr.verbund-row").count()
    table.locator(".verbund-row-remove").first.focus()
    page.keyboard.press("Enter")
    expect(table.locator("tr.verbund-row")).to_have_count(before - 1)
    focused = page.evaluate("document.activeElement.className")
    assert "verbund-row-remove" in focused or "verbund-add-row" in focused, focused


def test_meeting_record_stacks_the_agenda_and_keeps_its_checkboxes_in_the_card(
    kim_site, new_page, shots
):
    page = new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, kim_site, "sekretariat")
    open_record(page, kim_site, "meeting")
    card = page.locator("#form-meeting")
    agenda = page.get_by_role("group", name="Tagesordnung")
    first_row = agenda.locator("tr.verbund-row").first
    # every field of a row is labelled on screen, under one another in the row's block
    for label in ("TOP", "Thema", "Beschluss / Ergebnis", "Verantwortlich", "Fällig am"):
        expect(first_row.get_by_text(label, exact=False).first).to_be_visible()
    money = first_row.get_by_role("checkbox", name="Finanzielle Auswirkungen")
    bodies = first_row.get_by_role("checkbox", name="Politische Gremien beteiligen")
    box = card.bounding_box()
    for checkbox in (money, bodies):
        expect(checkbox).to_be_visible()
        inner = checkbox.bounding_box()
        assert box["x"] <= inner["x"] and inner["x"] + inner["width"] <= box["x"] + box["width"]
    no_sideways_scrolling(page)
    shots(page, "1366")

    # the political-bodies box ticked with the keyboard
    bodies.focus()
    page.keyboard.press("Space")
    expect(bodies).to_be_checked()

    page.set_viewport_size({"width": 320, "height": 800})
    no_sideways_scrolling(page)
    expect(money).to_be_visible()
    shots(page, "320")
    assert page.errors == []
