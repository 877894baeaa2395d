"""axe-core on every page type for every demo role: the whole page, WCAG 2.1 A and AA (issue 14).

Each demo person logs in once (one browser, one context per person, German locale) and visits
the pages their role reaches: the start page, lists, records (also after a save with errors),
the meeting record, the administration and data-protection screens. axe-core checks the whole
page — navigation bar, messages and footer included — and any violation fails the test with its
rule id and the elements it found.

The templates do not depend on the database, so the module runs on the SQLite pass only (the
PostgreSQL pass would check the same HTML a second time).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.browser_support import axe_violations, log_in, needs_chromium  # noqa: F401 - re-exported

pytestmark = [
    needs_chromium,
    pytest.mark.skipif(
        bool(os.environ.get("VERBUND_TEST_DATABASE_URL")),
        reason="the HTML does not depend on the database: checked on the SQLite pass",
    ),
]


def open_first_record(page, base: str, workflow: str, query: str = "") -> None:
    """The first record of ``workflow``'s list (as a person clicks it)."""
    page.goto(f"{base}/records/{workflow}/{query}")
    page.locator("table tbody a[href*='/records/']").first.click()
    expect(page.locator("#record-title")).to_be_visible()


def record_with_errors(page, base: str) -> None:
    """A case in intake saved with a missing name and a wrong e-mail address."""
    open_first_record(page, base, "case_management", "?state=intake")
    page.fill("#intake-name", "")
    page.fill("#intake-email", "keine-adresse")
    page.locator("#form-intake button[type=submit]").click()
    expect(page.locator("#intake-name")).to_have_class(r"form-control is-invalid")


def record_with_history(page, base: str) -> None:
    """A case with its "Verlauf" fetched into the page (read on demand, issue 21)."""
    open_first_record(page, base, "case_management", "?state=intake")
    page.get_by_role("link", name="Verlauf anzeigen").click()
    expect(page.locator("#verlauf-liste")).to_be_focused()


def form_history(page, base: str) -> None:
    open_first_record(page, base, "case_management", "?state=intake")
    page.locator("#form-intake .verbund-form-history").click()


def first_link(list_path: str, link: str) -> Callable:
    def visit(page, base: str) -> None:
        page.goto(base + list_path)
        page.locator(link).first.click()
        page.wait_for_load_state()

    return visit


def path(url: str) -> Callable:
    def visit(page, base: str) -> None:
        page.goto(base + url)

    return visit


def record(workflow: str, query: str = "") -> Callable:
    return lambda page, base: open_first_record(page, base, workflow, query)


# (person, page) -> how to get there; every start page whose blocks differ, and each page
# type once, under a role that uses it. A page type is visited once: the same template under
# a second role adds minutes of CI time and no new markup (the EBH start page has the ABH's
# blocks; deadlines and statistics are one template for every role; the record page is
# checked in its fullest state, after a save with errors). tests/browser/test_keyboard_journeys.py
# checks the pages of its journeys too (guard refusal, a record after a step, a new meeting).
PAGES: dict[tuple[str, str], Callable] = {
    **{
        (user, "Startseite"): path("/")
        for user in (
            "verwaltung",
            "koordination",
            "sekretariat",
            "teamleitung",
            "cm.amt",
            "abh",
            "datenschutz",
        )
    },
    ("cm.amt", "Fallliste"): path("/records/case_management/"),
    ("cm.amt", "Neuer Fall (Rückfrage)"): path("/records/case_management/new"),
    ("cm.amt", "Fallakte mit Fehlern"): record_with_errors,
    ("cm.amt", "Fallakte mit Verlauf"): record_with_history,
    ("cm.amt", "Versionen eines Formulars"): form_history,
    ("cm.amt", "Fristen"): path("/deadlines/"),
    ("cm.amt", "Erklärung zur Barrierefreiheit"): path("/barrierefreiheit/"),
    ("cm.amt", "Benachrichtigungen"): path("/notifications/"),
    ("cm.amt", "Benachrichtigungen: Einstellungen"): path("/notifications/settings"),
    ("cm.amt", "Nicht gefunden"): path("/records/case_management/999999"),
    ("sekretariat", "Sitzungsliste"): path("/records/meeting/"),
    ("sekretariat", "Sitzung"): record("meeting"),
    ("sekretariat", "Register"): path("/register/"),
    ("koordination", "Statistik"): path("/statistik/"),
    ("koordination", "Statistik Quartal"): path(
        "/statistik/?zeitraum=quartal&quartal=2026-Q4&vergleich=1"
    ),
    ("koordination", "Berichte"): path("/statistik/berichte/"),
    ("koordination", "Bericht Lenkungskreis"): path("/statistik/berichte/lenkungskreis-faelle"),
    ("koordination", "Vorschlag"): record("proposal"),
    ("abh", "Beratung"): record("abh_counselling"),
    ("datenschutz", "Protokoll"): path("/datenschutz/protokoll/"),
    ("datenschutz", "Auskunft"): path("/datenschutz/auskunft/"),
    ("datenschutz", "Aufbewahrung"): path("/datenschutz/aufbewahrung/"),
    ("datenschutz", "Rollenfreigaben"): path("/datenschutz/rollen/"),
    ("verwaltung", "Personen"): path("/admin/users/"),
    ("verwaltung", "Person bearbeiten"): first_link("/admin/users/", "table tbody a"),
    ("verwaltung", "Organisationen"): path("/admin/organisations/"),
    ("verwaltung", "API-Tokens"): path("/admin/tokens/"),
    ("verwaltung", "Formulare und Abläufe"): path("/admin/config/"),
    ("verwaltung", "Editor: Ablauf"): path("/admin/config/workflows/case_management"),
    ("verwaltung", "Editor: Formular"): path("/admin/config/forms/intake"),
    ("verwaltung", "Formularvorschau"): path("/admin/config/forms/meeting/preview"),
    ("verwaltung", "Ablaufdiagramm"): path("/admin/config/workflows/case_management/diagram"),
    ("verwaltung", "Word-Vorlagen"): path("/admin/templates/"),
    ("verwaltung", "Veröffentlichungen"): path("/admin/revisions/"),
    ("verwaltung", "Hintergrund-Aufträge"): path("/admin/jobs/"),
    ("verwaltung", "Protokoll"): path("/admin/audit/"),
}


@pytest.fixture(scope="module")
def page_as(chromium, kim_site):
    """page_as(user) -> that person's logged-in page, one per person for the whole module."""
    pages = {}
    contexts = []

    def get(user: str):
        if user not in pages:
            context = chromium.new_context(
                locale="de-DE",
                timezone_id="Europe/Berlin",
                viewport={"width": 1366, "height": 900},
                bypass_csp=True,  # axe-core is injected as a script
            )
            context.set_default_timeout(20_000)
            contexts.append(context)
            pages[user] = context.new_page()
            if user != "-":
                log_in(pages[user], kim_site, user)
        return pages[user]

    yield get
    for context in contexts:
        context.close()


def test_login_page(page_as, kim_site):
    page = page_as("-")
    page.goto(kim_site + "/auth/login")
    assert axe_violations(page) == []


def test_login_page_with_errors(page_as, kim_site):
    page = page_as("-")
    page.goto(kim_site + "/auth/login")
    page.get_by_label("Benutzername").fill("niemand")
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()
    assert axe_violations(page) == []


@pytest.mark.parametrize("user, name", list(PAGES), ids=[f"{u}-{n}" for u, n in PAGES])
def test_page_has_no_axe_violations(page_as, kim_site, user, name):
    page = page_as(user)
    PAGES[user, name](page, kim_site)
    assert axe_violations(page) == []
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("h1").count() == 1, "one h1 per page"
    if name == "Startseite":  # every role's whole menu fits one row at 1366 px
        rows = page.evaluate(
            "new Set([...document.querySelectorAll('#verbund-menu > ul > li')]"
            ".map(item => item.getBoundingClientRect().top)).size"
        )
        assert rows == 1, f"the menu of {user} takes {rows} rows at 1366 px"
