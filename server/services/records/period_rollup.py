"""Old creation days of ``record_period_tally`` folded into Berlin months (issue 21).

The period tally counts records by creation bucket: the UTC day, 22:00 and 23:00 UTC as
buckets of their own, so any period of Berlin days is a whole number of buckets. That makes
a year three buckets a day for every state and organisation: at a million cases 42,500 rows
to sum for the coordination's figures of the year, growing with the days the office has
worked. Most periods asked for are whole months (a year, a half-year, a quarter, a month),
so when the tally is compacted (:func:`.tally_fold.compact`), the buckets of every month that
has ended become one row per key for the month: 12 rows a year instead of ~1,000.

A month's row carries the month's start (Berlin midnight, as naive UTC) plus one second:
no day bucket ever has seconds, so the row says itself that it is a month, and it falls
inside the month for every ``[from, to)`` of whole months. A period with a bound inside a
folded month (``from`` the 15th) cannot be answered from the tally any more;
the reader (:mod:`server.services.privacy.tallied`) looks up the month's row and then
counts the records. Deltas a
trigger appends later for an old record (a state change) keep their day bucket until the
next compaction folds them too: a sum over whole months counts them either way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from ... import clock

MONTH_MARK = dt.timedelta(seconds=1)  # a month's row: its start plus this


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def month_start(year: int, month: int) -> dt.datetime:
    """Berlin midnight of the first of ``month`` as naive UTC (how buckets are stored)."""
    return _naive_utc(dt.datetime(year, month, 1, tzinfo=clock.LOCAL_ZONE))


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC).astimezone(clock.LOCAL_ZONE)


def _next(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def is_month_start(moment: dt.datetime) -> bool:
    """Whether the naive UTC ``moment`` is Berlin midnight of a month's first day."""
    local = _local(moment)
    return local.day == 1 and local.time() == dt.time(0)


def month_mark(moment: dt.datetime) -> dt.datetime:
    """The bucket of the folded row of the Berlin month that holds naive UTC ``moment``."""
    local = _local(moment)
    return month_start(local.year, local.month) + MONTH_MARK


def horizon(today: dt.date | None = None) -> dt.datetime:
    """Months that begin before this (naive UTC) are folded: the start of the current
    month. The periods the pages offer are whole months; a stretch of days chosen on the
    statistics page that reaches into a past month is counted from the records (at a
    million cases a month is ~40,000 of them, one index range)."""
    today = today or clock.today()
    return month_start(today.year, today.month)


def months_to_fold(utc_months: Iterable[str], until: dt.datetime) -> list[tuple]:
    """``(from, to, mark)`` (naive UTC) of the Berlin months that can hold the buckets of
    the UTC months ``utc_months`` (``YYYY-MM``: the month itself, and the next one for its
    last evening) and begin before ``until``, in order. Only months with buckets: a record
    dated 1900 by an import adds one month to fold, not 1,500."""
    months = set()
    for text in utc_months:
        year, month = int(text[:4]), int(text[5:7])
        months.update({(year, month), _next(year, month)})
    out = []
    for year, month in sorted(months):
        start = month_start(year, month)
        if start < until:
            out.append((start, month_start(*_next(year, month)), start + MONTH_MARK))
    return out


def folded_bucket_sql(months: Sequence[tuple], column: str, mark: str) -> tuple[str, list]:
    """SQL giving the bucket a row of ``column`` is folded to: the mark of its month among
    ``months``, or itself (a later day, or a month not listed: a delta that arrived after
    the months were read stays a day until the next compaction); with the parameters
    (``mark``: "?" or "%s")."""
    if not months:
        return column, []
    whens = " ".join(f"WHEN {column} >= {mark} AND {column} < {mark} THEN {mark}" for _ in months)
    params: list = []
    for start, following, tag in months:
        params += [start, following, tag]
    return f"CASE {whens} ELSE {column} END", params
