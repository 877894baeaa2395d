"""Deadlines and documents in the workflow builder, in a real browser (issue 15).

An administrator adds, by keyboard only, a deadline to the KIM case workflow – 30 days after
the consent date of the intake, escalated to the team lead a week after it is overdue – sees
the live check name a mistake in German at its input while typing, adds a document, publishes;
a case manager saves a case's intake and the deadline is on the case. The form builder's
preview scrolls sideways inside its own region at 320 px.

axe-core finds nothing on the new screens; screenshots: tests/browser/screenshots/
workflow_builder_parts_*.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_axe_every_page import axe_violations
from tests.browser.test_form_builder_journeys import admin, fits_320, open_case  # noqa: F401
from tests.browser_support import log_in, needs_chromium, screens_on_sqlite_pass

pytestmark = [needs_chromium, screens_on_sqlite_pass]

DEADLINE = "Einwilligung nachfassen"
# after each button the server checks the whole KIM configuration; on a busy machine that
# takes longer than expect's five seconds
SLOW = 20_000
DATE_FIELD = "intake.consent_date"


def tab_to(page, target, limit: int = 400) -> None:
    """Press Tab (from where the focus is) until ``target`` has the focus."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{target} cannot be reached with Tab")


def type_into(page, target, text: str) -> None:
    tab_to(page, target)
    page.keyboard.press("Control+A")
    page.keyboard.type(text) if text else page.keyboard.press("Delete")


def choose(page, target, value: str) -> None:
    """Pick ``value`` in a select with the arrow keys."""
    tab_to(page, target)
    page.keyboard.press("Home")
    for _ in range(60):
        if target.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"„{value}“ cannot be chosen with the arrow keys")


def test_a_deadline_and_a_document_added_in_the_builder_reach_a_case(
    admin,  # noqa: F811
    kim_site,
    new_page,
    shots,
):
    admin.goto(kim_site + "/admin/workflow-builder/workflows/case_management")
    expect(admin.locator("#geprueft")).to_be_visible(timeout=SLOW)
    expect(admin.get_by_role("heading", name="Fristen")).to_be_visible(timeout=SLOW)

    # --- a deadline, keyboard only ---------------------------------------------------
    admin.locator("body").focus()
    choose(admin, admin.locator("#new-deadline-state"), "intake")
    type_into(admin, admin.locator("#new-deadline-label"), DEADLINE)
    type_into(admin, admin.locator("#new-deadline-days"), "30")
    tab_to(admin, admin.get_by_role("button", name="Frist hinzufügen"))
    admin.keyboard.press("Enter")
    expect(admin.get_by_role("heading", name=f"Frist „{DEADLINE}“ bearbeiten")).to_be_visible(
        timeout=SLOW
    )
    shots(admin, "frist-neu")

    # the live check while typing: an offset without a date, named in German at its input
    admin.locator("#state").focus()
    type_into(admin, admin.locator("#offset_days"), "30")
    note = admin.locator(".verbund-live-error")
    expect(note).to_contain_text(
        "„Tage vor oder nach dem Datum“ gilt nur mit „Aus dem Datum“", timeout=SLOW
    )
    expect(admin.locator("[role=status][aria-live=polite]").first).to_contain_text(
        "1 Fehler im Entwurf"
    )
    described = admin.locator("#offset_days").get_attribute("aria-describedby")
    assert note.first.get_attribute("id") in described.split()
    assert admin.locator("#offset_days").get_attribute("aria-invalid") == "true"
    assert axe_violations(admin) == []
    shots(admin, "frist-live-pruefung")

    admin.locator("#state").focus()
    type_into(admin, admin.locator("#days"), "")
    choose(admin, admin.locator("#from_field"), DATE_FIELD)
    type_into(admin, admin.locator("#escalate_after_days"), "7")
    choose(admin, admin.locator("#escalate_to"), "team_lead")
    expect(admin.locator("[role=status][aria-live=polite]").first).to_contain_text("fehlerfrei")
    expect(admin.locator(".verbund-live-error")).to_have_count(0)
    tab_to(admin, admin.get_by_role("button", name="Übernehmen"))
    admin.keyboard.press("Enter")
    expect(admin.locator("#geprueft")).to_be_visible(timeout=SLOW)
    entry = admin.locator("li[id^=frist-]", has_text=DEADLINE)
    expect(entry).to_contain_text(
        "am Datum „Klärung / Intake: Einwilligung erteilt am“, 30 Tage danach"
    )
    expect(entry).to_contain_text("eskaliert nach 7 Tagen an Teamleitung")
    assert axe_violations(admin) == []
    assert fits_320(admin, shots, "frist-320px")

    # --- a document, keyboard only ----------------------------------------------------
    admin.locator("#new-deadline-days").focus()
    type_into(admin, admin.locator("#new-document-label"), "Kurzbericht Intake")
    admin.keyboard.press("Shift+Tab")
    choose(admin, admin.locator("#new-document-template"), "hilfeplan.docx")
    tab_to(admin, admin.get_by_role("button", name="Dokument hinzufügen"))
    admin.keyboard.press("Enter")
    expect(
        admin.get_by_role("heading", name="Dokument „Kurzbericht Intake“ bearbeiten")
    ).to_be_visible(timeout=SLOW)
    admin.locator("#template").focus()
    tab_to(admin, admin.locator("#states-intake"))
    admin.keyboard.press("Space")
    tab_to(admin, admin.get_by_role("button", name="Übernehmen"))
    admin.keyboard.press("Enter")
    expect(admin.locator("#geprueft")).to_be_visible(timeout=SLOW)
    admin.get_by_role("button", name="Dokument „Kurzbericht Intake“ bearbeiten").click()
    assert axe_violations(admin) == []
    assert fits_320(admin, shots, "dokument-320px")
    shots(admin, "dokument")

    admin.locator("#publish-message").fill("Frist zur Einwilligung, Kurzbericht")
    admin.get_by_role("button", name="Veröffentlichen").click()
    expect(admin.get_by_text(re.compile(r"ist veröffentlicht \(Revision"))).to_be_visible(
        timeout=SLOW
    )
    published = admin.locator("textarea[name=toml]").first.input_value()
    assert f'from_field = "{DATE_FIELD}"\noffset_days = 30\nlabel = "{DEADLINE}"' in published
    assert 'escalate_to = "team_lead"' in published and 'id = "kurzbericht_intake"' in published

    # --- the deadline on a case: saving the intake plans it from the consent date -----
    case_manager = new_page()
    log_in(case_manager, kim_site, "cm.awo")
    case_url = open_case(case_manager, kim_site)
    for _ in range(20):  # the other processes load the new revision within a second
        case_manager.goto(case_url + "?form=intake&step=1")
        case_manager.get_by_role("button", name="Speichern und weiter").click()
        expect(case_manager.get_by_text("Schritt „Person“ wurde gespeichert.")).to_be_visible(
            timeout=SLOW
        )
        case_manager.goto(case_url)
        if case_manager.get_by_text(DEADLINE).count():
            break
        case_manager.wait_for_timeout(250)
    item = case_manager.locator("li", has_text=DEADLINE)
    expect(item).to_have_count(1)
    due = re.search(r"fällig am (\d\d)\.(\d\d)\.(\d{4})", item.inner_text())
    assert due, item.inner_text()
    consent = case_manager.goto(case_url + "?form=intake&step=3")
    consent = case_manager.locator("#intake-consent_date").input_value()
    day, month, year = (int(g) for g in due.groups())
    assert dt.date(year, month, day) - dt.date.fromisoformat(consent) == dt.timedelta(days=30)
    shots(case_manager, "frist-am-fall")

    # --- the form builder's preview scrolls sideways inside its region at 320 px -------
    admin.goto(kim_site + "/admin/builder/forms/intake")
    region = admin.get_by_role("region", name=re.compile("Vorschau des Formulars"))
    expect(region).to_have_attribute("tabindex", "0")
    admin.set_viewport_size({"width": 320, "height": 800})
    assert admin.evaluate("document.documentElement.scrollWidth") <= 321
    region.focus()
    region.scroll_into_view_if_needed()
    shots(admin, "vorschau-320px")
    admin.set_viewport_size({"width": 1280, "height": 900})
    assert axe_violations(admin) == []
    assert admin.errors == [] and case_manager.errors == []
