"""The record page in a real browser (Playwright, Debian's Chromium, headless): conditions
while typing, table rows added, moved and removed, a file too big refused before sending.

The fixture office (not KIM) runs in a real WSGI server in a thread, against the test's
database and Redis: the form engine's behaviour in the browser does not depend on KIM.
"""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from server.models import Record
from server.runtime import current_runtime
from server.services.records.changes import create_record
from tests.browser_support import log_in, needs_chromium, screens_on_sqlite_pass
from tests.helpers import PASSWORD

pytestmark = [needs_chromium, screens_on_sqlite_pass]


@pytest.fixture
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)


def test_the_record_page_reacts_while_the_user_types(app, server, new_page, make_user, tmp_path):
    user = make_user("verein1", ["applicant"], "rc1")
    record = create_record(current_runtime(app).definitions, user, "foerderung")
    page = new_page()
    log_in(page, server, "verein1", PASSWORD)
    page.goto(f"{server}/records/foerderung/{record.id}")

    def field(name):
        return page.locator(f'.verbund-field[data-field="{name}"]')

    def cell(n, column):
        return page.locator(f'[name="antrag-posten-{n}-{column}"]')

    # show_if: the Aktenzeichen appears when "gemeinnützig" is ticked, and goes again
    ticked = page.locator('[name="antrag-gemeinnuetzig"]')
    expect(field("nachweis")).to_be_hidden()
    ticked.check()
    expect(field("nachweis")).to_be_visible()
    ticked.uncheck()
    expect(field("nachweis")).to_be_hidden()
    ticked.check()
    page.fill('[name="antrag-nachweis"]', "AZ 12/34")

    # table rows: three filled in, the last moved up, the first removed
    cell(0, "posten").fill("Bälle")
    cell(0, "betrag").fill("100")
    add = page.locator('.verbund-add-row[data-table="antrag-posten"]')
    for n, (item, amount) in enumerate((("Netze", "50"), ("Tore", "900")), start=1):
        if cell(n, "posten").count() == 0:
            add.click()
        cell(n, "posten").fill(item)
        cell(n, "betrag").fill(amount)
    rows = page.locator('table[data-name="antrag-posten"] tr.verbund-row')
    rows.nth(2).locator(".verbund-row-up").click()
    expect(cell(1, "posten")).to_have_value("Tore")  # renumbered after the move
    rows.nth(0).locator(".verbund-row-remove").click()
    expect(cell(0, "posten")).to_have_value("Tore")
    # the no-JavaScript ticks are out of the way
    expect(page.locator('[name="antrag-posten-0-_remove"]')).to_be_hidden()

    # a file too big for the field is refused at once, with the limit named
    big = tmp_path / "satzung.pdf"
    big.write_bytes(b"%PDF-" + b"x" * 3000)
    chooser = page.locator('[name="antrag-satzung-_upload"]')
    chooser.set_input_files(str(big))
    expect(page.locator(".verbund-too-large")).to_have_text(
        "„Satzung“: Die Datei ist zu groß (höchstens 2 KB)."
    )
    expect(chooser).to_have_value("")

    for name, value in (
        ("antrag-verein", "Ruderclub"),
        ("antrag-email", "rc@rhein.example"),
        ("antrag-zweck", "Boote"),
        ("antrag-betrag", "1.050,00"),
        ("antrag-beginn", "2027-04-01"),
    ):
        page.fill(f'[name="{name}"]', value)
    page.locator("#form-antrag button[type=submit]").click()
    expect(page.get_by_text("„Förderantrag“ wurde gespeichert.")).to_be_visible()

    saved = Record.get_by_id(record.id).data["antrag"]
    assert [row["posten"] for row in saved["posten"]] == ["Tore", "Netze"]
    assert saved["nachweis"] == "AZ 12/34" and saved["betrag"] == "1050"
    assert page.errors == []
