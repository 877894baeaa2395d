"""The record page in a real browser (Debian's Chromium, headless): conditions while typing,
table rows added, moved and removed, a file too big refused before sending.

The app runs in a real WSGI server in a thread, against the test's SQLite file and Redis.
"""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from server.models import Record
from server.services.records import create_record
from tests.helpers import PASSWORD

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER), reason="chromium and chromedriver are not installed"
)


@pytest.fixture
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'chromium'}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(2)
    yield driver
    driver.quit()


def log_in(browser, server, username):
    from selenium.webdriver.common.by import By

    browser.get(server + "/auth/login")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()


def test_the_record_page_reacts_while_the_user_types(app, server, browser, make_user, tmp_path):
    from selenium.webdriver.common.by import By

    user = make_user("verein1", ["applicant"], "rc1")
    record = create_record(app.config["VERBUND_RUNTIME"].definitions, user, "foerderung")
    log_in(browser, server, "verein1")
    browser.get(f"{server}/records/foerderung/{record.id}")

    def field(name):
        return browser.find_element(By.CSS_SELECTOR, f'.verbund-field[data-field="{name}"]')

    def cell(n, column):
        return browser.find_element(By.NAME, f"antrag-posten-{n}-{column}")

    # show_if: the Aktenzeichen appears when "gemeinnützig" is ticked, and goes again
    assert not field("nachweis").is_displayed()
    browser.find_element(By.NAME, "antrag-gemeinnuetzig").click()
    assert field("nachweis").is_displayed()
    browser.find_element(By.NAME, "antrag-gemeinnuetzig").click()
    assert not field("nachweis").is_displayed()
    browser.find_element(By.NAME, "antrag-gemeinnuetzig").click()
    browser.find_element(By.NAME, "antrag-nachweis").send_keys("AZ 12/34")

    # table rows: three filled in, the last moved up, the first removed
    cell(0, "posten").send_keys("Bälle")
    cell(0, "betrag").send_keys("100")
    add = browser.find_element(By.CSS_SELECTOR, '.verbund-add-row[data-table="antrag-posten"]')
    for n, (item, amount) in enumerate((("Netze", "50"), ("Tore", "900")), start=1):
        if len(browser.find_elements(By.NAME, f"antrag-posten-{n}-posten")) == 0:
            add.click()
        cell(n, "posten").send_keys(item)
        cell(n, "betrag").send_keys(amount)
    rows = browser.find_elements(By.CSS_SELECTOR, 'table[data-name="antrag-posten"] tr.verbund-row')
    rows[2].find_element(By.CSS_SELECTOR, ".verbund-row-up").click()
    assert cell(1, "posten").get_attribute("value") == "Tore"  # renumbered after the move
    rows = browser.find_elements(By.CSS_SELECTOR, 'table[data-name="antrag-posten"] tr.verbund-row')
    rows[0].find_element(By.CSS_SELECTOR, ".verbund-row-remove").click()
    assert cell(0, "posten").get_attribute("value") == "Tore"
    # the no-JavaScript ticks are out of the way
    assert not browser.find_element(By.NAME, "antrag-posten-0-_remove").is_displayed()

    # a file too big for the field is refused at once, with the limit named
    big = tmp_path / "satzung.pdf"
    big.write_bytes(b"%PDF-" + b"x" * 3000)
    chooser = browser.find_element(By.NAME, "antrag-satzung-_upload")
    chooser.send_keys(str(big))
    message = browser.find_element(By.CSS_SELECTOR, ".verbund-too-large")
    assert message.text == "„Satzung“: Die Datei ist zu groß (höchstens 2 KB)."
    assert chooser.get_attribute("value") == ""

    for name, value in (
        ("antrag-verein", "Ruderclub"),
        ("antrag-email", "rc@rhein.example"),
        ("antrag-zweck", "Boote"),
        ("antrag-betrag", "1.050,00"),
    ):
        browser.find_element(By.NAME, name).send_keys(value)
    browser.execute_script("document.getElementsByName('antrag-beginn')[0].value = '2027-04-01';")
    browser.find_element(By.CSS_SELECTOR, "#form-antrag button[type=submit]").click()
    assert "„Förderantrag“ wurde gespeichert." in browser.page_source

    saved = Record.get_by_id(record.id).data["antrag"]
    assert [row["posten"] for row in saved["posten"]] == ["Tore", "Netze"]
    assert saved["nachweis"] == "AZ 12/34" and saved["betrag"] == "1050"
    severe = [
        entry
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE" and "favicon" not in entry["message"]
    ]
    assert severe == []
