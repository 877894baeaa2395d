"""Reading the dates people type (``2026-03-02`` or ``02.03.2026``) and adding periods."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any


def parse_day(raw: Any) -> dt.date | None:
    """A date from ``YYYY-MM-DD`` or ``TT.MM.JJJJ`` (a ``date`` passes through); else None."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if not isinstance(raw, str):
        return None
    text = raw.strip()[:20]
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def add_period(day: dt.date, years: int = 0, months: int = 0, days: int = 0) -> dt.date:
    """``day`` plus a period; the 31st plus a month is the last day of the shorter month."""
    month_index = day.month - 1 + months + 12 * years
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last)) + dt.timedelta(days=days)


def german(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""
