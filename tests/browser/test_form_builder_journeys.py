"""The form builder in a real browser (issue 15): administrators who do not write TOML.

1. An administrator adds a select field with three choices and a condition to the intake form
   by keyboard and mouse, sees it in the preview with its condition working, publishes; a case
   manager sees it at once, fills it and saves.
2. The administrator renames a choice label: the published revision's diff shows one changed
   line, and every comment of the shipped file is still in the text.
3. The administrator tries to remove the choice the case manager just stored and is told how
   many records hold it; nothing changes.

Also: axe-core finds nothing on the builder (list, open editor, with errors), it holds at 320 px.
Screenshots: tests/browser/screenshots/form_builder_*.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT
from tests.browser_support import axe_violations, log_in, needs_chromium, screens_on_sqlite_pass

pytestmark = [needs_chromium, screens_on_sqlite_pass]

NEW_LABEL = "Wohnsituation"
CHOICES = ("Eigene Wohnung", "Gemeinschaftsunterkunft", "Ohne festen Wohnsitz")


@pytest.fixture
def admin(chromium, kim_site):
    context = chromium.new_context(
        locale="de-DE",
        timezone_id="Europe/Berlin",
        viewport={"width": 1280, "height": 900},
        bypass_csp=True,  # axe-core is injected; the page keeps its CSP
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    log_in(page, kim_site, "verwaltung")
    yield page
    context.close()


def press_by_keyboard(page, button) -> None:
    """Tab to ``button`` (from the top of the page) and press Enter."""
    page.locator("body").focus()
    for _ in range(300):
        page.keyboard.press("Tab")
        if button.evaluate("b => b === document.activeElement"):
            break
    else:
        pytest.fail("the button cannot be reached with Tab")
    page.keyboard.press("Enter")


def fits_320(page, shots=None, step="") -> bool:
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    if shots:
        shots(page, step)
    page.set_viewport_size({"width": 1280, "height": 900})
    return width <= 321


def open_case(page, kim_site) -> str:
    page.goto(kim_site + "/records/case_management/?state=intake")
    page.locator("table tbody a").first.click()
    expect(page.locator("#record-state")).to_have_text("Klärungsphase (Intake)")
    return page.url


def test_form_builder_journeys(admin, kim_site, new_page, shots):
    case_manager = new_page()
    log_in(case_manager, kim_site, "cm.awo")
    case_url = open_case(case_manager, kim_site)
    expect(case_manager.get_by_text(NEW_LABEL, exact=True)).to_have_count(0)

    # --- 1. add a select field with three choices and a condition ---------------------
    admin.goto(kim_site + "/admin/config/")
    admin.get_by_role("link", name="Formular intake im Baukasten bearbeiten").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Baukasten")
    expect(admin.locator("#geprueft")).to_be_visible()
    assert axe_violations(admin) == []
    assert fits_320(admin)
    shots(admin, "felder")

    admin.get_by_label("Auswahl (eine)").check()
    admin.get_by_label("Bezeichnung (so sehen es die Mitarbeitenden)").fill(NEW_LABEL)
    admin.get_by_label("Position").select_option(label="nach „Aufenthaltsstatus“")
    admin.get_by_role("button", name="Feld hinzufügen").click()
    # no choices yet: the check says so at the field, with the line of the text
    problem = admin.locator("#fehler-wohnsituation")
    expect(problem).to_contain_text("Noch keine Auswahlmöglichkeiten")
    expect(problem).to_contain_text(re.compile(r"forms/intake\.toml:\d+"))
    assert axe_violations(admin) == []
    shots(admin, "fehler-am-feld")

    press_by_keyboard(admin, admin.get_by_role("button", name=f"„{NEW_LABEL}“ bearbeiten"))
    expect(admin.get_by_role("heading", name=f"Feld „{NEW_LABEL}“ bearbeiten")).to_be_visible()
    for label in CHOICES:
        admin.get_by_label("Neue Auswahl: Bezeichnung").fill(label)
        admin.get_by_label("Neue Auswahl: Bezeichnung").press("Tab")
        admin.get_by_role("button", name="Auswahl hinzufügen").click()
    admin.locator("#cond-field-0").select_option(label="Aufenthaltsstatus")
    admin.locator("#cond-op-0").select_option(label="ist gleich")
    admin.locator("#cond-value-0").fill("duldung")
    admin.get_by_label("Hilfetext (erscheint unter dem Feld)").fill("Wo die Person derzeit lebt.")
    admin.get_by_role("button", name="Übernehmen").click()
    expect(admin.locator("#geprueft")).to_be_visible()
    assert axe_violations(admin) == []
    assert fits_320(admin, shots, "320px")
    shots(admin, "feld-bearbeitet")

    # the preview is the staff form, its condition working
    preview = admin.locator(".verbund-preview")
    expect(preview.get_by_label(NEW_LABEL)).to_be_hidden()
    preview.locator("#intake-residence_status").select_option("duldung")
    expect(preview.get_by_label(NEW_LABEL)).to_be_visible()
    shots(admin, "vorschau")

    admin.get_by_label("Was wurde geändert?").fill("Wohnsituation bei Duldung erfragen")
    admin.get_by_role("button", name="Veröffentlichen").click()
    expect(admin.get_by_text(re.compile(r"ist veröffentlicht \(Revision"))).to_be_visible()
    shots(admin, "veroeffentlicht")

    # the case manager sees it at once (processes look every second) and fills it
    field = case_manager.locator("#intake-wohnsituation")
    for _ in range(20):
        case_manager.goto(case_url)
        if field.count():
            break
        case_manager.wait_for_timeout(250)
    expect(field).to_be_hidden()  # its condition: only with „Duldung“
    case_manager.locator("#intake-residence_status").select_option("duldung")
    expect(field).to_be_visible()
    field.select_option(label=CHOICES[1])
    # the intake is shown in steps: the new field joined the step of its neighbour („Person“)
    case_manager.get_by_role("button", name="Speichern und weiter").click()
    expect(case_manager.get_by_text("Schritt „Person“ wurde gespeichert.")).to_be_visible()
    case_manager.goto(case_url + "?form=intake&step=1")  # back on step „Person“: it was kept
    expect(case_manager.locator("#intake-wohnsituation")).to_have_value("gemeinschaftsunterkunft")
    shots(case_manager, "fallmanagerin-fuellt-aus")

    # --- 2. rename a choice label: one changed line, every comment kept ----------------
    admin.get_by_role("button", name="„Aufenthaltsstatus“ bearbeiten").click()
    admin.get_by_label(re.compile(r"gespeichert als duldung")).fill("Duldung (§ 60a AufenthG)")
    admin.get_by_role("button", name="Übernehmen").click()
    expect(admin.locator("#geprueft")).to_be_visible()
    admin.get_by_label("Was wurde geändert?").fill("Duldung mit Paragraf")
    admin.get_by_role("button", name="Veröffentlichen").click()
    expect(admin.get_by_text(re.compile(r"ist veröffentlicht \(Revision"))).to_be_visible()
    admin.goto(kim_site + "/admin/revisions/")
    admin.locator("table a[href*='/admin/revisions/']").first.click()
    diff = admin.locator("#diff")
    expect(diff).to_be_visible()
    removed = diff.locator(".verbund-diff-del").all_inner_texts()
    added = diff.locator(".verbund-diff-add").all_inner_texts()
    assert removed == ['-    { value = "duldung", label = "Duldung" },']
    assert added == ['+    { value = "duldung", label = "Duldung (§ 60a AufenthG)" },']
    shots(admin, "diff-eine-zeile")
    admin.goto(kim_site + "/admin/config/forms/intake")
    published = admin.locator("#toml").input_value()
    shipped = (ROOT / "forms" / "intake.toml").read_text(encoding="utf-8")
    for line in shipped.splitlines():
        if "#" in line and line.lstrip().startswith("#"):
            assert line in published

    # --- 3. removing a choice a record holds is refused with the count -----------------
    admin.goto(kim_site + "/admin/builder/forms/intake")
    admin.get_by_role("button", name=f"„{NEW_LABEL}“ bearbeiten").click()
    admin.get_by_role("button", name=f"„{CHOICES[1]}“ entfernen").click()
    notice = admin.locator("#meldung")
    expect(notice).to_contain_text(
        f"Die Auswahl „{CHOICES[1]}“ kann nicht entfernt werden: 1 Datensatz hält sie gespeichert."
    )
    expect(
        admin.get_by_label(re.compile("gespeichert als gemeinschaftsunterkunft"))
    ).to_be_visible()
    assert axe_violations(admin) == []
    shots(admin, "auswahl-in-gebrauch")
    assert admin.errors == [] and case_manager.errors == []


GUARD_MESSAGE = "Bitte zuerst festhalten, dass eine Sprachmittlung nötig ist."


def test_workflow_builder_journey(admin, kim_site, new_page, shots):
    """A state between two phases with a guarded transition; a case is refused with its message."""
    admin.goto(kim_site + "/admin/config/")
    admin.get_by_role("link", name="Ablauf case_management im Baukasten bearbeiten").click()
    expect(admin.locator("#geprueft")).to_be_visible()
    # the diagram is a map: a click on a state leads to its entry
    admin.get_by_role("link", name="Zustand „Klärungsphase (Intake)“").click()
    assert admin.url.endswith("#zustand-intake")
    assert axe_violations(admin) == []
    shots(admin, "ablauf")

    admin.get_by_label("Bezeichnung", exact=True).first.fill("Klärung der Sprachmittlung")
    admin.locator("#new-state-after").select_option(label="nach „Klärungsphase (Intake)“")
    admin.get_by_role("button", name="Zustand hinzufügen").click()
    expect(
        admin.get_by_role("heading", name="Zustand „Klärung der Sprachmittlung“ bearbeiten")
    ).to_be_visible()
    admin.locator("#new-from-intake").check()
    admin.locator("#new-to").select_option(label="Klärung der Sprachmittlung")
    admin.locator("#new-transition-label").fill("Sprachmittlung klären")
    admin.get_by_role("button", name="Übergang hinzufügen").click()
    expect(
        admin.get_by_role("heading", name="Übergang „Sprachmittlung klären“ bearbeiten")
    ).to_be_visible()
    admin.locator("#roles-case_manager").check()
    admin.locator("#cond-field-0").select_option("intake.interpreter_needed")
    admin.locator("#cond-op-0").select_option("set")
    admin.locator("#message").fill(GUARD_MESSAGE)
    admin.get_by_role("button", name="Übernehmen").first.click()
    expect(admin.locator("#geprueft")).to_be_visible()
    entry = admin.locator("li[id^=uebergang-]", has_text="Sprachmittlung klären")
    expect(entry).to_contain_text(GUARD_MESSAGE)
    assert axe_violations(admin) == []
    assert fits_320(admin, shots, "ablauf-320px")
    shots(admin, "zustand-und-uebergang")
    admin.locator("#publish-message").fill("Klärung der Sprachmittlung als eigene Phase")
    admin.get_by_role("button", name="Veröffentlichen").click()
    expect(admin.get_by_text(re.compile(r"ist veröffentlicht \(Revision"))).to_be_visible()

    case_manager = new_page()
    log_in(case_manager, kim_site, "cm.awo")
    case_url = open_case(case_manager, kim_site)
    button = case_manager.get_by_role("button", name="Sprachmittlung klären", exact=True)
    for _ in range(20):
        if button.count():
            break
        case_manager.wait_for_timeout(250)
        case_manager.goto(case_url)
    case_manager.goto(case_url + "?form=intake&step=2")  # the intake's step „Sprache“
    checkbox = case_manager.get_by_label("Sprach- und Kulturmittlung nötig")
    if checkbox.is_checked():
        checkbox.uncheck()
        case_manager.get_by_role("button", name="Speichern und weiter").click()
        expect(case_manager.get_by_text("Schritt „Sprache“ wurde gespeichert.")).to_be_visible()
        case_manager.goto(case_url)
    case_manager.get_by_role("button", name="Sprachmittlung klären", exact=True).click()
    expect(case_manager.get_by_text(GUARD_MESSAGE)).to_be_visible()
    expect(case_manager.locator("#record-state")).to_have_text("Klärungsphase (Intake)")
    shots(case_manager, "abgewiesen-mit-meldung")
    assert admin.errors == [] and case_manager.errors == []
