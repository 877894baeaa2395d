"""Times of day and moments: ``time`` (``14:30``) and ``datetime`` (stored in UTC, shown and
entered in Berlin time).

Both keep their value as text that sorts like the times it stands for, and expressions see
that text: ``meeting.start_time < "12:00"``, ``a.termin < b.termin``. The browser
(``verbund-input.js``) cleans input the same way, so a condition means the same on both sides.

Berlin's clock changes twice a year; a local time is turned into UTC like this (documented in
docs/configuration.md): a time that does not exist (the hour skipped in March) is refused
with a German message naming the next valid time; a time that happens twice (the hour
repeated in October) is the first one, summer time (MESZ), unless the input says ``MEZ``
(or gives an offset, as the API may). A value in the repeated hour's second half is put
into the form as text with ``MEZ``, so saving the form again never moves it by an hour.
"""

from __future__ import annotations

import datetime as dt
import re

from ...clock import LOCAL_ZONE
from ...german import date_text
from ..checking import kind
from .base import FieldError, FieldType, is_empty, quoted
from .template_data import VALUE, Moment, Shape, moment_text

_TIME = re.compile(r"(\d{1,2})(?:[:.](\d{2})(?::(\d{2}))?)?(?:\s*Uhr)?", re.ASCII)
_GERMAN_MOMENT = re.compile(
    r"(\d{1,2})\.(\d{1,2})\.(\d{4}),?\s+(\d{1,2})[:.](\d{2})(?::(\d{2}))?(?:\s*Uhr)?"
    r"(?:\s*(MESZ|MEZ))?",
    re.ASCII | re.IGNORECASE,
)
_ISO_LOCAL = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?", re.ASCII)
_ISO_ZONED = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
)
_HH_MM = re.compile(r"\d{2}:\d{2}", re.ASCII)
_INPUT_LOCAL = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", re.ASCII)
ZONE_NAMES = {"MESZ": dt.timedelta(hours=2), "MEZ": dt.timedelta(hours=1)}
# Berlin had summer time (and in 1945/47 double summer time) in changing forms before 1980;
# the browser mirrors offsets of +1, +2 and +3 hours, so the years are bounded
FIRST_YEAR, LAST_YEAR = 1900, 2199


def clean_time(text: str) -> str | None:
    """``14:30``, ``9.05``, ``14 Uhr``, ``14:30:00`` -> ``"14:30"``; None if it is no time."""
    match = _TIME.fullmatch(text.strip())
    if not match:
        return None
    hour, minute, second = match.groups()
    if minute is None and "Uhr" not in text:
        return None  # a bare number is no time
    if int(hour) > 23 or int(minute or 0) > 59 or (second is not None and int(second) != 0):
        return None
    return f"{int(hour):02d}:{int(minute or 0):02d}"


class TimeType(FieldType):
    name = "time"
    label = "Uhrzeit"
    explanation = (
        "Eine Uhrzeit (14:30), z. B. Beginn und Ende einer Sitzung; gespeichert als HH:MM."
    )
    input_kind = "time"

    def read_default(self, c, value, at, where, values):
        if isinstance(value, dt.time):
            return f"{value.hour:02d}:{value.minute:02d}"
        if isinstance(value, str) and clean_time(value):
            return clean_time(value)
        c.add(at, f'{where}„default“ muss eine Uhrzeit sein (14:30 oder "14:30"), '
              f"nicht {kind(value)}")  # fmt: skip
        return None

    def clean(self, field, raw):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if not isinstance(raw, str):
            raise FieldError(f"{quoted(field)}: Bitte eine Uhrzeit eingeben (SS:MM).")
        value = clean_time(raw)
        if value is None:
            raise FieldError(
                f"{quoted(field)}: „{raw.strip()[:40]}“ ist keine gültige Uhrzeit "
                "(SS:MM, z. B. 14:30)."
            )
        return value

    def to_python(self, field, value):
        # text sorts like the time; values saved as text before ("9:30") are normalised
        if value is None:
            return None
        return clean_time(value) or value if isinstance(value, str) else value

    def display(self, field, value, lookup=None):
        if is_empty(value):
            return ""
        normal = clean_time(value) if isinstance(value, str) else None
        return f"{normal} Uhr" if normal else str(value)

    def input_value(self, field, value):
        if is_empty(value):
            return ""
        return (clean_time(value) if isinstance(value, str) else None) or str(value)

    def input_type(self, field, value):
        # an input-ready value that is no HH:MM (saved as text before, or typed and refused)
        # goes into a text input: a time input would show, and on saving send, nothing
        return self.input_kind if not value or _HH_MM.fullmatch(str(value)) else "text"

    def template_value(self, field, value):
        return self.to_python(field, value) if value is not None else None

    def template_shape(self, field, path):
        return Shape("value", f"„{path}“", type="time")

    def sample(self, field, high):
        return "23:59" if high else "00:00"

    def api_schema(self, field=None):
        return {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
                "example": "14:30"}  # fmt: skip


def utc_text(moment: dt.datetime) -> str:
    """An aware moment as stored: ``2026-03-02T13:05:00Z``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def berlin(stored: str) -> dt.datetime:
    """A stored UTC value as Berlin local time (aware); raises ValueError if it is none."""
    if not _ISO_ZONED.fullmatch(stored):
        raise ValueError(stored)
    return dt.datetime.fromisoformat(stored).astimezone(LOCAL_ZONE)


def from_local(field, wall: dt.datetime, zone: str | None = None) -> dt.datetime:
    """Berlin wall-clock time (naive) to an aware moment, by the rules of the module."""
    first = wall.replace(tzinfo=LOCAL_ZONE, fold=0)
    second = wall.replace(tzinfo=LOCAL_ZONE, fold=1)
    if first.astimezone(dt.UTC).astimezone(LOCAL_ZONE).replace(tzinfo=None) != wall:
        later = first.astimezone(dt.UTC).astimezone(LOCAL_ZONE)
        raise FieldError(
            f"{quoted(field)}: Den {date_text(wall)}, {wall:%H:%M} Uhr gibt es in Berlin "
            f"nicht – die Uhr springt in dieser Nacht auf Sommerzeit vor. Gemeint ist "
            f"wohl {later:%H:%M} Uhr."
        )
    if zone is None:
        return first  # the doubled hour: the first, summer time (MESZ)
    for moment in (first, second):
        if moment.utcoffset() == ZONE_NAMES[zone]:
            return moment
    raise FieldError(
        f"{quoted(field)}: Am {date_text(wall)} um {wall:%H:%M} Uhr gilt in Berlin nicht "
        f"{zone}; bitte die Angabe „{zone}“ weglassen."
    )


class DateTimeType(FieldType):
    name = "datetime"
    label = "Zeitpunkt"
    explanation = (
        "Datum mit Uhrzeit (TT.MM.JJJJ SS:MM, Berliner Zeit), z. B. ein Termin; gespeichert in UTC."
    )
    input_kind = "datetime-local"
    takes_default = False  # a fixed moment as default makes no sense in a form

    def clean(self, field, raw):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        example = "(TT.MM.JJJJ SS:MM, z. B. 02.03.2026 14:30)"
        if not isinstance(raw, str):
            raise FieldError(f"{quoted(field)}: Bitte Datum und Uhrzeit eingeben {example}.")
        text = raw.strip()
        refused = FieldError(
            f"{quoted(field)}: „{text[:40]}“ ist kein gültiger Zeitpunkt {example}."
        )
        try:
            if _ISO_ZONED.fullmatch(text):
                moment = dt.datetime.fromisoformat(text.replace(" ", "T"))
            elif match := _ISO_LOCAL.fullmatch(text):
                year, month, day, hour, minute, second = match.groups()
                moment = self._local(field, year, month, day, hour, minute, second, None)
            elif match := _GERMAN_MOMENT.fullmatch(text):
                day, month, year, hour, minute, second, zone = match.groups()
                moment = self._local(field, year, month, day, hour, minute, second,
                                     zone.upper() if zone else None)  # fmt: skip
            else:
                raise refused
            if not FIRST_YEAR <= moment.astimezone(LOCAL_ZONE).year <= LAST_YEAR:
                raise FieldError(
                    f"{quoted(field)}: Bitte einen Zeitpunkt zwischen {FIRST_YEAR} und "
                    f"{LAST_YEAR} eingeben."
                )
        except FieldError:
            raise
        except (ValueError, OverflowError):  # no such day (31.02.), or out of range
            raise refused from None
        return utc_text(moment.replace(microsecond=0))

    def _local(self, field, year, month, day, hour, minute, second, zone) -> dt.datetime:
        wall = dt.datetime(int(year), int(month), int(day), int(hour), int(minute),
                           int(second or 0))  # fmt: skip
        if not FIRST_YEAR <= wall.year <= LAST_YEAR:
            raise FieldError(
                f"{quoted(field)}: Bitte einen Zeitpunkt zwischen {FIRST_YEAR} und "
                f"{LAST_YEAR} eingeben."
            )
        return from_local(field, wall, zone)

    def to_python(self, field, value):
        # the stored UTC text: it sorts like the moments, and the browser can mirror it
        return value

    def display(self, field, value, lookup=None):
        if is_empty(value):
            return ""
        try:
            return moment_text(berlin(value))
        except (TypeError, ValueError):
            return str(value)

    def input_value(self, field, value):
        if is_empty(value):
            return ""
        try:
            local = berlin(value)
        except (TypeError, ValueError):
            return str(value)
        if local.fold:
            return moment_text(local)  # "25.10.2026 02:30 MEZ": the second 02:30
        return local.strftime("%Y-%m-%dT%H:%M" + (":%S" if local.second else ""))

    def input_type(self, field, value):
        # input_value gives the repeated hour's second half (and anything typed and refused)
        # as text: a datetime-local input could not hold it
        return self.input_kind if not value or _INPUT_LOCAL.fullmatch(str(value)) else "text"

    def template_value(self, field, value):
        if value is None:
            return None
        try:
            local = berlin(value)
        except (TypeError, ValueError):
            return value
        return Moment(local.year, local.month, local.day, local.hour, local.minute,
                      local.second, tzinfo=LOCAL_ZONE, fold=local.fold)  # fmt: skip

    def template_shape(self, field, path):
        members = dict.fromkeys(("year", "month", "day", "hour", "minute"), VALUE)
        return Shape("value", f"„{path}“", members, type="datetime")

    def sample(self, field, high):
        return "2199-12-31T22:59:00Z" if high else "1900-01-01T00:00:00Z"

    def api_schema(self, field=None):
        return {
            "type": "string",
            "format": "date-time",
            "description": "gelesen in UTC (…Z); geschrieben mit Zeitzone, ohne sie gilt "
            "Berliner Zeit",
            "example": "2026-03-02T13:30:00Z",
        }
