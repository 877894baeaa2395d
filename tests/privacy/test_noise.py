"""Noise against the differencing attack (``[privacy] noise``, issue 17): every published
count lies within ±N of the true one, the same everywhere, and two overlapping free periods
no longer give the exact count of the days between them.

The data set of ``test_report_time`` (counselling fixture, min_cell 5, clock frozen on
15 April 2026) with ``noise = 2`` and a fixed secret key, so every figure is deterministic.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from itertools import pairwise

import pytest
from click.testing import CliRunner

from server import clock
from server.cli import main
from server.models import database
from server.report_settings import read_reports
from server.runtime import current_runtime
from server.services.privacy.compare import compare
from server.services.privacy.noise import Cells, Noise, from_settings, perturbed
from server.services.privacy.periods import Period, quarter
from server.services.privacy.report import run_report
from server.services.privacy.statistics import count_table
from tests.helpers import login
from tests.privacy.test_compare_cells import _table
from tests.privacy.test_report_files import _request
from tests.privacy.test_report_time import (
    REPORT,
    _case,
    _utc,
    data_set,  # noqa: F401 - the fixture
)

SECRET = "ein-fester-schluessel-nur-fuer-diesen-test"
Q1 = quarter(dt.date(2026, 1, 1))
NOTE = "Zahlen zum Schutz vor Rückschlüssen um bis zu ±2 verändert; Summen können abweichen."


@pytest.fixture
def config_dir(config_dir):
    path = config_dir / "config.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("[server]\n", f'[server]\nsecret_key = "{SECRET}"\n', 1)
    text = text.replace("[privacy]\n", "[privacy]\nnoise = 2\n", 1)
    path.write_text(text + REPORT, encoding="utf-8")
    return config_dir


def _positions(table) -> list[int | None]:
    """Every figure of a count table: cells, row totals, column totals, total."""
    return [
        *(n for row in table.cells for n in row),
        *table.row_totals,
        *table.column_totals,
        table.total,
    ]


def test_a_shown_count_is_its_true_count_give_or_take_n():
    noise = Noise(b"k" * 32, 2)
    other = Noise(b"l" * 32, 2)
    offsets = set()
    for true in [0, *range(5, 80)]:  # 1..4 are suppressed before (never perturbed)
        for identity in (("count", "a", "", "", ("state", "offen")), ("phases", "a")):
            shown = noise.shown(identity, true, 5)
            assert shown == noise.shown(identity, true, 5)  # deterministic
            if true == 0:
                assert shown == 0  # an empty cell stays empty
                continue
            assert shown >= 5 and abs(shown - true) <= 2  # never below min_cell
            offsets.add(noise.offset(identity, true))
    assert offsets == {-2, -1, 0, 1, 2}
    # another key draws other figures (the key is the secret, not the method)
    assert any(noise.offset(("x",), n) != other.offset(("x",), n) for n in range(20))
    assert "k" * 32 not in repr(noise)  # never printed with the object
    # suppressed stays suppressed: None is no figure to perturb
    shown = {"cells": [[None, 7]], "row_totals": [None], "column_totals": [0, 7], "total": None}
    out = perturbed(shown, noise, Cells(("t",), "r", ["a"], "c", ["x", "y"]), 5)
    assert out["cells"][0][0] is None and out["row_totals"] == [None] and out["total"] is None
    assert out["column_totals"][0] == 0 and abs(out["cells"][0][1] - 7) <= 2


def test_every_published_figure_lies_within_n_and_keeps_its_suppression(app, data_set):  # noqa: F811
    defs = data_set
    workflow = defs.workflows["beratung"]
    changed = 0
    with app.app_context():
        noise = from_settings(current_runtime(app).settings)
        assert noise is not None and noise.spread == 2
        for rows, columns, period in [
            ("state", None, Q1),
            ("state", "fall.zielgruppe", Q1),
            ("fall.zielgruppe", "state", Q1.previous()),
            ("fall.zielgruppe", None, None),
        ]:
            exact = count_table(defs, workflow, rows, columns, 5, period=period)
            shown = count_table(defs, workflow, rows, columns, 5, period=period, noise=noise)
            assert (exact.noise, shown.noise) == (0, 2)
            for true, figure in zip(_positions(exact), _positions(shown), strict=True):
                if true is None or true == 0:
                    assert figure == true  # suppressed stays „x“, 0 stays 0
                else:
                    assert abs(figure - true) <= 2 and figure >= 5
                    changed += figure != true
        # a one-way table: a row's cell and its total are one figure, as before
        by_state = count_table(defs, workflow, "state", None, 5, period=Q1, noise=noise)
        assert [row[0] for row in by_state.cells] == by_state.row_totals
        # a row total of phase × group counts the people the phase alone counts: one figure
        crossed = count_table(defs, workflow, "state", "fall.zielgruppe", 5, period=Q1, noise=noise)
        assert crossed.row_totals == by_state.row_totals and crossed.total == by_state.total
        report = next(r for r in read_reports(current_runtime(app).settings.raw["reports"]))
        exact_figures = run_report(defs, report, Q1, 5)
        shown_figures = run_report(defs, report, Q1, 5, noise=noise)
    for exact, shown in zip(exact_figures[1:], shown_figures[1:], strict=True):  # durations
        for a, b in zip(
            [*exact.now.rows, exact.now.total], [*shown.now.rows, shown.now.total], strict=True
        ):
            assert (a.label, a.median, a.p90) == (b.label, b.median, b.p90)  # medians exact
            assert (a.n is None) == (b.n is None)
            assert a.n is None or (abs(a.n - b.n) <= 2 and b.n >= 5)
    assert changed  # the noise is really there


def test_the_same_figures_on_the_page_in_the_csv_and_in_the_report_file(
    app,
    data_set,  # noqa: F811
    work_jobs,
):
    from openpyxl import load_workbook

    browser = app.test_client()
    login(browser, "koordination")
    query = "?workflow=beratung&rows=state&zeitraum=quartal&quartal=2026-Q1"
    first = browser.get("/statistik/tabelle.csv" + query).get_data(as_text=True)
    again = browser.get("/statistik/tabelle.csv" + query).get_data(as_text=True)
    assert first == again
    lines = list(csv.reader(io.StringIO(first.lstrip("\ufeff")), delimiter=";"))
    assert lines[-1] == [NOTE]  # the file says it, too
    csv_rows = lines[1:-1]  # the phases and the sum, as label;Anzahl;Summe
    page = browser.get("/statistik/" + query).get_data(as_text=True)
    assert _table(page, "statistik")[1:] == csv_rows
    # the note is tied to the table for screen readers
    assert 'id="statistik" aria-describedby="statistik-rauschen"' in page
    assert re.search(r'<p class="small text-muted" id="statistik-rauschen">' + NOTE, page)
    # the report page and the Excel file made by the job: the same figures
    report_page = browser.get(
        "/statistik/berichte/quartal?zeitraum=quartal&quartal=2026-Q1&vergleich=1"
    ).get_data(as_text=True)
    assert report_page.count(NOTE) == 2  # under the counts and under their comparison
    assert report_page.count("Anzahlen zum Schutz vor Rückschlüssen") == 2  # the durations'
    assert 'aria-describedby="vergleich-1-rauschen"' in report_page
    _browser, _url, data = _request(app, work_jobs, "xlsx")
    book = load_workbook(io.BytesIO(data))
    sheet = [[c.value for c in row] for row in book["Neue Fälle nach Phase"].iter_rows()]
    by_state = {row[0]: str(row[1]) for row in sheet[3:6] if row[0]}
    assert by_state == {row[0]: row[1] for row in csv_rows}
    assert NOTE in [row[0] for row in sheet]
    keys = [[c.value for c in row] for row in book["Kennzahlen"].iter_rows()]
    assert str(keys[1][2]) == csv_rows[-1][1]  # the key figure is the table's sum


@pytest.fixture
def one_case_a_day(app, office):
    """12 cases in January, then one case a day from 1 to 8 April (Berlin), all „neu“."""
    clock.freeze(dt.datetime(2026, 4, 15, 10, 0, tzinfo=dt.UTC))
    with app.app_context(), database.atomic():
        for n in range(12):
            _case(_utc(2026, 1, 5 + n, 9), "neu")
        for day in range(1, 9):
            _case(_utc(2026, 4, day, 9), "neu")
    yield current_runtime(app).definitions
    clock.freeze(None)


def test_two_overlapping_periods_no_longer_give_the_days_between_them(app, one_case_a_day):
    """The reader downloads the table for 1.1.–31.3., 1.1.–1.4., … 1.1.–8.4. and subtracts."""
    defs = one_case_a_day
    workflow = defs.workflows["beratung"]
    ends = [dt.date(2026, 3, 31) + dt.timedelta(k) for k in range(9)]
    browser = app.test_client()
    login(browser, "koordination")

    def total(end: dt.date) -> int:
        query = f"?workflow=beratung&rows=state&zeitraum=frei&von=2026-01-01&bis={end}"
        text = browser.get("/statistik/tabelle.csv" + query).get_data(as_text=True)
        (line,) = [r for r in csv.reader(io.StringIO(text), delimiter=";") if r[0] == "Summe"]
        return int(line[-1])

    shown = [total(end) for end in ends]
    with app.app_context():
        noise = from_settings(current_runtime(app).settings)
        periods = [Period(dt.date(2026, 1, 1), end) for end in ends]
        exact = [count_table(defs, workflow, "state", None, 5, period=p).total for p in periods]
        tables = [
            count_table(defs, workflow, "state", None, 5, period=p, noise=noise) for p in periods
        ]
    # without noise, subtracting two tables gives one case on each of the eight days
    assert exact == list(range(12, 21))
    assert [b - a for a, b in pairwise(exact)] == [1] * 8
    # with it, the reader's subtraction says no case on some days and two or more on others
    differences = [b - a for a, b in pairwise(shown)]
    assert all(abs(s - t) <= 2 for s, t in zip(shown, exact, strict=True))
    assert differences != [1] * 8
    assert min(differences) <= 0 and max(differences) >= 2
    # the same true count of the same cell shows the same figure in another period: the 12
    # cases of January alone, as the 12 of 1.1.–31.3.
    assert total(dt.date(2026, 1, 31)) == shown[0]
    # the page's change is the difference of the two shown figures (or „x“ when small)
    assert [t.total for t in tables] == shown
    for before, now in pairwise(tables):
        change = compare(now, before, 5).total_difference
        assert change in (None, now.total - before.total)


@pytest.mark.parametrize(
    "value, message",
    [
        ("-1", "[privacy] noise muss eine ganze Zahl von 0 bis 5 sein (0 = aus), nicht -1"),
        ("9", "[privacy] noise muss eine ganze Zahl von 0 bis 5 sein (0 = aus), nicht 9"),
        ('"zwei"', "[privacy] noise muss eine ganze Zahl sein"),
    ],
)
def test_verbund_check_refuses_a_noise_outside_0_to_5(config_dir, value, message):
    path = config_dir / "config.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("noise = 2", f"noise = {value}"), "utf-8"
    )
    result = CliRunner().invoke(main, ["--config", str(path), "check"])
    assert result.exit_code != 0
    assert message in result.output and "config.toml:" in result.output
