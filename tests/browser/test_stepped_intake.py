"""The KIM intake in steps, with the keyboard only (issue 20): the step list says where one
is (aria-current="step"), each step saves ("Speichern und weiter", "Zurück"), an error of
step 2 is shown at its field, an open point of a skipped step is listed on the summary with
a link to its field, and the summary shows everything. axe-core on every screen, 320 px.
Screenshots: tests/browser/screenshots/stepped_intake_*.png.
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_keyboard_journeys import (  # noqa: F401 - keyboard_page is a fixture
    choose,
    keyboard_login,
    keyboard_page,
    move_to,
    new_record,
    no_axe_violations,
    press_on,
    type_into,
)
from tests.browser_support import needs_chromium

pytestmark = [
    needs_chromium,
    pytest.mark.skipif(
        bool(os.environ.get("VERBUND_TEST_DATABASE_URL")),
        reason="the steps are screens: checked on the SQLite pass (services run on both)",
    ),
]


def step_list(page):
    return page.get_by_role("navigation", name="Schritte von „Klärung / Intake“")


def expect_current(page, title: str) -> None:
    current = step_list(page).locator('[aria-current="step"]')
    expect(current).to_have_count(1)
    expect(current).to_contain_text(title)
    expect(page.locator("#schritt-intake")).to_contain_text(title)


def onwards(page) -> None:
    press_on(page, page.get_by_role("button", name="Speichern und weiter"))


def holds_at_320(page) -> None:
    page.set_viewport_size({"width": 320, "height": 800})
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide in {widths[1]} px"


def test_stepped_intake_with_the_keyboard_only(kim_site, keyboard_page, shots):  # noqa: F811
    page = keyboard_page
    keyboard_login(page, kim_site, "cm.amt")
    new_record(page, "KIM-Case-Management", "Fall", shots)
    steps = step_list(page)
    # an ordered list: six steps and the summary
    expect(steps.locator("ol > li")).to_have_count(7)
    expect_current(page, "Person")
    expect(page.locator("#intake-access_channel")).to_have_count(0)  # a later step
    no_axe_violations(page)
    shots(page, "schritt-1")

    type_into(page, page.locator("#intake-name"), "S. Schritt")
    onwards(page)
    expect(page.get_by_text("Schritt „Person“ wurde gespeichert.")).to_be_visible()
    expect_current(page, "Sprache")
    expect(steps.locator("li", has_text="Person")).to_contain_text("erledigt")

    # step 2: the interpreter's language is needed once the box is ticked; left empty, the
    # save is refused and the message is at the field
    needed = page.get_by_label("Sprach- und Kulturmittlung nötig")
    press_on(page, needed, "Space")
    language = page.locator("#intake-interpreter_language")
    expect(language).to_be_visible()
    onwards(page)
    summary = page.get_by_role("alert").filter(has_text="Bitte korrigieren Sie")
    expect(summary).to_be_focused()
    expect_current(page, "Sprache")
    expect(language).to_have_attribute("aria-invalid", "true")
    expect(language).to_have_accessible_description(re.compile("Pflichtfeld"))
    no_axe_violations(page)
    shots(page, "fehler-in-schritt-2")
    press_on(page, summary.get_by_role("link", name=re.compile("Sprache der Sprachmittlung")))
    expect(language).to_be_focused()
    choose(page, language, "Arabisch")
    onwards(page)
    expect_current(page, "Einwilligung")

    # "Zurück" saves and goes back; the step list leads anywhere
    press_on(page, page.get_by_role("button", name="Zurück", exact=True))
    expect_current(page, "Sprache")
    expect(page.locator("#intake-interpreter_language")).to_have_value("ar")
    press_on(page, steps.get_by_role("link", name=re.compile("Zusammenfassung")))
    expect_current(page, "Zusammenfassung")
    open_points = page.locator(".verbund-step-others")
    expect(open_points).to_contain_text("Schritt 4 (Zugang und Zielgruppe): Zugangsweg")
    no_axe_violations(page)
    shots(page, "zusammenfassung-offen")

    # the open point's link leads to the field on its step
    press_on(page, open_points.get_by_role("link", name=re.compile("Zugangsweg")))
    expect_current(page, "Zugang und Zielgruppe")
    expect(page).to_have_url(re.compile(r"step=4#intake-access_channel$"))
    choose(page, page.locator("#intake-access_channel"), "Welcome Point")
    choose(page, page.locator("#intake-target_group"), "Neuzugewanderte")
    onwards(page)
    expect_current(page, "Beteiligte Stellen")
    type_into(page, page.locator('[name="intake-agencies-0-agency"]'), "Jobcenter")
    onwards(page)
    expect_current(page, "Aufnahmeentscheidung")
    onwards(page)

    expect_current(page, "Zusammenfassung")
    expect(page.get_by_text("Alle Schritte sind gespeichert und vollständig.")).to_be_visible()
    expect(page.locator("#form-intake dl").first).to_contain_text("S. Schritt")
    expect(page.locator("#form-intake")).to_contain_text("Jobcenter")
    no_axe_violations(page)
    shots(page, "zusammenfassung")
    holds_at_320(page)
    shots(page, "zusammenfassung-320px")
    press_on(page, page.get_by_role("link", name=re.compile("Schritt 5 bearbeiten")))
    expect_current(page, "Beteiligte Stellen")
    no_axe_violations(page)
    shots(page, "schritt-5-320px")
    move_to(page, page.get_by_role("button", name="Speichern und weiter"))
    assert page.errors == []


def test_stepped_intake_without_javascript(kim_site, chromium, shots):
    context = chromium.new_context(locale="de-DE", java_script_enabled=False)
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        from tests.browser_support import log_in

        log_in(page, kim_site, "cm.amt")
        page.goto(kim_site + "/records/case_management/?state=intake")
        page.locator("table tbody a[href*='/records/']").first.click()
        page.get_by_role("link", name=re.compile("Einwilligung")).first.click()
        expect(page.locator('[aria-current="step"]')).to_contain_text("Einwilligung")
        page.get_by_role("button", name="Speichern und weiter").click()
        expect(page.locator('[aria-current="step"]')).to_contain_text("Zugang und Zielgruppe")
        shots(page, "ohne-javascript")
    finally:
        context.close()


def test_goals_copied_into_the_service_plan(kim_site, keyboard_page, shots):  # noqa: F811
    """ "Aus Zielvereinbarung übernehmen": one row per goal, the measures are to be written;
    completed and saved, a second copy adds nothing."""
    page = keyboard_page
    keyboard_login(page, kim_site, "cm.amt")
    page.goto(kim_site + "/records/case_management/?state=goals")
    page.locator("table tbody a[href*='/records/']").first.click()
    goals = page.locator('#form-goals table[data-name="goals-goals"] tbody tr.verbund-row')
    expect(goals.first).to_be_visible()
    count = goals.count() - 1  # the blank row for a new goal
    press_on(page, page.get_by_role("button", name="Hilfeplan erstellen"))
    expect(page.locator("#record-state")).to_have_text("Hilfeplanung")

    press_on(page, page.get_by_role("button", name="Aus Zielvereinbarung übernehmen"))
    expect(page.get_by_text("Die übernommenen Zeilen sind noch nicht gespeichert")).to_be_visible()
    rows = page.locator('table[data-name="planning-measures"] tbody tr.verbund-row')
    expect(rows).to_have_count(count + 1)
    first = page.locator("#planning-measures-0-measure")
    expect(first).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#planning-measures-0-goal")).not_to_have_value("")
    no_axe_violations(page)
    shots(page, "uebernommen-zu-ergaenzen")
    for n in range(count):
        type_into(page, page.locator(f"#planning-measures-{n}-measure"), f"Maßnahme {n + 1}")
    press_on(page, page.locator("#form-planning form.verbund-form button[type=submit]"))
    expect(page.get_by_text("„Hilfeplanung“ wurde gespeichert.")).to_be_visible()

    press_on(page, page.get_by_role("button", name="Aus Zielvereinbarung übernehmen"))
    expect(page.get_by_text("Es gibt nichts Neues zu übernehmen")).to_be_visible()
    expect(rows).to_have_count(count + 1)
    no_axe_violations(page)
    shots(page, "nichts-doppelt")
    assert page.errors == []
