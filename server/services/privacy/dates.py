"""Adding periods to dates (retention). Reading and printing dates: :mod:`server.german`."""

from __future__ import annotations

import calendar
import datetime as dt


def add_period(day: dt.date, years: int = 0, months: int = 0, days: int = 0) -> dt.date:
    """``day`` plus a period; the 31st plus a month is the last day of the shorter month."""
    month_index = day.month - 1 + months + 12 * years
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last)) + dt.timedelta(days=days)
