"""The report's charts: a count crossed by a second dimension gets a chart of its cells
(issue 17), and a chart never shows more than the table under it."""

from __future__ import annotations

import re

from server.report_settings import Measure
from server.services.privacy.report import Figures
from server.services.privacy.report_charts import crossed_chart_svg, figure_chart_svg, png
from server.services.privacy.statistics import Table

MEASURE = Measure(kind="count", title="Neue Fälle", rows="fall.bezirk", columns="fall.gruppe")


def _table(columns: list[str], cells: list[list[int | None]]) -> Table:
    return Table(
        row_label="Bezirk",
        column_label="Zielgruppe",
        rows=["Bezirk 1", "Bezirk 2"],
        columns=columns,
        cells=cells,
        row_totals=[sum(c or 0 for c in row) for row in cells],
        column_totals=[None] * len(columns),
        total=None,
        unit="Datensätze",
    )


def _bars(svg: str) -> list[float]:
    """The widths of the bars (the legend's 10 px squares are not bars)."""
    found = re.findall(r'<rect x="200" y="[\d.]+" width="([\d.]+)" height="12"', svg)
    return [float(w) for w in found]


def test_a_crossed_count_gets_a_chart_of_its_cells_with_a_legend():
    table = _table(["neu", "jung", "alt"], [[12, None, 30], [6, 8, 0]])
    figures = Figures(measure=MEASURE, now=table, before=None, comparison=None)
    svg = crossed_chart_svg(figures, "1. Quartal 2026")
    assert "Neue Fälle nach Zielgruppe (1. Quartal 2026)" in svg
    for category in ("neu", "jung", "alt"):
        assert f">{category}</text>" in svg  # the legend names every category
    # one bar per shown, non-zero cell; the hidden cell is only „x“, its row total no bar
    bars = _bars(svg)
    assert len(bars) == 4
    assert max(bars) == bars[1]  # 30 is the longest, drawn second (Bezirk 1, „alt“)
    assert ">x</text>" in svg and ">0</text>" in svg
    assert png(svg)[:8] == b"\x89PNG\r\n\x1a\n"
    # the first chart (row totals) is still made
    assert "Neue Fälle" in figure_chart_svg(figures, "1. Quartal 2026", None)


def test_no_crossed_chart_without_columns_or_with_too_many_categories():
    one = Figures(measure=MEASURE, now=_table(["Anzahl"], [[3], [4]]), before=None, comparison=None)
    assert crossed_chart_svg(one, "2026") is None
    wide = [f"Gruppe {n}" for n in range(7)]
    many = Figures(
        measure=MEASURE, now=_table(wide, [[1] * 7, [2] * 7]), before=None, comparison=None
    )
    assert crossed_chart_svg(many, "2026") is None


def test_the_legend_wraps_instead_of_running_off_the_chart():
    names = ["eine recht lange Zielgruppenbezeichnung", "noch eine lange Bezeichnung", "kurz"]
    figures = Figures(
        measure=MEASURE, now=_table(names, [[1, 2, 3], [4, 5, 6]]), before=None, comparison=None
    )
    svg = crossed_chart_svg(figures, "2026")
    xs = [float(x) for x in re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="10"', svg)]
    assert len(xs) == 3 and all(x + 10 <= 640 for x in xs)
    legend_rows = set(re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="10"', svg))
    assert len(legend_rows) >= 2
