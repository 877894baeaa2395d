"""A form with every field type of issue 20 in a real browser (Debian's Chromium): filled in
with the keyboard alone, a refused value tied to its field, axe-core without findings, and
the page holding at 320 CSS px. Screenshots in tests/browser/screenshots/.
"""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from werkzeug.serving import make_server

from server.models import Record
from server.runtime import current_runtime
from server.services.records.changes import create_record
from tests.browser_support import (
    Shots,
    axe_violations,
    log_in,
    needs_chromium,
    screens_on_sqlite_pass,
)
from tests.forms.test_types_round_two_app import NEW_FIELDS
from tests.helpers import PASSWORD

pytestmark = [needs_chromium, screens_on_sqlite_pass]


@pytest.fixture
def config_dir(config_dir):
    form = config_dir / "forms" / "antrag.toml"
    conditional = '\n[[fields]]\nname = "dank"\ntype = "text"\nlabel = "Was war gut?"\n'
    conditional += 'show_if = "zufrieden >= 3 and kosten > 1000"\n'
    form.write_text(form.read_text(encoding="utf-8") + NEW_FIELDS + conditional, encoding="utf-8")
    return config_dir


@pytest.fixture
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)


def test_every_new_type_by_keyboard_with_axe_and_at_320_px(app, server, new_page, make_user):
    shots = Shots("neue-feldtypen")
    user = make_user("verein1", ["applicant"], "rc1")
    record = create_record(current_runtime(app).definitions, user, "foerderung")
    page = new_page()
    log_in(page, server, "verein1", PASSWORD)
    page.goto(f"{server}/records/foerderung/{record.id}")

    # required fields of the fixture form, then the new ones: by keyboard
    page.fill("#antrag-verein", "SV Rhein")
    page.fill("#antrag-email", "info@sv-rhein.example")
    page.fill("#antrag-beginn", "2027-05-01")
    page.fill("#antrag-zweck", "Bälle")
    page.fill("#antrag-betrag", "300")
    page.fill('[name="antrag-posten-0-posten"]', "Bälle")
    page.fill('[name="antrag-posten-0-betrag"]', "300")
    # time and datetime-local: Chromium's own segmented inputs (set like a person picks)
    page.fill("#antrag-uhrzeit", "09:30")
    page.fill("#antrag-termin", "2026-03-02T14:05")
    page.focus("#antrag-telefon")
    page.keyboard.type("0211 1")  # too short: refused on saving, named at the field
    page.keyboard.press("Tab")
    page.keyboard.type("1.234,56 €")
    # the scale: Tab into the group, arrow keys choose
    dank = page.locator('.verbund-field[data-field="dank"]')
    expect(dank).to_be_hidden()
    page.focus("#antrag-zufrieden-1")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#antrag-zufrieden-3")).to_be_checked()
    # show_if over a scale and a money value: the browser decides as the server will
    expect(dank).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.type("Zeile eins")
    page.keyboard.press("Enter")  # a text with rows keeps line breaks
    page.keyboard.type("Zeile zwei")
    page.fill("#antrag-dank", "Alles")
    assert axe_violations(page) == []
    shots(page, "ausgefuellt")

    page.locator("#form-antrag button[type=submit]").click()
    error = page.locator("#antrag-telefon-fehler-1")
    expect(error).to_contain_text("„Telefon“: „0211 1“ ist keine gültige Telefonnummer")
    telefon = page.locator("#antrag-telefon")
    expect(telefon).to_have_attribute("aria-describedby", "antrag-telefon-fehler-1")
    expect(telefon).to_have_value("0211 1")
    expect(page.locator("#antrag-kosten")).to_have_value("1.234,56 €")  # kept as typed
    assert axe_violations(page) == []
    shots(page, "fehler")

    telefon.fill("+49 (0)211-899 12 34")
    page.locator("#form-antrag button[type=submit]").click()
    expect(page.locator("#antrag-telefon")).to_have_value("0211 8991234")
    data = Record.get_by_id(record.id).data["antrag"]
    assert {k: data[k] for k in ("uhrzeit", "termin", "telefon", "kosten", "zufrieden")} == {
        "uhrzeit": "09:30",
        "termin": "2026-03-02T13:05:00Z",
        "telefon": "+492118991234",
        "kosten": "1234.56",
        "zufrieden": 3,
    }
    assert data["notiz"] == "Zeile eins\nZeile zwei"
    expect(page.locator("#antrag-kosten")).to_have_value("1234,56")

    # 320 CSS px: nothing wider than the window, the scale wraps
    page.set_viewport_size({"width": 320, "height": 800})
    # the page reflows after the resize; a loaded machine measured the old width once (466)
    try:
        page.wait_for_function("document.documentElement.scrollWidth <= 320", timeout=10_000)
    except PlaywrightTimeout:
        pytest.fail(f"{page.evaluate('document.documentElement.scrollWidth')} px wide at 320")
    assert axe_violations(page) == []
    shots(page, "320px")
    # the refused save answers 422 (the browser logs that); nothing else went wrong
    assert [e for e in page.errors if "422" not in e] == []
