"""The comparison with the period before, cell by cell (issue 17): exact figures of known
data sets with the clock frozen on 15 April 2026, min_cell 5, the suppression of the
differences included (the rule: docs/architecture.md, „Vergleich Zelle für Zelle“).

The data set of this file, by target group (rows) and phase (columns):

=================  ===========  =========  ===========  =========
 target group       Q1 2026                 Q4 2025
-----------------  ----------------------  ----------------------
                    In Beratung  Abschluss  In Beratung  Abschluss
=================  ===========  =========  ===========  =========
 Neuzugewandert      20           10         14           10
 Länger hier         12            9          9            6
 18–27 mit Duldung    8            6          8            5
=================  ===========  =========  ===========  =========

No figure is small, so both tables are published whole; the differences 3, 3 and 1 (and the
totals 1 and 4 they make) are small, and the subtraction rule hides more around them.
"""

from __future__ import annotations

import datetime as dt
import random
from html.parser import HTMLParser

import pytest

from server import clock
from server.models import database
from server.report_settings import read_reports
from server.runtime import current_runtime
from server.services.privacy.compare import (
    _relations,
    _violated,
    compare,
    compare_counts,
    protect,
    small,
)
from server.services.privacy.periods import quarter
from server.services.privacy.report import run_report
from server.services.privacy.report_files import _comparison_rows
from server.services.privacy.statistics import Table, count_table
from tests.helpers import login
from tests.privacy.test_report_time import (
    _case,
    _utc,
    data_set,  # noqa: F401 - the fixture
)

Q1 = quarter(dt.date(2026, 1, 1))
GROUPS = ["Neuzugewandert", "Länger hier", "18–27 mit Duldung"]
PHASES = ["In Beratung", "Abschluss"]
NOW = {("neu", "offen"): 20, ("neu", "abschluss"): 10, ("lang", "offen"): 12}
NOW |= {("lang", "abschluss"): 9, ("jung", "offen"): 8, ("jung", "abschluss"): 6}
BEFORE = {("neu", "offen"): 14, ("neu", "abschluss"): 10, ("lang", "offen"): 9}
BEFORE |= {("lang", "abschluss"): 6, ("jung", "offen"): 8, ("jung", "abschluss"): 5}

REPORT = """
[[reports]]
id = "zellen"
title = "Fälle nach Zielgruppe und Phase"
workflow = "beratung"
roles = ["koordination"]

[[reports.measures]]
kind = "count"
title = "Neue Fälle nach Zielgruppe und Phase"
rows = "fall.zielgruppe"
columns = "state"
"""


@pytest.fixture
def config_dir(config_dir):
    with (config_dir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(REPORT)
    return config_dir


@pytest.fixture
def cells_data(app, office):
    clock.freeze(dt.datetime(2026, 4, 15, 10, 0, tzinfo=dt.UTC))
    with app.app_context(), database.atomic():
        for counts, month in ((NOW, 2), (BEFORE, 11)):
            year = 2026 if month == 2 else 2025
            for (group, state), n in counts.items():
                for day in range(n):
                    _case(_utc(year, month, 1 + day, 9), group, state)
    yield current_runtime(app).definitions
    clock.freeze(None)


def _comparison(defs, rows="fall.zielgruppe", columns="state"):
    workflow = defs.workflows["beratung"]
    now = count_table(defs, workflow, rows, columns, 5, period=Q1)
    before = count_table(defs, workflow, rows, columns, 5, period=Q1.previous())
    return now, before, compare_counts(defs, workflow, now, before, 5, rows, columns)


def _cells(c):
    return [[(ch.now, ch.before, ch.difference) for ch in row] for row in c.cells]


def test_every_cell_is_compared_and_small_changes_take_their_neighbours(app, cells_data):
    with app.app_context():
        now, before, c = _comparison(cells_data)
    # both tables whole: no figure is small
    assert now.cells == [[20, 10], [12, 9], [8, 6]] and now.total == 65
    assert before.cells == [[14, 10], [9, 6], [8, 5]] and before.total == 52
    assert (c.rows, c.columns, c.column_label) == (GROUPS, PHASES, "Phase / Zustand")
    # +3, +3 and +1 are small; +1 is also the difference of the row „18–27“ and +4 that of
    # „Abschluss“. Then: the row differences +6, +6, x and the total +13 would give the x
    # back (13 - 6 - 6 = 1), so +6 of „Neuzugewandert“ goes; its row 6 + 0 would give that
    # back, so its +6 in „In Beratung“ goes; the column totals x and +13 would give the
    # other back, so +9 goes. What is left hidden adds up to 7, 6, 9, 13: no small number.
    assert _cells(c) == [
        [(20, 14, None), (10, 10, 0)],
        [(12, 9, None), (9, 6, None)],
        [(8, 8, 0), (6, 5, None)],
    ]
    assert (c.now, c.before, c.difference) == ([30, 21, 14], [24, 15, 13], [None, 6, None])
    assert [(t.now, t.before, t.difference) for t in c.column_totals] == [
        (40, 31, None),
        (25, 21, None),
    ]
    assert (c.total_now, c.total_before, c.total_difference) == (65, 52, 13)


def test_a_suppressed_figure_hides_its_difference_and_nothing_more(app, data_set):  # noqa: F811
    """The data set of test_report_time: Q1 2026 by phase and target group is published
    only in its margins (4 and 2 are small, the rest goes with them), Q4 2025 likewise,
    and 2 „jung“ hide „Länger hier“ in its column totals."""
    with app.app_context():
        now, before, c = _comparison(data_set, "state", "fall.zielgruppe")
    assert now.cells == [[None, None], [None, None]]
    assert (now.row_totals, now.column_totals) == ([11, 7], [12, 6])
    assert before.cells == [[None, None, None], [None, None, 0]]
    assert (before.row_totals, before.column_totals) == ([8, 5], [6, None, None])
    assert c.rows == ["In Beratung", "Abschluss", "Abgeschlossen"]
    assert c.columns == GROUPS
    # a state or group not counted in one period is 0 there; a 0 difference is shown
    assert _cells(c) == [
        [(None, None, None), (None, None, None), (0, None, None)],
        [(None, 0, None), (None, 0, None), (0, 0, 0)],
        [(0, None, None), (0, None, None), (0, 0, 0)],
    ]
    # 11 - 8 = 3 is small; +7 goes with it (with -5 alone the two hidden would make -2)
    assert (c.now, c.before, c.difference) == ([11, 7, 0], [8, 0, 5], [None, None, -5])
    assert [t.difference for t in c.column_totals] == [6, None, None]
    assert (c.total_now, c.total_before, c.total_difference) == (18, 13, 5)


def test_no_relation_gives_a_hidden_difference_away():
    """Random tables: after the suppression no row, column or margin of the differences has
    a lone hidden member, and no shown sum leaves a small change to subtract."""
    chance = random.Random(17)
    for _ in range(300):
        height, width = chance.randint(1, 4), chance.randint(1, 4)
        figures = [
            [chance.choice([0, 2, 5, 6, 7, 9, 15]) for _ in range(width)] for _ in range(height)
        ]
        earlier = [[max(0, n + chance.randint(-6, 6)) for n in row] for row in figures]
        value = {
            ("c", i, j): figures[i][j] - earlier[i][j] for i in range(height) for j in range(width)
        }
        value |= {("r", i): sum(figures[i]) - sum(earlier[i]) for i in range(height)}
        value |= {
            ("k", j): sum(r[j] for r in figures) - sum(r[j] for r in earlier) for j in range(width)
        }
        value[("t",)] = sum(map(sum, figures)) - sum(map(sum, earlier))
        start = {k for k, v in value.items() if small(v, 5)}
        relations = _relations(height, width, True)
        hidden = protect(value, start, relations, 5)
        assert start <= hidden
        for members in relations:
            assert not _violated(members, value, hidden, 5), (figures, earlier, members)


def test_one_dimension_keeps_its_shape():
    now = Table("Phase", "", ["A", "B"], ["Anzahl"], [[12], [9]], [12, 9], [21], 21, "Datensätze")
    before = Table("Phase", "", ["A", "C"], ["Anzahl"], [[6], [7]], [6, 7], [13], 13, "Datensätze")
    c = compare(now, before, 5)
    assert (c.columns, c.cells) == ([], [])
    assert (c.rows, c.now, c.before) == (["A", "B", "C"], [12, 9, 0], [6, 0, 7])
    assert c.difference == [6, 9, -7] and c.total_difference == 8  # nothing small


class _Cells(HTMLParser):
    """The visible text of every cell of one table (screen-reader-only text apart)."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.inside, self.rows, self.hidden_depth = table_id, False, [], 0
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == self.table_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "span" and attrs.get("class") == "sr-only":
            self.hidden_depth += 1

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "table":
            self.inside = False
        elif tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "span" and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if self.cell is not None and not self.hidden_depth:
            self.cell.append(data)


def _table(html: str, table_id: str) -> list[list[str]]:
    parser = _Cells(table_id)
    parser.feed(html)
    return [row for row in parser.rows if row]


def test_statistics_page_compares_every_cell(app, cells_data):
    browser = app.test_client()
    login(browser, "koordination")
    page = browser.get(
        "/statistik/?workflow=beratung&rows=fall.zielgruppe&columns=state"
        "&zeitraum=quartal&quartal=2026-Q1&vergleich=1"
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    q1, q4 = "1. Quartal 2026", "4. Quartal 2025"
    rows = _table(html, "vergleich-tabelle")
    assert rows[0] == ["Fall: Zielgruppe / Phase / Zustand", *PHASES, "Summe"]
    assert rows[1] == [q1, q4, "Veränderung"] * 3
    assert rows[2:] == [
        ["Neuzugewandert", "20", "14", "x", "10", "10", "0", "30", "24", "x"],
        ["Länger hier", "12", "9", "x", "9", "6", "x", "21", "15", "+6"],
        ["18–27 mit Duldung", "8", "8", "0", "6", "5", "x", "14", "13", "x"],
        ["Summe", "40", "31", "x", "25", "21", "x", "65", "52", "+13"],
    ]
    # headers a screen reader announces: group, period, and the change in words
    assert 'scope="colgroup" colspan="3"' in html and 'scope="row"' in html
    assert 'headers="vergleich-tabelle-z3 vergleich-tabelle-k3 vergleich-tabelle-k3-d"' in html
    assert '<span class="sr-only">6 mehr</span>' in html and "(unverändert)" in html
    assert 'role="region" aria-labelledby="vergleich-tabelle-titel" tabindex="0"' in html


def test_report_page_compares_every_cell(app, cells_data):
    defs = cells_data
    with app.app_context():
        report = next(
            r
            for r in read_reports(current_runtime(app).settings.raw["reports"])
            if r.id == "zellen"
        )
        (figures,) = run_report(defs, report, Q1, 5)
    assert [t.difference for t in figures.comparison.column_totals] == [None, None]
    assert figures.comparison.difference == [None, 6, None]
    # the Word and Excel file: one line per cell, the same figures and „x“
    head, lines = _comparison_rows(figures, "1. Quartal 2026", "4. Quartal 2025")
    q1, q4 = "1. Quartal 2026", "4. Quartal 2025"
    assert head == ["Fall: Zielgruppe", "Phase / Zustand", q1, q4, "Veränderung"]
    assert lines[:3] == [
        ["Neuzugewandert", "In Beratung", 20, 14, None],
        ["Neuzugewandert", "Abschluss", 10, 10, 0],
        ["Neuzugewandert", "Summe", 30, 24, None],
    ]
    assert lines[4] == ["Länger hier", "Abschluss", 9, 6, None]
    assert lines[5] == ["Länger hier", "Summe", 21, 15, 6]
    assert lines[-3:] == [
        ["Summe", "In Beratung", 40, 31, None],
        ["Summe", "Abschluss", 25, 21, None],
        ["Summe", "Summe", 65, 52, 13],
    ]
    browser = app.test_client()
    login(browser, "koordination")
    page = browser.get("/statistik/berichte/zellen?zeitraum=quartal&quartal=2026-Q1&vergleich=1")
    assert page.status_code == 200
    rows = _table(page.get_data(as_text=True), "vergleich-1")
    assert rows[-1] == ["Summe", "40", "31", "x", "25", "21", "x", "65", "52", "+13"]
    assert rows[3] == ["Länger hier", "12", "9", "x", "9", "6", "x", "21", "15", "+6"]
