"""The hand-over card of a case in a real browser, as the KIM demo has it and in an
installation past ``HANDOVER_PEOPLE`` active people (issue 21): then the list names one's own
organisation's people and every organisation, and a hint tied to the field says so. Both
states: axe-core (WCAG 2.1 A/AA, whole page) finds nothing, 320 px without sideways
scrolling; nothing is chosen until someone chooses (the field refuses an empty hand-over);
the narrowed hand-over done with the keyboard alone.
Screenshots: tests/browser/screenshots/handover-*.png."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import run_on_site
from tests.browser.test_bitv_forms import no_sideways_scrolling
from tests.browser.test_keyboard_journeys import move_to, type_into
from tests.browser_support import axe_violations, log_in, needs_chromium, screens_on_sqlite_pass

pytestmark = [needs_chromium, screens_on_sqlite_pass]

SETUP = """
from server.config import load_settings
from server.runtime import start_runtime
start_runtime(load_settings())
"""

OPEN_CASE = (
    SETUP
    + """
from server.models import Record, User
me = User.get(User.username == "cm.amt")
case = (Record.select().where((Record.owner == me) & (Record.workflow == "case_management")
        & Record.state.not_in(["closed", "withdrawn"])).order_by(Record.id).first())
print(case.id)
"""
)

MANY_PEOPLE = (
    SETUP
    + """
from server.models import Organisation, User
from server.services.records.view import HANDOVER_PEOPLE
caritas = Organisation.get(Organisation.name == "caritas")
User.insert_many([{"username": f"caritas.person{n}", "display_name": f"Person {n}",
                   "password_hash": "x", "organisation": caritas.id, "roles": ["case_manager"]}
                  for n in range(HANDOVER_PEOPLE)]).execute()
"""
)


def options(page) -> list[str]:
    """The targets offered (without the empty first choice)."""
    values = page.locator("#handover-target option").evaluate_all("os => os.map(o => o.value)")
    assert values[0] == ""  # nothing chosen until someone chooses: no hand-over by accident
    return values[1:]


def test_handover(kim_site, new_page, shots):
    case = run_on_site(kim_site, OPEN_CASE).strip()
    page = new_page()
    log_in(page, kim_site, "cm.amt")
    page.goto(f"{kim_site}/records/case_management/{case}#uebergabe")
    target = page.get_by_label("an", exact=True)
    expect(target).to_be_visible()
    assert target.get_attribute("aria-describedby") is None
    assert "cm.caritas@caritas" in options(page)  # the demo: every person of the office
    assert axe_violations(page) == []
    shots(page, "alle-personen")

    run_on_site(kim_site, MANY_PEOPLE)
    page.reload()
    hint = page.locator("#handover-hint")
    expect(hint).to_have_text(
        "Genannt sind die Personen Ihrer Organisation; an eine andere Organisation übergeben "
        "Sie ohne Person, dort wird zugewiesen."
    )
    expect(target).to_have_attribute("aria-describedby", "handover-hint")
    values = options(page)
    people = [v for v in values if not v.startswith("@")]
    assert people and all(v.endswith("@amt") for v in people)
    assert {"@amt", "@caritas"} <= set(values)
    assert axe_violations(page) == []
    shots(page, "eigene-organisation")
    page.set_viewport_size({"width": 320, "height": 800})
    no_sideways_scrolling(page)
    shots(page, "eigene-organisation-320")
    page.set_viewport_size({"width": 1280, "height": 900})

    # with the keyboard alone: "Übergeben" before choosing is refused at the field
    handover = page.locator("#uebergabe").get_by_role("button", name="Übergeben")
    move_to(page, handover)
    page.keyboard.press("Enter")
    assert target.evaluate("select => select.validity.valueMissing")
    expect(page.locator("#uebergabe")).to_be_visible()
    # then to the Caritas as an organisation, with a note
    move_to(page, target)
    page.keyboard.type("Caritas")
    expect(target).to_have_value("@caritas")
    type_into(page, page.get_by_label("Notiz"), "Wohnt jetzt im Bezirk der Caritas")
    move_to(page, handover)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Der Datensatz wurde übergeben.")).to_be_visible()
    assert axe_violations(page) == []
    shots(page, "uebergeben")
