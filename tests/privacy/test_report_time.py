"""Figures over time (issue 17): periods by Berlin days, the period before, durations, the
declared order of categories and the declared reports – exact figures of a known data set.

The data set (counselling fixture, min_cell 5), the clock frozen on 15 April 2026:

* 1st quarter 2026: 18 cases – by target group 12 „neu“, 6 „lang“; by phase 11 open, 7 in
  „Abschluss“ (5 neu, 2 lang; each went there 3 days after it was opened). One of them was
  opened on 31.12.2025 at 23:30 UTC, which is 00:30 on New Year's Day in Berlin.
* 4th quarter 2025: 13 cases – 6 neu, 5 lang, 2 jung; 8 open, 5 closed. The closed ones
  were opened on 1 December, went to „Abschluss“ after 5, 10, 15, 20, 25 days and were
  closed after 40, 50, 60, 70, 100 days (all in the 1st quarter).
* One case opened on 31.03.2026 at 22:30 UTC: 1 April in Berlin, so in the 2nd quarter.
"""

from __future__ import annotations

import datetime as dt

import pytest

from server import clock
from server.models import Record, TransitionLog, database
from server.report_settings import read_reports
from server.runtime import current_runtime
from server.services.privacy.compare import compare, difference
from server.services.privacy.durations import duration_table, percentile, phase_table
from server.services.privacy.periods import CountingDate, Period, parse_period, quarter, year
from server.services.privacy.report import run_report
from server.services.privacy.statistics import count_table, dimensions
from tests.helpers import login

REPORT = """
[[reports]]
id = "quartal"
title = "Quartalsbericht Beratung"
workflow = "beratung"
roles = ["koordination"]

[[reports.measures]]
kind = "count"
title = "Neue Fälle nach Phase"
rows = "state"

[[reports.measures]]
kind = "duration"
title = "Eröffnung bis Abschluss"
from = "created"
to = "final"

[[reports.measures]]
kind = "phases"
title = "Zeit in jeder Phase"
"""


@pytest.fixture
def config_dir(config_dir):
    with (config_dir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(REPORT)
    # a date field a report may count by instead of the day of creation
    with (config_dir / "forms" / "fall.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[[fields]]\nname = "erstkontakt"\ntype = "date"\nlabel = "Erstkontakt"\n')
    return config_dir


def _utc(*parts) -> dt.datetime:
    return dt.datetime(*parts)


def _case(created: dt.datetime, group: str, state: str = "offen", moves=()) -> Record:
    """A case opened at ``created`` (naive UTC) that moved ``(days after, to state)``."""
    record = Record.create(
        workflow="beratung",
        state=state,
        data={"fall": {"zielgruppe": group}},
        created_at=created,
        updated_at=created,
    )
    TransitionLog.create(record=record, to_state="offen", at=created, record_version=1)
    here = "offen"
    for n, (days, to) in enumerate(moves):
        TransitionLog.create(
            record=record,
            from_state=here,
            to_state=to,
            at=created + dt.timedelta(days=days),
            record_version=n + 2,
        )
        here = to
    return record


@pytest.fixture
def data_set(app, office):
    clock.freeze(dt.datetime(2026, 4, 15, 10, 0, tzinfo=dt.UTC))
    with app.app_context(), database.atomic():
        # 1st quarter: the New Year's case (Berlin) first
        _case(_utc(2025, 12, 31, 23, 30), "neu")
        for n in range(6):
            _case(_utc(2026, 1, 10 + n, 9), "neu")
        for n in range(4):
            _case(_utc(2026, 2, 3 + n, 9), "lang")
        for n in range(7):  # 5 neu, 2 lang, to "Abschluss" after 3 days
            _case(
                _utc(2026, 1, 5 + n, 8), "neu" if n < 5 else "lang", "abschluss", [(3, "abschluss")]
            )
        # 4th quarter 2025
        closed = [(5, 40), (10, 50), (15, 60), (20, 70), (25, 100)]
        for n, (to_end, to_closed) in enumerate(closed):
            _case(
                _utc(2025, 12, 1, 10),
                "neu" if n < 3 else "lang",
                "abgeschlossen",
                [(to_end, "abschluss"), (to_closed, "abgeschlossen")],
            )
        for n in range(3):
            _case(_utc(2025, 10, 2 + n, 9), "neu")
        for n in range(3):
            _case(_utc(2025, 11, 2 + n, 9), "lang")
        for n in range(2):
            _case(_utc(2025, 11, 20 + n, 9), "jung")
        # 1 April in Berlin: the 2nd quarter
        _case(_utc(2026, 3, 31, 22, 30), "jung")
    yield current_runtime(app).definitions
    clock.freeze(None)


def test_periods_parse_name_and_go_back():
    assert parse_period({"zeitraum": "quartal", "quartal": "2026-Q1"}) == quarter(
        dt.date(2026, 2, 1)
    )
    q1 = quarter(dt.date(2026, 1, 1))
    assert (q1.start, q1.end, q1.label) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 31),
        "1. Quartal 2026",
    )
    assert q1.previous() == quarter(dt.date(2025, 12, 31))
    assert year(2026).previous().label == "2025"
    free = parse_period({"zeitraum": "frei", "von": "10.03.2026", "bis": "2026-03-19"})
    assert free.days == 10 and free.previous() == Period(dt.date(2026, 2, 28), dt.date(2026, 3, 9))
    # Berlin midnight as naive UTC: winter +1 h, summer +2 h
    assert q1.bounds() == (dt.datetime(2025, 12, 31, 23), dt.datetime(2026, 3, 31, 22))
    assert parse_period({}) is None
    for wrong, field in (
        ({"zeitraum": "quartal", "quartal": "2026-Q5"}, "quartal"),
        ({"zeitraum": "jahr", "jahr": "zwanzig"}, "jahr"),
        ({"zeitraum": "frei", "von": "gestern", "bis": "2026-01-01"}, "von"),
        ({"zeitraum": "frei", "von": "2026-02-01", "bis": "2026-01-01"}, "bis"),
        ({"zeitraum": "monat"}, "zeitraum"),
    ):
        with pytest.raises(Exception) as raised:
            parse_period(wrong)
        assert field in raised.value.errors


def test_differences_are_shown_only_between_shown_figures_and_never_small():
    assert difference(12, 6, 5) == 6
    assert difference(11, 8, 5) is None  # both published, but 3 is a small number
    assert difference(7, 7, 5) == 0
    assert difference(None, 6, 5) is None and difference(6, None, 5) is None
    assert difference(0, 5, 5) == -5


def test_percentiles_follow_percentile_cont():
    assert percentile({40.0: 1, 50.0: 1, 60.0: 1, 70.0: 1, 100.0: 1}, 0.5) == 60.0
    assert percentile({40.0: 1, 50.0: 1, 60.0: 1, 70.0: 1, 100.0: 1}, 0.9) == 88.0
    assert percentile({3.0: 7}, 0.9) == 3.0
    assert percentile({1.0: 1, 2.0: 1}, 0.5) == 1.5
    assert percentile({}, 0.5) is None


def test_counts_of_a_quarter_by_berlin_days_in_declared_order(app, data_set):
    defs = data_set
    workflow = defs.workflows["beratung"]
    q1 = quarter(dt.date(2026, 1, 1))
    with app.app_context():
        by_group = count_table(defs, workflow, "fall.zielgruppe", None, 5, period=q1)
        assert by_group.rows == ["Neuzugewandert", "Länger hier"]  # declared, not alphabetical
        assert by_group.row_totals == [12, 6] and by_group.total == 18
        before = count_table(defs, workflow, "fall.zielgruppe", None, 5, period=q1.previous())
        # 2 „jung“ suppressed, and the 5 with it (else 13 - 6 - 5 = 2)
        assert before.rows == ["Neuzugewandert", "Länger hier", "18–27 mit Duldung"]
        assert before.row_totals == [6, None, None] and before.total == 13
        c = compare(by_group, before, 5, dimensions_order(defs, workflow, "fall.zielgruppe"))
        assert c.rows == ["Neuzugewandert", "Länger hier", "18–27 mit Duldung"]
        assert c.now == [12, 6, 0] and c.before == [6, None, None]
        assert c.difference == [6, None, None] and c.total_difference == 5
        by_state = count_table(defs, workflow, "state", None, 5, period=q1)
        assert by_state.rows == ["In Beratung", "Abschluss"]
        assert by_state.row_totals == [11, 7]
        before = count_table(defs, workflow, "state", None, 5, period=q1.previous())
        c = compare(by_state, before, 5, dimensions_order(defs, workflow, "state"))
        assert c.rows == ["In Beratung", "Abschluss", "Abgeschlossen"]  # workflow order
        assert c.now == [11, 7, 0] and c.before == [8, 0, 5]
        # 11 - 8 = 3: small, suppressed; with the total's +5 shown, +7 and -5 would give it
        # back (5 - 7 + 5), and -5 alone would leave the two hidden at -2: +7 goes with it
        assert c.difference == [None, None, -5] and c.total_difference == 5
        # the whole stock: 18 + 13 + the April case
        assert count_table(defs, workflow, "state", None, 5).total == 32


def dimensions_order(defs, workflow, key):
    return next(d.order for d in dimensions(defs, workflow) if d.key == key)


def test_durations_median_90th_percentile_and_small_groups(app, data_set):
    defs = data_set
    workflow = defs.workflows["beratung"]
    q1 = quarter(dt.date(2026, 1, 1))
    with app.app_context():
        closing = duration_table(workflow, "created", "final", q1, 5)
        assert (closing.total.n, closing.total.median, closing.total.p90) == (5, 60.0, 88.0)
        assert duration_table(workflow, "created", "final", q1.previous(), 5).total.n is None
        admission = duration_table(workflow, "created", "state:abschluss", q1, 5)
        assert (admission.total.n, admission.total.median, admission.total.p90) == (7, 3.0, 3.0)
        earlier = duration_table(workflow, "created", "state:abschluss", q1.previous(), 5)
        assert (earlier.total.n, earlier.total.median, earlier.total.p90) == (5, 15.0, 23.0)
        group = next(d for d in dimensions(defs, workflow) if d.key == "fall.zielgruppe")
        by_group = duration_table(workflow, "created", "state:abschluss", q1, 5, group)
        rows = {r.label: (r.n, r.median, r.p90) for r in by_group.rows}
        # 2 „lang“: nothing shown; 5 „neu“: its number would give the 2 away, its median not
        assert rows == {"Neuzugewandert": (None, 3.0, 3.0), "Länger hier": (None, None, None)}
        phases = phase_table(workflow, q1, 5)
        assert [(r.label, r.n, r.median, r.p90) for r in phases.rows] == [
            ("In Beratung", 7, 3.0, 3.0),
            ("Abschluss", 5, 45.0, 65.0),
        ]
        before = phase_table(workflow, q1.previous(), 5)
        assert [(r.label, r.n, r.median, r.p90) for r in before.rows] == [
            ("In Beratung", 5, 15.0, 23.0)
        ]


def test_the_declared_report_with_the_period_before(app, data_set):
    defs = data_set
    with app.app_context():
        report = read_reports(current_runtime(app).settings.raw["reports"])[0]
        assert report.period == "quarter"  # the default: the last complete quarter
        figures = run_report(defs, report, quarter(dt.date(2026, 1, 1)), 5)
        count, closing, phases = figures
        assert count.comparison.difference == [None, None, -5]
        assert (closing.now.total.median, closing.before.total.n) == (60.0, None)
        assert phases.before.rows[0].median == 15.0


def test_statistics_page_takes_a_period_and_compares(app, data_set):
    browser = app.test_client()
    login(browser, "koordination")
    page = browser.get(
        "/statistik/?workflow=beratung&rows=state&zeitraum=quartal&quartal=2026-Q1&vergleich=1"
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "1. Quartal 2026" in html and "4. Quartal 2025" in html
    assert '<td class="text-right">11</td>' in html and "+7" not in html and "+3" not in html
    # the change as sign and number, and in words for screen readers
    assert '<span aria-hidden="true">−5</span><span class="sr-only">5 weniger</span>' in html
    # the CSV link keeps the period
    assert "zeitraum=quartal" in html and "quartal=2026-Q1" in html
    csv_text = browser.get(
        "/statistik/tabelle.csv?workflow=beratung&rows=state&zeitraum=quartal&quartal=2026-Q1"
    ).get_data(as_text=True)
    assert "In Beratung;11;11" in csv_text and "Summe;18;18" in csv_text
    wrong = browser.get("/statistik/?workflow=beratung&zeitraum=frei&von=01.02.2026&bis=kein")
    assert wrong.status_code == 422
    text = wrong.get_data(as_text=True)
    assert 'aria-describedby="bis-fehler"' in text and "Bitte ein Datum eingeben" in text
    # without a period: the whole stock, as before
    assert ">32</td>" in browser.get("/statistik/?workflow=beratung&rows=state").get_data(
        as_text=True
    )


def test_report_page_shows_the_last_quarter_and_is_for_statistics_roles(app, data_set):
    browser = app.test_client()
    login(browser, "koordination")
    listing = browser.get("/statistik/berichte/").get_data(as_text=True)
    assert "Quartalsbericht Beratung" in listing
    page = browser.get("/statistik/berichte/quartal")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "1. Quartal 2026" in html and "Eröffnung bis Abschluss" in html
    assert ">60,0</td>" in html and ">88,0</td>" in html
    year_page = browser.get("/statistik/berichte/quartal?zeitraum=jahr&jahr=2025&vergleich=1")
    assert year_page.status_code == 200 and "2024" in year_page.get_data(as_text=True)
    assert browser.get("/statistik/berichte/unbekannt").status_code == 404
    dpo = app.test_client()
    login(dpo, "dpo")  # holds statistics_roles, but the report names only „koordination“
    assert dpo.get("/statistik/berichte/quartal").status_code == 404
    counsellor = app.test_client()
    login(counsellor, "berater")
    assert counsellor.get("/statistik/berichte/quartal").status_code == 403


def test_a_declared_date_field_decides_the_period(app, data_set):
    defs = data_set
    workflow = defs.workflows["beratung"]
    q1 = quarter(dt.date(2026, 1, 1))
    with app.app_context(), database.atomic():
        # entered in April, first contact in March (and one with no date: never in a period)
        for n in range(6):
            record = _case(_utc(2026, 4, 2, 9), "lang")
            record.data = {"fall": {"zielgruppe": "lang", "erstkontakt": f"2026-03-{10 + n}"}}
            record.save()
        _case(_utc(2026, 4, 2, 9), "lang")
    with app.app_context():
        by_contact = count_table(
            defs,
            workflow,
            "fall.zielgruppe",
            None,
            5,
            period=q1,
            counting_date=CountingDate("fall.erstkontakt"),
        )
        assert by_contact.rows == ["Länger hier"] and by_contact.total == 6
        by_creation = count_table(defs, workflow, "fall.zielgruppe", None, 5, period=q1)
        assert by_creation.total == 18  # as before: the April cases are not in it
        waited = duration_table(workflow, "fall.erstkontakt", "created", None, 5)
        # 2 April 09:00 UTC from 10..15 March (midnight): 23.4 .. 18.4 days
        assert (waited.total.n, waited.total.median) == (6, 20.9)
