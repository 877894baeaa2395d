"""The KIM service plan in a real browser: a live total of the hours typed into the table, a
column that appears per row (reason of a cancelled measure, required only in that row), the
server's message tied to that cell, axe-core without findings, 320 px without sideways
scrolling (screenshots tests/browser/screenshots/service_plan_*.png)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_bitv_forms import no_sideways_scrolling, open_record
from tests.browser_support import axe_violations, log_in, needs_chromium, screens_on_sqlite_pass

pytestmark = [needs_chromium, screens_on_sqlite_pass]


@pytest.fixture
def page(chromium, kim_site):
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
    log_in(page, kim_site, "cm.amt3")  # owns a case in planning
    yield page
    context.close()


def test_service_plan_total_and_a_column_per_row(page, kim_site, shots):
    open_record(page, kim_site, "case_management", "?state=planning")
    table = page.locator('table[data-name="planning-measures"]')
    total = page.locator("#planning-total_hours")
    count = page.locator("#planning-measure_count")
    expect(total).to_have_attribute("readonly", "")
    expect(total).to_have_accessible_description("Wird automatisch berechnet.")

    def cell(n, column):
        return page.locator(f'[name="planning-measures-{n}-{column}"]')

    # start from a plan of two measures typed here (the demo's rows removed)
    while table.locator(".verbund-row-remove").count() > 1:
        table.locator(".verbund-row-remove").first.click()
    cell(0, "measure").fill("Sprachkurs B1")
    cell(0, "hours").fill("2,5")
    expect(total).to_have_value("2,5")
    page.locator('.verbund-add-row[data-table="planning-measures"]').click()
    cell(1, "measure").fill("Beratung Jobcenter")
    cell(1, "hours").fill("0,1")
    cell(1, "hours").press("End")
    page.keyboard.type("5")  # 0,15: the total follows every key
    expect(total).to_have_value("2,65")  # exact: not 2,6500000000000004
    expect(count).to_have_value("2")

    # "Grund des Abbruchs" shows in the row whose measure was cancelled, and only there
    reason0, reason1 = cell(0, "stop_reason"), cell(1, "stop_reason")
    expect(reason0).to_be_hidden()
    expect(reason1).to_be_hidden()
    cell(1, "status").select_option("abgebrochen")
    expect(reason1).to_be_visible()
    expect(reason0).to_be_hidden()
    assert reason1.get_attribute("required") is not None
    # "Andere Stelle" goes when the row names an offer of the directory, per row as well
    expect(cell(0, "other_provider")).to_be_visible()
    shots(page, "service_plan_live")

    # saved without the reason: the server names row and column, tied to the cell
    page.evaluate("document.querySelector('#form-planning').noValidate = true")
    page.locator("#form-planning").get_by_role("button", name="Speichern", exact=True).click()
    message = "Zeile 2, Spalte „Grund des Abbruchs“: bitte ausfüllen"
    expect(page.locator(".invalid-feedback", has_text=message)).to_be_visible()
    reason1 = cell(1, "stop_reason")
    expect(reason1).to_have_attribute("aria-invalid", "true")
    description = reason1.evaluate(
        "el => el.getAttribute('aria-describedby').split(' ')"
        ".map(id => document.getElementById(id).textContent).join(' ')"
    )
    assert message in description
    expect(total).to_have_value("2,65")  # recomputed on the re-shown page as well
    assert axe_violations(page) == []
    shots(page, "service_plan_error")

    reason1.fill("Termin nicht wahrgenommen")
    page.locator("#form-planning").get_by_role("button", name="Speichern", exact=True).click()
    expect(page.locator(".alert-success, .alert-info").first).to_be_visible()
    expect(page.locator("#planning-total_hours")).to_have_value("2,65")  # stored by the server
    expect(page.locator("#planning-measure_count")).to_have_value("2")
    assert axe_violations(page) == []

    page.set_viewport_size({"width": 320, "height": 800})
    page.locator("#planning-total_hours").scroll_into_view_if_needed()
    no_sideways_scrolling(page)
    shots(page, "service_plan_320")
    assert [e for e in page.errors if "422" not in e] == []
