"""The notice „Diese Zahlen werden gerade aufgebaut …“ in a real browser (issue 21): while a
dimension is filled in the background the statistics page shows it where the table would be
– a status for screen readers, axe-core without findings, 320 px without sideways scrolling.
Screenshots: tests/browser/screenshots/statistics_building_*.png."""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager

from playwright.sync_api import expect

from tests.browser.conftest import SITES
from tests.browser.test_axe_every_page import axe_violations
from tests.browser.test_bitv_forms import no_sideways_scrolling
from tests.browser_support import log_in, needs_chromium, screens_on_sqlite_pass

pytestmark = [needs_chromium, screens_on_sqlite_pass]

DIMENSION = "intake.district"
WIDGET = "barriers.entries.category"  # the coordination's start-page block counts by it
ADDED = 1100  # more than a count fills in place (dimension_fill.SMALL)


@contextmanager
def _connection(site):
    url = os.environ.get("VERBUND_TEST_DATABASE_URL", "")
    if url:
        import psycopg2

        conn = psycopg2.connect(url)
        mark = "%s"
    else:
        conn = sqlite3.connect(site / "instance" / "verbund.db", timeout=30)
        mark = "?"
    try:
        yield conn, mark
        conn.commit()
    finally:
        conn.close()


def _declare_unfilled(site) -> None:
    """As after a publication: the dimension declared but not filled, with many records to do
    (its values of the existing records stay: the site's other tests count them)."""
    with _connection(site) as (conn, mark):
        cur = conn.cursor()
        copy = (
            "INSERT INTO record (workflow, state, version, title, created_at, updated_at, "
            "data, workflow_revision, search_text) SELECT workflow, state, 1, 'Massenimport', "
            "created_at, updated_at, '{}', workflow_revision, '' FROM record "
            "WHERE workflow = 'case_management' AND title <> 'Massenimport' LIMIT 1"
        )
        for _ in range(ADDED):
            cur.execute(copy)
        cur.execute(
            f"UPDATE record_dimension SET fill_after = 0 WHERE dimension IN ({mark}, {mark})",
            (DIMENSION, WIDGET),
        )


def _restore(site) -> None:
    with _connection(site) as (conn, mark):
        cur = conn.cursor()
        cur.execute(f"DELETE FROM record WHERE title = {mark}", ("Massenimport",))
        cur.execute(
            f"UPDATE record_dimension SET fill_after = NULL WHERE dimension IN ({mark}, {mark})",
            (DIMENSION, WIDGET),
        )


def test_the_notice_stands_where_the_figures_would_be(kim_site, new_page, shots):
    site, _env = SITES[kim_site]
    page = new_page()
    log_in(page, kim_site, "koordination")
    _declare_unfilled(site)
    try:
        page.goto(kim_site + f"/statistik/?workflow=case_management&rows={DIMENSION}")
        notice = page.get_by_role("status")
        expect(notice).to_contain_text("Diese Zahlen werden gerade aufgebaut")
        expect(page.locator("#statistik")).to_have_count(0)  # no partial table
        assert axe_violations(page) == []
        shots(page, "statistik")
        page.set_viewport_size({"width": 320, "height": 800})
        no_sideways_scrolling(page)
        shots(page, "statistik-320")
        # the start page: that block says so, the other figures stand
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(kim_site + "/")
        block = page.get_by_role("status").filter(has_text="gerade aufgebaut")
        expect(block).to_have_count(1)
        expect(page.locator("th", has_text="Fälle nach Phase")).to_have_count(1)  # counted
        expect(page.get_by_role("heading", name="Barrieren nach Kategorie")).to_be_visible()
        assert axe_violations(page) == []
        shots(page, "startseite")
    finally:
        _restore(site)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(kim_site + f"/statistik/?workflow=case_management&rows={DIMENSION}")
    expect(page.locator("#statistik")).to_be_visible()
    expect(page.get_by_role("status")).to_have_count(0)
