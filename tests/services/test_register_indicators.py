"""Indicators of measures: the plan line, on/off track, the text alternative, the SVG."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from server.services.register.indicator_chart import indicator_svg
from server.services.register.indicators import (
    Indicator,
    expected_on,
    indicator_of,
    judge,
    parse_number,
)

START = dt.date(2026, 1, 1)
DUE = dt.date(2026, 12, 31)  # 364 days later


def rising(*values, baseline="10", status="offen") -> Indicator:
    row = {"indicator": "Anteil mit Sprachmittlung", "unit": "%", "target": "50"}
    if baseline is not None:
        row["baseline"] = baseline
    ind = indicator_of(row, START, DUE)
    ind.values = [(d, parse_number(v)) for d, v in values]
    return judge(ind, status)


def test_numbers_are_read_in_german_and_iso():
    assert parse_number("12,5") == Decimal("12.5")
    assert parse_number("1.234,5") == Decimal("1234.5")
    assert parse_number("12.5") == Decimal("12.5")
    assert parse_number(" 7 ") == Decimal(7)
    for bad in ("", "zwölf", "NaN", "Infinity", None, True, "1" * 40):
        assert parse_number(bad) is None, bad


def test_a_row_without_numeric_target_has_no_indicator():
    assert indicator_of({"indicator": "20 Sprachen"}, START, DUE) is None
    assert indicator_of({"indicator": "x", "target": "viel"}, START, DUE) is None


def test_the_plan_is_the_straight_line_from_baseline_to_target():
    start = (START, Decimal(10))
    assert expected_on(start, Decimal(50), DUE, START) == 10
    assert expected_on(start, Decimal(50), DUE, START + dt.timedelta(days=182)) == 30
    assert expected_on(start, Decimal(50), DUE, DUE + dt.timedelta(days=30)) == 50
    assert expected_on(start, Decimal(50), DUE, START - dt.timedelta(days=3)) == 10


def test_behind_the_line_is_off_track_on_or_above_is_not():
    mid = START + dt.timedelta(days=182)  # the plan expects 30 %
    behind = rising((mid, "25"))
    assert behind.off_track and behind.expected == 30
    assert behind.progress_label() == "nicht im Plan"
    on = rising((mid, "30"))
    assert not on.off_track and on.progress_label() == "im Plan"
    # the latest value counts, not the best one
    assert rising((mid, "35"), (mid + dt.timedelta(days=30), "26")).off_track


def test_reached_done_and_dropped_measures_are_never_off_track():
    late = DUE + dt.timedelta(days=10)
    reached = rising((late, "50"))
    assert reached.reached and not reached.off_track
    assert reached.progress_label() == "Ziel erreicht"
    mid = START + dt.timedelta(days=182)
    assert not rising((mid, "12"), status="erledigt").off_track
    assert not rising((mid, "12"), status="verworfen").off_track


def test_a_falling_target_is_behind_when_above_the_line():
    row = {"indicator": "Wartezeit", "unit": "Tage", "baseline": "60", "target": "20"}
    ind = indicator_of(row, START, DUE)
    ind.values = [(START + dt.timedelta(days=182), Decimal(45))]  # plan: 40 days
    assert judge(ind, "offen").off_track
    ind.values = [(START + dt.timedelta(days=182), Decimal(38))]
    ind.off_track = False
    assert not judge(ind, "offen").off_track


def test_without_baseline_the_first_value_starts_the_line():
    first = START + dt.timedelta(days=91)
    only = rising((first, "12"), baseline=None)
    assert only.expected is None and not only.off_track  # one point is no line
    assert only.progress_label() == "ohne Plan-Linie"
    two = rising((first, "12"), (first + dt.timedelta(days=136), "13"), baseline=None)
    assert two.expected is not None and two.off_track  # 12 -> 50 by the due date: far behind


def test_nothing_measured_yet_is_not_judged():
    ind = rising()
    assert not ind.off_track and ind.expected is None
    assert ind.progress_label() == "noch nicht bewertbar"
    assert "noch kein Istwert" in ind.summary()


def test_the_summary_holds_the_figures_in_german():
    ind = rising((START + dt.timedelta(days=182), "25,5"))
    text = ind.summary()
    assert "Ausgangswert 10\u00a0% am 01.01.2026" in text
    assert "Zielwert 50\u00a0% bis 31.12.2026" in text
    assert "zuletzt 25,5\u00a0% am 02.07.2026" in text
    assert "laut Plan zu erwarten 30\u00a0%" in text and text.endswith("nicht im Plan.")


def test_the_chart_is_an_image_with_title_and_description():
    ind = rising((START + dt.timedelta(days=91), "15"), (START + dt.timedelta(days=182), "25"))
    ind.name = 'Anteil <script>alert("x")</script>'
    svg = str(indicator_svg(ind, "ind-7-1", "Indikator zu TOP 2"))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="ind-7-1-titel ind-7-1-beschreibung"' in svg
    assert '<title id="ind-7-1-titel">Indikator zu TOP 2</title>' in svg
    assert "<desc" in svg and "Zielwert 50\u00a0%" in svg
    assert "<script" not in svg and "&lt;script&gt;" in svg  # escaped, never markup
    assert svg.count("<circle") == 2 and "<polyline" in svg
    assert "Ziel 50\u00a0%" in svg and "stroke-dasharray" in svg  # not by colour alone
    assert ">Ist<" in svg and ">Plan<" in svg  # the legend names the lines


def test_a_flat_indicator_still_draws():
    row = {"indicator": "x", "target": "0", "baseline": "0"}
    ind = indicator_of(row, START, START)  # due on the meeting day, all values zero
    ind.values = [(START, Decimal(0))]
    judge(ind, "offen")
    assert "<svg" in str(indicator_svg(ind, "a", "t"))
