"""The one place Verbund asks what day and time it is, so tests can freeze the clock.

Dates that people see and plan by (deadlines, retention) are local to Europe/Berlin;
timestamps in the database are naive UTC (see models.base.utcnow).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/Berlin")

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """Now, timezone-aware in UTC (or the frozen moment)."""
    return _frozen if _frozen is not None else dt.datetime.now(dt.UTC)


def wall_now() -> dt.datetime:
    """The real time, never frozen, in UTC: only to compare with times another program wrote
    (an RQ worker's heartbeat), which a frozen test clock would make nonsense of."""
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's date in Berlin."""
    return now().astimezone(LOCAL_ZONE).date()


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight in Berlin at the start of ``day``, as naive UTC (how the database stores time)."""
    local = dt.datetime.combine(day, dt.time(), LOCAL_ZONE)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def local_date(moment: dt.datetime) -> dt.date:
    """The Berlin date of a naive UTC timestamp from the database."""
    return moment.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE).date()


def frozen_at() -> dt.datetime | None:
    """The frozen moment, or None while the clock runs (to restore it after a freeze)."""
    return _frozen


def freeze(moment: dt.datetime | dt.date | None) -> None:
    """Tests: make ``now()`` return ``moment`` (a date means noon Berlin time); None unfreezes."""
    global _frozen
    if moment is None:
        _frozen = None
    elif isinstance(moment, dt.datetime):
        _frozen = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    else:
        _frozen = dt.datetime.combine(moment, dt.time(12), LOCAL_ZONE).astimezone(dt.UTC)
