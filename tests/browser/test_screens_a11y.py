"""Two screens checked as a keyboard and screen-reader user meets them (WCAG 2.1 AA).

*Datenschutz → Rollenfreigaben*: the DPO confirms one waiting privacy role and refuses
another with Tab and Enter only; each button says which grant it decides. *Verwaltung →
Hintergrund-Aufträge*: failed and incomplete periodic runs (rows written into the site's
database) are listed under the job's German name. On both, axe-core (WCAG 2.0/2.1 A and AA
rules) finds nothing in the screen's own content (``.verbund-screen``), and at 320 px the page
does not scroll sideways (wide tables scroll in their own box). The navigation bar and the
page frame belong to flask-admin's layout (issue 14) and are not checked here.

Screenshots at 1366 and 320 px: tests/browser/screenshots/screens_a11y-*.png.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import run_on_site
from tests.browser_support import WCAG_AA, log_in, needs_chromium, screens_on_sqlite_pass

pytestmark = [needs_chromium, screens_on_sqlite_pass]

SCREEN = ".verbund-screen"  # the part of the page a screen's own template renders

FAILED_RUNS = """
import datetime as dt
from server.config import load_settings
from server.models import PeriodicRun, utcnow
from server.runtime import start_runtime
start_runtime(load_settings())
now = utcnow()
PeriodicRun.create(job="privacy", started_at=now, ended_at=now, status="failed",
                   error="OperationalError")
PeriodicRun.create(job="deadline-reminders", started_at=now - dt.timedelta(hours=2),
                   ended_at=now - dt.timedelta(hours=2), status="incomplete",
                   counts={"created": 3}, items=3, error="IntegrityError")
"""


def record_failed_runs(base: str) -> None:
    """A failed and an incomplete periodic run, written with Verbund's own models."""
    run_on_site(base, FAILED_RUNS)


@pytest.fixture
def page_for(chromium):
    """page_for(user) -> a logged-in page; CSP bypassed so axe-core can be injected."""
    contexts = []

    def make(base: str, user: str):
        context = chromium.new_context(
            locale="de-DE",
            timezone_id="Europe/Berlin",
            viewport={"width": 1366, "height": 900},
            bypass_csp=True,
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        log_in(page, base, user)
        return page

    yield make
    for context in contexts:
        context.close()


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations inside the screen's own content."""
    expect(page.locator(SCREEN)).to_have_count(1)
    page.wait_for_load_state("load")  # every stylesheet applied (see browser_support)
    options = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    results = Axe().run(page, context={"include": [[SCREEN]]}, options=options)
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]


def tab_to(page, button) -> None:
    """Press Tab until ``button`` has the focus (a button nobody can reach fails)."""
    for _ in range(80):
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"Tab never reaches {button}")


def both_widths(page, shots, name: str) -> None:
    """Screenshots at 1366 and 320 px; at 320 px the page itself must not scroll sideways."""
    shots(page, f"{name}-1366")
    page.set_viewport_size({"width": 320, "height": 800})
    shots(page, f"{name}-320")
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{name}: the page is {widths[0]} px wide at 320 px"
    page.set_viewport_size({"width": 1366, "height": 900})


def ask_for_dpo(page, base: str, username: str) -> None:
    """The administrator gives ``username`` the role dpo: it waits for a second DPO."""
    page.goto(base + "/admin/users/")
    page.get_by_role("link", name=username, exact=True).first.click()
    page.get_by_label("Datenschutzbeauftragte*r (dpo)").check()
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Datenschutz → Rollenfreigaben bestätigt")).to_be_visible()


def test_dpo_decides_role_grants_by_keyboard(kim_site, page_for, shots):
    admin = page_for(kim_site, "verwaltung")
    ask_for_dpo(admin, kim_site, "cm.amt")
    ask_for_dpo(admin, kim_site, "teamleitung")

    page = page_for(kim_site, "datenschutz")
    page.goto(kim_site + "/datenschutz/rollen/")
    expect(page.get_by_role("heading", name="Rollenfreigaben", level=1)).to_be_visible()
    table = page.get_by_role("table", name="Offen")
    expect(table.get_by_role("rowheader", name="cm.amt")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Entscheidung")).to_be_visible()
    assert axe_violations(page) == []
    both_widths(page, shots, "rollenfreigaben")

    tab_to(page, page.get_by_role("button", name="Bestätigen: Rolle „dpo“ für „cm.amt“"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Die Rolle „dpo“ für „cm.amt“ ist bestätigt.")).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Ablehnen: Rolle „dpo“ für „teamleitung“"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Die Rolle „dpo“ für „teamleitung“ ist abgelehnt.")).to_be_visible()

    decided = page.get_by_role("table", name="Entschieden")
    expect(decided.get_by_role("row").filter(has_text="cm.amt")).to_contain_text("bestätigt")
    expect(decided.get_by_role("row").filter(has_text="teamleitung")).to_contain_text("abgelehnt")
    expect(page.get_by_role("table", name="Offen")).to_contain_text("Keine offenen Freigaben.")
    assert axe_violations(page) == []
    both_widths(page, shots, "rollenfreigaben-entschieden")


def test_failed_periodic_runs_on_the_jobs_screen(kim_site, page_for, shots):
    record_failed_runs(kim_site)
    page = page_for(kim_site, "verwaltung")
    page.goto(kim_site + "/admin/jobs/")
    expect(page.get_by_role("heading", name="Hintergrund-Aufträge", level=1)).to_be_visible()
    problems = page.get_by_role("table", name="Fehlgeschlagene und unvollständige Läufe")
    failed = problems.get_by_role("row").filter(has_text="fehlgeschlagen")
    expect(failed.get_by_role("rowheader")).to_contain_text(
        "Datenschutz: Aufbewahrung, Protokoll, Anmeldefehler"
    )
    expect(failed).to_contain_text("OperationalError")
    incomplete = problems.get_by_role("row").filter(has_text="unvollständig")
    expect(incomplete.get_by_role("rowheader")).to_contain_text("Erinnerungen an fällige Fristen")
    assert axe_violations(page) == []
    both_widths(page, shots, "hintergrund-auftraege")

    # the warning at the top leads to the failed runs, by keyboard too
    tab_to(page, page.get_by_role("link", name="Fehlgeschlagene und unvollständige Läufe"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(kim_site + "/admin/jobs/#problemlaeufe")
