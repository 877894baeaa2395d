"""server/german.py, the one home of German formats: what people read on screens, in exports,
in Word documents and in privacy texts, and how the dates they type are read.

The Word filters (|datum, |zahl, |euro, |janein) are tested as template authors use them in
tests/documents/test_filters.py; here the functions the screens and services share.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import re
from decimal import Decimal

import pytest

from server import clock, german

SERVER = pathlib.Path(german.__file__).parent


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (dt.date(2026, 3, 2), "02.03.2026"),
        (dt.datetime(2026, 12, 31, 23, 59), "31.12.2026"),
        (dt.date(999, 1, 5), "05.01.0999"),  # four digits, as the date field reads them
        (None, ""),
    ],
)
def test_date_text(value, shown):
    assert german.date_text(value) == shown


def test_day_text_for_the_screens():
    assert german.day_text("2026-03-02") == "02.03.2026"
    assert german.day_text("2026-03-02T10:00:00") == "02.03.2026"
    assert german.day_text(dt.date(2026, 3, 2)) == "02.03.2026"
    assert german.day_text("bald") == "bald"  # no date: shown as typed
    assert german.day_text(None) == ""


def test_local_time_is_berlin_summer_and_winter():
    # naive values are UTC, as the database stores them
    assert german.local_time(dt.datetime(2026, 1, 15, 8, 5)) == "15.01.2026 09:05"
    assert german.local_time(dt.datetime(2026, 7, 15, 8, 5)) == "15.07.2026 10:05"
    assert german.local_time(dt.datetime(2026, 12, 31, 23, 30)) == "01.01.2027 00:30"
    aware = dt.datetime(2026, 7, 15, 8, 5, 9, tzinfo=dt.UTC)
    assert german.local_time(aware, seconds=True) == "15.07.2026 10:05:09"
    assert german.local_time(None) == ""


def test_typed_days_are_read_in_both_spellings():
    assert german.parse_day("2026-03-02") == dt.date(2026, 3, 2)
    assert german.parse_day(" 02.03.2026 ") == dt.date(2026, 3, 2)
    assert german.parse_day(dt.datetime(2026, 3, 2, 9)) == dt.date(2026, 3, 2)
    for wrong in ("31.02.2026", "gestern", "", None, 20260302):
        assert german.parse_day(wrong) is None
    assert german.parse_date("02.03.2026 09:12") == dt.datetime(2026, 3, 2, 9, 12)
    assert german.parse_date("2026-03-02T09:12:00Z").tzinfo is not None


@pytest.mark.parametrize(
    ("value", "grouping", "shown"),
    [
        (1234567, True, "1.234.567"),
        (Decimal("1234.50"), True, "1.234,50"),  # every digit it holds
        (Decimal("-0.5"), True, "-0,5"),
        (Decimal("1234.5"), False, "1234,5"),  # what a decimal input shows
        (250_000, True, "250.000"),
    ],
)
def test_number(value, grouping, shown):
    assert german.number(value, grouping=grouping) == shown


def test_money_sizes_and_yes_no():
    assert german.euro(Decimal("1234.5")) == "1.234,50\u00a0€"
    assert german.euro("kein Betrag") == "kein Betrag"
    assert german.megabytes(30 * 1024 * 1024) == "30,0 MB"
    assert german.megabytes(1536 * 1024) == "1,5 MB"
    assert (german.yes_no(True), german.yes_no(0), german.yes_no("x")) == ("Ja", "Nein", "Ja")
    assert (german.janein(False), german.janein(None), german.janein("")) == ("Nein", "", "")


def test_start_of_day_is_berlin_midnight_in_utc():
    assert clock.start_of_day(dt.date(2026, 1, 15)) == dt.datetime(2026, 1, 14, 23, 0)
    assert clock.start_of_day(dt.date(2026, 7, 15)) == dt.datetime(2026, 7, 14, 22, 0)


def test_no_other_module_formats_german_dates_or_reads_the_wall_clock():
    """The rules of issue 13, checked on the source: formats here, time from clock.py."""
    date_format = re.compile(r"%d\.%m\.%Y")
    # utcnow() of models.base reads clock.now(); datetime.utcnow() would not
    wall_clock = re.compile(r"datetime\.now\(|date\.today\(|datetime\.utcnow\(|time\.time\(\)")
    offenders = []
    for path in sorted(SERVER.rglob("*")):
        if path.suffix not in (".py", ".html") or path.name in ("german.py", "clock.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#")[0]
            if date_format.search(code):
                offenders.append(f"{path.relative_to(SERVER)}:{number}: {line.strip()}")
            if path.suffix == ".py" and wall_clock.search(code):
                offenders.append(f"{path.relative_to(SERVER)}:{number}: {line.strip()}")
    assert offenders == []
