"""Two KIM journeys with the keyboard only (WCAG 2.1.1, 2.4.3, 2.4.7; issue 14).

No mouse and no ``.click()``: the person moves with Tab and Shift+Tab, acts with Enter and
Space, types text, and picks options of a list with the arrow keys. ``move_to`` presses Tab
(or Shift+Tab, when the target lies above) until the target has the focus, and fails if it is
never reached – a control the keyboard cannot reach fails the journey. Every stop on the way
must show where the focus is (a visible focus ring, WCAG 2.4.7).

1. A case manager opens a case (and confirms it), fills in the intake, meets the admission
   guard, fixes it, moves the case on and downloads the consent form.
2. The committee secretary opens a meeting, records two agenda items and ticks "Politische
   Gremien beteiligen" for the item with financial impact.

axe-core checks each page reached (the refusal of the guard too). Screenshots:
tests/browser/screenshots/keyboard_*.png.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.browser.test_kim_journeys import paragraphs
from tests.browser_support import DEMO_PASSWORD, axe_violations, needs_chromium

pytestmark = [
    needs_chromium,
    pytest.mark.skipif(
        bool(os.environ.get("VERBUND_TEST_DATABASE_URL")),
        reason="keyboard use does not depend on the database: checked on the SQLite pass",
    ),
]

MAX_STEPS = 250  # Tab presses to reach any control; the longest page has fewer stops

IS_FOCUSED = "el => el === document.activeElement"
# the target lies before the focused element in the document: go back with Shift+Tab
IS_ABOVE = (
    "el => !!document.activeElement && document.activeElement !== document.body &&"
    " !!(el.compareDocumentPosition(document.activeElement) & Node.DOCUMENT_POSITION_FOLLOWING)"
)
FOCUS_SHOWN = (
    "() => { const el = document.activeElement; const s = getComputedStyle(el);"
    " return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)"
    " || s.boxShadow !== 'none'; }"
)


@pytest.fixture
def keyboard_page(chromium):
    """A page whose only input is the keyboard (axe-core injected: CSP bypassed)."""
    context = chromium.new_context(
        locale="de-DE",
        timezone_id="Europe/Berlin",
        viewport={"width": 1366, "height": 900},
        bypass_csp=True,
        accept_downloads=True,
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def no_axe_violations(page) -> None:
    # the shared check waits for every stylesheet: right after a transition's redirect axe once
    # saw the menu button before Bootstrap's styles had hidden it (CI, 5 December 2026)
    assert axe_violations(page) == []


def move_to(page, target) -> None:
    """Tab (or Shift+Tab) until ``target`` has the focus; each stop shows its focus."""
    target.wait_for(state="visible")
    key = "Shift+Tab" if target.evaluate(IS_ABOVE) else "Tab"
    for _ in range(MAX_STEPS):
        # the locator, not an element handle: a list that refreshes itself (the documents'
        # status) replaces its links, and a held handle would never be focused
        if target.evaluate(IS_FOCUSED):
            assert page.evaluate(FOCUS_SHOWN), "the focused control shows no focus"
            return
        page.keyboard.press(key)
    raise AssertionError(f"{target} is not reached with {key}")


def type_into(page, target, text: str) -> None:
    move_to(page, target)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose(page, select, label: str) -> None:
    """Pick ``label`` in a list box with the arrow keys (it stays closed)."""
    move_to(page, select)
    for _ in range(40):
        if select.evaluate("s => s.options[s.selectedIndex].text") == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {label!r}")


def press_on(page, target, key: str = "Enter") -> None:
    move_to(page, target)
    page.keyboard.press(key)


def keyboard_login(page, base: str, username: str) -> None:
    page.goto(base + "/auth/login")
    type_into(page, page.get_by_label("Benutzername"), username)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")


def new_record(page, workflow_link: str, label: str, shots) -> None:
    """From the start page: the workflow's list, "Neu", then the confirmation."""
    press_on(page, page.get_by_role("link", name=workflow_link, exact=True).first)
    press_on(page, page.get_by_role("link", name=f"Neu: {label}"))
    expect(page.get_by_role("heading", name=f"{label} neu anlegen?")).to_be_visible()
    no_axe_violations(page)
    shots(page, "neu-anlegen")
    press_on(page, page.get_by_role("button", name=f"{label} anlegen"), "Space")
    expect(page.locator("#record-title")).to_be_visible()


def save(page, form: str, title: str) -> None:
    press_on(page, page.locator(f"#form-{form} button[type=submit]"))
    expect(page.get_by_text(f"„{title}“ wurde gespeichert.")).to_be_visible()


def onwards(page, step_title: str) -> None:
    """ "Speichern und weiter" on a step of the stepped intake, with Enter."""
    press_on(page, page.get_by_role("button", name="Speichern und weiter"))
    expect(page.get_by_text(f"Schritt „{step_title}“ wurde gespeichert.")).to_be_visible()


def test_case_manager_with_the_keyboard_only(kim_site, keyboard_page, shots):
    page = keyboard_page
    keyboard_login(page, kim_site, "cm.amt")
    new_record(page, "KIM-Case-Management", "Fall", shots)
    expect(page.locator("#record-state")).to_have_text("Klärungsphase (Intake)")

    # the intake, step by step (forms/intake.toml [[steps]])
    type_into(page, page.locator("#intake-name"), "K. Tastatur")
    type_into(page, page.locator("#intake-birth_year"), "1990")
    # back up with Shift+Tab to a field above: the name, corrected
    type_into(page, page.locator("#intake-name"), "K. Tastatur-Test")
    onwards(page, "Person")
    onwards(page, "Sprache")
    # the consent date appears once the box is ticked (show_if), right after it
    consent = page.get_by_label("Einwilligung liegt vor")
    press_on(page, consent, "Space")
    expect(consent).to_be_checked()
    date = page.locator("#intake-consent_date")
    # typed digit by digit into the date's parts; day = month, since headless Chromium may
    # order the parts by its own language rather than the page's
    type_into(page, date, "03032026")
    expect(date).to_have_value("2026-03-03")
    onwards(page, "Einwilligung")
    choose(page, page.locator("#intake-access_channel"), "Welcome Point")
    choose(page, page.locator("#intake-target_group"), "Neuzugewanderte")
    onwards(page, "Zugang und Zielgruppe")
    type_into(page, page.locator('[name="intake-agencies-0-agency"]'), "Jobcenter")
    onwards(page, "Beteiligte Stellen")
    shots(page, "intake")

    consents = page.locator("#einwilligungen")
    type_into(page, consents.locator('input[name="given_at"]'), "03032026")
    press_on(page, consents.get_by_role("button", name="Einwilligung erfassen"))
    expect(consents).to_contain_text("erteilt am")

    # the admission guard: one agency is not enough; the refusal is read and checked
    press_on(page, page.get_by_role("button", name="Arbeitsbündnis steht – Assessment beginnen"))
    refusal = page.get_by_role("alert").filter(has_text="mindestens zwei beteiligte Stellen")
    expect(refusal).to_be_visible()
    expect(page.locator("#record-state")).to_have_text("Klärungsphase (Intake)")
    no_axe_violations(page)
    shots(page, "aufnahmebedingung")

    steps = page.get_by_role("navigation", name="Schritte von „Klärung / Intake“")
    press_on(page, steps.get_by_role("link", name="Beteiligte Stellen"))
    type_into(page, page.locator('[name="intake-agencies-1-agency"]'), "Ausländerbehörde")
    onwards(page, "Beteiligte Stellen")
    press_on(page, page.get_by_role("button", name="Arbeitsbündnis steht – Assessment beginnen"))
    expect(page.locator("#record-state")).to_have_text("Assessment")
    no_axe_violations(page)
    shots(page, "assessment")

    # the consent form: asked for with Enter, fetched with Enter once the worker made it
    press_on(page, page.get_by_role("button", name="Einwilligungserklärung erstellen"))
    link = page.locator(".verbund-document", has_text="Einwilligungserklärung").first.locator(
        "a.verbund-download"
    )
    expect(link).to_be_visible(timeout=30_000)
    move_to(page, link)
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename.endswith(".docx")
    with open(info.value.path(), "rb") as fh:
        text = paragraphs(fh.read())
    assert "Einwilligungserklärung" in text and "K. Tastatur-Test" in text
    no_axe_violations(page)
    shots(page, "einwilligung")
    assert page.errors == []


def test_secretary_records_two_agenda_items_with_the_keyboard_only(kim_site, keyboard_page, shots):
    page = keyboard_page
    keyboard_login(page, kim_site, "sekretariat")
    new_record(page, "Gremiensitzungen", "Sitzung", shots)
    choose(
        page, page.locator("#meeting-committee"), "Lenkungskreis Kommunales Integrationsmanagement"
    )
    type_into(page, page.locator("#meeting-title"), "Sitzung mit der Tastatur")
    type_into(page, page.locator("#meeting-date"), "09092026")
    expect(page.locator("#meeting-date")).to_have_value("2026-09-09")
    type_into(page, page.locator("#meeting-minute_taker"), "Sina Sekretariat")

    agenda = page.get_by_role("group", name="Tagesordnung")
    type_into(page, page.locator('[name="meeting-agenda-0-topic"]'), "Bericht der Koordination")
    # a second row: "Zeile hinzufügen" puts the focus into its first field
    press_on(page, page.locator('.verbund-add-row[data-table="meeting-agenda"]'))
    rows = agenda.locator("tr.verbund-row")
    expect(rows).to_have_count(2)  # the page's blank row, now filled, and the new one
    type_into(page, page.locator('[name="meeting-agenda-1-topic"]'), "Sprachmittlung")
    second = rows.nth(1)
    money = second.get_by_role("checkbox", name="Finanzielle Auswirkungen")
    bodies = second.get_by_role("checkbox", name="Politische Gremien beteiligen")
    press_on(page, money, "Space")
    press_on(page, bodies, "Space")
    expect(money).to_be_checked()
    expect(bodies).to_be_checked()
    shots(page, "tagesordnung")
    save(page, "meeting", "Sitzung")

    # saved: both items, the boxes of the second one ticked
    expect(page.locator('[name="meeting-agenda-0-topic"]')).to_have_value(
        "Bericht der Koordination"
    )
    expect(page.locator('[name="meeting-agenda-1-topic"]')).to_have_value("Sprachmittlung")
    expect(page.locator('[name="meeting-agenda-1-escalation"]')).to_be_checked()
    expect(page.locator('[name="meeting-agenda-1-financial_impact"]')).to_be_checked()
    expect(page.locator('[name="meeting-agenda-0-escalation"]')).not_to_be_checked()
    no_axe_violations(page)
    shots(page, "gespeichert")
    assert page.errors == []
