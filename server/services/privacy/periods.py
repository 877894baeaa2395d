"""Periods of the statistics and reports: from/to, a quarter, a year; and the one before.

A period is a span of whole Berlin days, ``start`` to ``end`` inclusive. Which date a
record counts by is the *counting date* (:class:`CountingDate`): by default the day it
was created (``created_at``, naive UTC in the database, cut at Berlin midnight – a case
opened at 00:30 on 1 April belongs to April, not to March as a UTC date would say), or a
declared date field of one of the workflow's forms (``form.field``, stored as
``YYYY-MM-DD``). The period before has the same number of days and ends the day before
(a quarter's is the previous quarter, a year's the previous year).

In the query string (so a link reproduces the page): ``zeitraum`` = ``quartal`` with
``quartal=2026-Q3``, ``jahr`` with ``jahr=2026``, ``frei`` with ``von``/``bis``
(``YYYY-MM-DD`` or ``TT.MM.JJJJ``); empty: all records, no period.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ... import clock
from ...german import date_text, parse_day
from ..errors import Invalid
from .dates import add_period

KINDS = ("", "quartal", "jahr", "frei")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class Period:
    """Whole Berlin days from ``start`` to ``end`` (both included)."""

    start: dt.date
    end: dt.date
    kind: str = "frei"  # quartal | jahr | frei: how the period before is formed

    @property
    def label(self) -> str:
        """„3. Quartal 2026“, „2026“ or „01.02.2026 – 15.03.2026“."""
        if self.kind == "quartal":
            return f"{(self.start.month - 1) // 3 + 1}. Quartal {self.start.year}"
        if self.kind == "jahr":
            return str(self.start.year)
        return f"{date_text(self.start)} – {date_text(self.end)}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period directly before, of the same length (a quarter, a year, or as many
        days)."""
        if self.kind == "quartal":
            return quarter(add_period(self.start, months=-3))
        if self.kind == "jahr":
            return year(self.start.year - 1)
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end, "frei")

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """``[from, to)`` as naive UTC: Berlin midnight of the first and of the day after
        the last day (how timestamps are stored)."""
        return clock.start_of_day(self.start), clock.start_of_day(self.end + dt.timedelta(days=1))

    def query(self) -> dict[str, str]:
        """The query parameters that give this period back (for links)."""
        if self.kind == "quartal":
            return {"zeitraum": "quartal", "quartal": quarter_key(self.start)}
        if self.kind == "jahr":
            return {"zeitraum": "jahr", "jahr": str(self.start.year)}
        return {"zeitraum": "frei", "von": self.start.isoformat(), "bis": self.end.isoformat()}


def quarter(day: dt.date) -> Period:
    """The quarter ``day`` lies in."""
    first = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return Period(first, add_period(first, months=3) - dt.timedelta(days=1), "quartal")


def year(number: int) -> Period:
    return Period(dt.date(number, 1, 1), dt.date(number, 12, 31), "jahr")


def quarter_key(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def default_period(name: str) -> Period | None:
    """A report's declared default: ``quarter``/``year`` (the last complete one),
    ``current_quarter``/``current_year`` (so far), ``all`` (None: no period)."""
    today = clock.today()
    if name == "quarter":
        return quarter(add_period(quarter(today).start, months=-3))
    if name == "current_quarter":
        return quarter(today)
    if name == "year":
        return year(today.year - 1)
    if name == "current_year":
        return year(today.year)
    return None


DEFAULT_NAMES = ("quarter", "year", "current_quarter", "current_year", "all")


def recent_quarters(count: int = 12) -> list[tuple[str, str]]:
    """(key, label) of the current quarter and the ``count - 1`` before it, newest first."""
    out, day = [], clock.today()
    for _ in range(count):
        q = quarter(day)
        out.append((quarter_key(q.start), q.label))
        day = q.start - dt.timedelta(days=1)
    return out


def recent_years(count: int = 6) -> list[int]:
    return [clock.today().year - n for n in range(count)]


def parse_period(args: Any, default: Period | None = None) -> Period | None:
    """The period the query ``args`` ask for (``default`` when they name none).

    Raises :class:`Invalid` with a German message naming the field when a value is wrong."""
    kind = (args.get("zeitraum") or "").strip()
    if kind not in KINDS:
        raise Invalid("Unbekannter Zeitraum.", {"zeitraum": ["Bitte einen Zeitraum wählen."]})
    if not kind:
        return None if "zeitraum" in args else default
    if kind == "quartal":
        match = _QUARTER.match((args.get("quartal") or "").strip())
        if not match:
            raise Invalid(
                "Das Quartal ist ungültig.",
                {"quartal": ["Bitte ein Quartal wählen, z. B. 2026-Q3."]},
            )
        return quarter(dt.date(int(match[1]), int(match[2]) * 3 - 2, 1))
    if kind == "jahr":
        text = (args.get("jahr") or "").strip()
        if not (text.isdigit() and 1900 <= int(text) <= 2999):
            raise Invalid("Das Jahr ist ungültig.", {"jahr": ["Bitte ein Jahr wählen."]})
        return year(int(text))
    start, end = parse_day(args.get("von") or ""), parse_day(args.get("bis") or "")
    errors: dict[str, list[str]] = {}
    if start is None:
        errors["von"] = ["Bitte ein Datum eingeben (TT.MM.JJJJ)."]
    if end is None:
        errors["bis"] = ["Bitte ein Datum eingeben (TT.MM.JJJJ)."]
    if start and end and end < start:
        errors["bis"] = ["„Bis“ darf nicht vor „Von“ liegen."]
    if errors:
        raise Invalid("Der Zeitraum ist ungültig.", errors)
    return Period(start, end, "frei")


@dataclass(frozen=True)
class CountingDate:
    """Which date a record counts by: ``created`` or a date field ``form.field``."""

    key: str = "created"

    def sql(self, sqlite: bool, prefix: str, period: Period) -> tuple[str, list[Any]]:
        """A condition on the record table (columns as ``prefix`` + name) that keeps the
        records whose counting date lies in ``period``: ``(sql, params)``."""
        if self.key == "created":
            low, high = period.bounds()
            if sqlite:  # peewee stores "YYYY-MM-DD HH:MM:SS[.ffffff]": text order is time order
                low_text, high_text = (m.strftime("%Y-%m-%d %H:%M:%S") for m in (low, high))
                return f"{prefix}created_at >= ? AND {prefix}created_at < ?", [low_text, high_text]
            return f"{prefix}created_at >= %s AND {prefix}created_at < %s", [low, high]
        form_id, name = self.key.split(".")
        # a date field holds "YYYY-MM-DD": text order is date order, and the day is the day
        days = [period.start.isoformat(), period.end.isoformat()]
        if sqlite:
            path = '$."' + form_id.replace('"', "") + '"."' + name.replace('"', "") + '"'
            return f"{prefix}data ->> ? BETWEEN ? AND ?", [path, *days]
        return f"CAST({prefix}data AS jsonb) -> %s ->> %s BETWEEN %s AND %s", [
            form_id,
            name,
            *days,
        ]

    def buckets_sql(
        self, sqlite: bool, prefix: str, periods: Sequence[Period]
    ) -> tuple[tuple[str, list[Any]], tuple[str, list[Any]]]:
        """Several periods counted in one statement: ``((case, params), (condition,
        params))`` – ``case`` gives the index in ``periods`` of the period a record's
        counting date lies in (NULL in none), ``condition`` keeps the records from the first
        day of the earliest to the last of the latest (one index range, not one per period)."""
        cases, params = [], []
        for i, period in enumerate(periods):
            condition, values = self.sql(sqlite, prefix, period)
            cases.append(f"WHEN {condition} THEN {i}")
            params += values
        span = Period(min(p.start for p in periods), max(p.end for p in periods))
        return (f"CASE {' '.join(cases)} END", params), self.sql(sqlite, prefix, span)
