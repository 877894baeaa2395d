"""Playwright with Debian's Chromium for the browser tests (tests/browser/, tests/forms/).

Playwright's own browser download is never used (``playwright install`` is not run anywhere):
``launch`` gets Debian's Chromium (``/usr/bin/chromium``, installed by .ci/run). Conftests
import the fixtures from here. Screenshots land in tests/browser/screenshots/ (ignored by
git) for people to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "browser" / "screenshots"
DEMO_PASSWORD = "Verbund-Demo-2026"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=de-DE",  # German date inputs
]

needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason="chromium is not installed"
)

# The PostgreSQL pass runs beside the SQLite pass on CI's two cores. A screen journey checks
# what the browser shows and how the keyboard reaches it, which does not depend on the
# database; the services and the API under each screen run on both passes, and the KIM
# journeys (tests/browser/test_kim_journeys.py) still cross the whole stack on PostgreSQL.
screens_on_sqlite_pass = pytest.mark.skipif(
    bool(os.environ.get("VERBUND_TEST_DATABASE_URL")),
    reason="the screens do not depend on the database: checked on the SQLite pass",
)


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium):
    """new_page() -> a page in a fresh browser context (own cookies), German, 1280 wide."""
    contexts = []

    def make():
        context = chromium.new_context(
            locale="de-DE",
            timezone_id="Europe/Berlin",
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        # script errors and console errors (a missing favicon aside) fail the journeys
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("console", lambda message: _console_error(page, message))
        return page

    yield make
    for context in contexts:
        context.close()


def _console_error(page, message) -> None:
    where = (message.location or {}).get("url", "")
    if message.type == "error" and "favicon" not in where:
        page.errors.append(f"{message.text} ({where})")


class Shots:
    """Numbered screenshots of one journey: ``shots(page, "fristen")`` ->
    tests/browser/screenshots/<journey>-01-fristen.png."""

    def __init__(self, journey: str):
        self.journey = journey
        self.count = 0
        self.taken: list[Path] = []
        SCREENSHOTS.mkdir(exist_ok=True)
        for old in SCREENSHOTS.glob(f"{journey}-*.png"):
            old.unlink(missing_ok=True)  # the other test pass (make test runs two) may be first

    def __call__(self, page, step: str) -> Path:
        self.count += 1
        path = SCREENSHOTS / f"{self.journey}-{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


@pytest.fixture
def shots(request):
    return Shots(request.node.name.removeprefix("test_"))


def log_in(page, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form like a person."""
    page.goto(base + "/auth/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/")


WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE = Axe()


def axe_violations(page) -> list[str]:
    """Every WCAG 2.1 A/AA violation axe-core finds on the whole page: rule id and elements."""
    # every stylesheet applied first: on a loaded machine a check right after a navigation saw
    # Bootstrap's pale menu button before verbund.css had arrived
    page.wait_for_load_state("load")
    options = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    results = AXE.run(page, options=options)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:8]}"
        for v in results.response["violations"]
    ]
