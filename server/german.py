"""German formats, the one home for them: dates, times in Berlin, numbers, euros, Ja/Nein.

Screens, form values, Word templates (see documents/filters.py), exports and privacy texts
all print through these functions, and read the dates people type with them, so a date looks
the same everywhere (``02.03.2026``). The bottom layer: only the standard library and
:mod:`server.clock` (which owns the time zone), so every package may import it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from .clock import LOCAL_ZONE

MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)

# ---- dates and times ------------------------------------------------------------------


def date_text(day: dt.date | None) -> str:
    """``02.03.2026``; empty for None. A datetime prints its date only."""
    if day is None:
        return ""
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"


def day_text(value: Any) -> str:
    """A date (or ``YYYY-MM-DD`` text) as people read it on the screens: ``02.03.2026``.

    Text that is no date is shown as it is; None as nothing.
    """
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.date):
        return date_text(value)
    return "" if value is None else str(value)


def local_time(value: dt.datetime | None, seconds: bool = False) -> str:
    """A moment as Berlin local time: ``02.03.2026 14:05`` (``:SS`` with ``seconds``).

    A naive value is UTC, as every timestamp in the database is (models.base.utcnow).
    """
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(LOCAL_ZONE)
    text = f"{date_text(local)} {local.hour:02d}:{local.minute:02d}"
    return f"{text}:{local.second:02d}" if seconds else text


def file_stamp(value: dt.datetime, minutes: bool = True) -> str:
    """A moment for a download's file name, in Berlin local time: ``20261202-2135``
    (``20261202`` without ``minutes``).

    The name must match the time the screen shows beside the file (:func:`local_time`);
    in UTC a document made at 00:30 in Berlin would carry the day before. A naive value
    is UTC, as every timestamp in the database is.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(LOCAL_ZONE)
    return local.strftime("%Y%m%d-%H%M" if minutes else "%Y%m%d")


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


_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,]+(\d{1,2}):(\d{2}))?")


def parse_date(value: Any) -> dt.date | dt.datetime | None:
    """A date or datetime from a value, ISO text or German text; None if it is none of them."""
    if isinstance(value, dt.datetime | dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _GERMAN_DATE.fullmatch(text)
    try:
        if match:
            day, month, year, hour, minute = match.groups()
            if hour is not None:
                return dt.datetime(int(year), int(month), int(day), int(hour), int(minute))
            return dt.date(int(year), int(month), int(day))
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def datum(value: Any, form: str = "kurz") -> Any:
    """A date as ``dd.mm.yyyy``; ``"lang"``: ``2. März 2026``; ``"zeit"``: with the time.

    Empty for an empty value; a value that is no date is returned unchanged (a Word
    template never fails because of data).
    """
    if _empty(value):
        return ""
    parsed = parse_date(value)
    if parsed is None:
        return value
    if form == "lang":
        return f"{parsed.day}. {MONTHS[parsed.month - 1]} {parsed.year}"
    if form == "zeit" and isinstance(parsed, dt.datetime):
        return f"{date_text(parsed)} {parsed.hour:02d}:{parsed.minute:02d}"
    return date_text(parsed)


# ---- numbers --------------------------------------------------------------------------


def _swap_separators(text: str) -> str:
    """``1,234.5`` (Python's grouping) -> ``1.234,5``."""
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def number(value: Decimal | int, grouping: bool = True) -> str:
    """``1234.5`` -> ``1.234,5``; without ``grouping`` ``1234,5`` (what an input shows).

    Decimals print every digit they hold (``2.50`` stays ``2,50``); see :func:`zahl` for a
    fixed number of decimals.
    """
    if isinstance(value, int):
        return _swap_separators(f"{value:,}" if grouping else str(value))
    return _swap_separators(f"{value:,f}" if grouping else f"{value:f}")


def _decimal(value: Any) -> Decimal | None:
    """A finite Decimal from a number or (ISO or German) text; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, str):
        text = value.strip()
        if "," in text:  # already German: 1.234,5
            text = text.replace(".", "").replace(",", ".")
        try:
            parsed = Decimal(text)
        except InvalidOperation:
            return None
        return parsed if parsed.is_finite() else None
    return None


def zahl(value: Any, stellen: int | None = None) -> Any:
    """A number with decimal comma and thousands points; ``stellen`` fixes the decimals.

    Without ``stellen`` trailing zeros go (``2.50`` -> ``2,5``). Empty for an empty value; a
    value that is no number is returned unchanged.
    """
    if _empty(value):
        return ""
    parsed = _decimal(value)
    if parsed is None:
        return value
    if isinstance(stellen, int) and not isinstance(stellen, bool) and 0 <= stellen <= 10:
        parsed = parsed.quantize(Decimal(1).scaleb(-stellen), rounding=ROUND_HALF_UP)
        return _swap_separators(f"{parsed:,.{stellen}f}")
    if parsed == parsed.to_integral_value():
        return number(parsed.to_integral_value())
    return number(parsed.normalize())


def euro(value: Any) -> Any:
    """An amount of money: two decimals and the euro sign, ``1.234,50 €``."""
    text = zahl(value, 2)
    if text == "" or _decimal(value) is None:
        return text
    return f"{text}\u00a0€"


def megabytes(size: int) -> str:
    """Bytes as megabytes with one decimal: ``1,5 MB`` (limits in messages)."""
    return f"{size / (1024 * 1024):.1f}".replace(".", ",") + " MB"


# ---- yes / no -------------------------------------------------------------------------


def yes_no(value: Any) -> str:
    """``Ja`` or ``Nein`` by truth."""
    return "Ja" if value else "Nein"


def janein(value: Any) -> str:
    """``Ja`` or ``Nein``; empty for a value never entered (None or empty text)."""
    if value is None or value == "":
        return ""
    return yes_no(value)
