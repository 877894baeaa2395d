"""The inbox in a real browser: the unread count in words, keyboard only, axe, 320 px.

Screenshots: tests/browser/screenshots/inbox_*.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import run_on_site
from tests.browser_support import axe_violations, log_in, needs_chromium, screens_on_sqlite_pass

pytestmark = [needs_chromium, screens_on_sqlite_pass]

NOTIFY = """
from server.config import load_settings
from server.models import Record, User
from server.runtime import start_runtime
from server.services.notifications.create import notify
runtime = start_runtime(load_settings())
person = User.get(User.username == "cm.amt")
cases = Record.select().where(Record.owner == person.id).order_by(Record.id).limit(3)
for case in cases:
    notify(runtime.settings, "handed_over", [person], f"{case.id}:browser",
           f"Fall Nr. {case.id} wurde Ihnen übergeben", record_id=case.id)
"""


@pytest.fixture
def page(chromium, kim_site):
    run_on_site(kim_site, NOTIFY)
    context = chromium.new_context(
        locale="de-DE",
        timezone_id="Europe/Berlin",
        viewport={"width": 1366, "height": 900},
        bypass_csp=True,  # axe-core is injected; the page keeps its CSP
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    log_in(page, kim_site, "cm.amt")
    yield page
    context.close()


def test_the_inbox_by_keyboard_with_its_count_in_words(page, kim_site, shots):
    inbox = page.get_by_role("link", name="Benachrichtigungen (3 ungelesen)")
    expect(inbox).to_be_visible()
    inbox.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(kim_site + "/notifications/")
    expect(page.locator("h1")).to_have_text("Benachrichtigungen")
    assert axe_violations(page) == []
    shots(page, "postfach")

    # mark the newest read with the keyboard alone: Tab until the first button, Enter
    first = page.locator("tbody button").first  # "als gelesen markieren: Fall Nr. …"
    for _ in range(40):
        page.keyboard.press("Tab")
        if first.evaluate("b => b === document.activeElement"):
            break
    else:
        pytest.fail("the button 'als gelesen markieren' is not reachable by Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Als gelesen markiert.")
    expect(page.get_by_role("link", name="Benachrichtigungen (2 ungelesen)")).to_be_visible()

    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    shots(page, "postfach-320")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe_violations(page) == []

    page.get_by_role("link", name="Einstellungen (E-Mail)").click()
    expect(page.locator("h1")).to_have_text("Benachrichtigungen: Einstellungen")
    escalated = page.get_by_label("Frist eskaliert (kann nicht abgeschaltet werden)")
    assert "off" not in escalated.locator("option").evaluate_all("os => os.map(o => o.value)")
    page.get_by_label("Allgemein").select_option("digest")
    page.get_by_role("button", name="Speichern").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Einstellungen gespeichert.")
    expect(page.get_by_label("Allgemein")).to_have_value("digest")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe_violations(page) == []
    shots(page, "einstellungen-320")
