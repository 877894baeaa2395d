"""Types with a range: ``integer``, ``decimal`` and ``date`` (``min``/``max``)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from ... import clock
from ...german import date_text
from ...german import number as german_number
from ..checking import kind
from .base import FieldError, FieldType, is_empty, quoted
from .template_data import VALUE, Shape

RANGE_KEYS = ("min", "max")


def read_date(value: Any) -> dt.date | str | None:
    """A date limit or default: a TOML date, an ISO date string, or "today"."""
    if isinstance(value, dt.datetime):
        return None  # a time of day has no meaning for a date field
    if isinstance(value, dt.date):
        return value
    if value == "today":
        return "today"
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _number(limit: Any, fallback: Any, kind_: type) -> Any:
    if isinstance(limit, (int, float, str)) and not isinstance(limit, bool):
        try:
            return kind_(str(limit)) if kind_ is Decimal else kind_(limit)
        except (ValueError, InvalidOperation):
            pass
    return fallback


class RangeType(FieldType):
    """A type whose values are ordered: ``min``/``max`` limits, read by :meth:`read_limit`."""

    keys = RANGE_KEYS
    #: "eine ganze Zahl" etc.: what a limit or default must be
    expected = ""

    def read_limit(self, value: Any) -> Any:
        """A TOML limit or default as a comparable value, or None when it is not one."""
        raise NotImplementedError

    def read_keys(self, c, table, keypath, where):
        values = {}
        for key in RANGE_KEYS:
            values[key] = None
            if key in table:
                values[key] = self.read_limit(table[key])
                if values[key] is None:
                    c.add(keypath + (key,), f"{where}„{key}“ muss {self.expected} sein, "
                          f"nicht {kind(table[key])}")  # fmt: skip
        c.ordered(keypath, where, "min", values["min"], "max", values["max"])
        return values

    def read_default(self, c, value, at, where, values):
        parsed = self.read_limit(value)
        if parsed is None:
            c.add(at, f"{where}„default“ muss {self.expected} sein, nicht {kind(value)}")
            return None
        if parsed != "today":
            for key, outside in (
                ("min", lambda lim: parsed < lim),
                ("max", lambda lim: parsed > lim),
            ):
                limit = values[key]
                if limit is not None and limit != "today" and outside(limit):
                    c.add(at, f"{where}„default“ liegt außerhalb von „{key}“")
        return parsed

    def bound(self, limit: Any) -> Any:
        """A min/max limit as a comparable value of this type."""
        return limit

    def range_constraints(self, field, value: Any, fmt=str) -> list[str]:
        out = []
        low = None if field.min is None else self.bound(field.min)
        high = None if field.max is None else self.bound(field.max)
        if low is not None and value < low:
            out.append(f"{quoted(field)}: mindestens {fmt(low)}.")
        if high is not None and value > high:
            out.append(f"{quoted(field)}: höchstens {fmt(high)}.")
        return out


class IntegerType(RangeType):
    name = "integer"
    label = "Ganze Zahl"
    explanation = "Eine ganze Zahl, z. B. eine Anzahl; Mindest- und Höchstwert einstellbar."
    expected = "eine ganze Zahl"
    input_kind = "number"

    def read_limit(self, value):
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def clean(self, field, raw):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, bool):
            raise FieldError(f"{quoted(field)}: Bitte eine ganze Zahl eingeben.")
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, str):
            text = raw.strip()
            if not re.fullmatch(r"[-+]?\d{1,18}", text):
                raise FieldError(f"{quoted(field)}: Bitte eine ganze Zahl eingeben.")
            raw = int(text)
        if not isinstance(raw, int) or abs(raw) >= 10**18:
            raise FieldError(f"{quoted(field)}: Bitte eine ganze Zahl eingeben.")
        return raw

    def constraints(self, field, value):
        return self.range_constraints(field, value)

    def input_attributes(self, field):
        attrs: dict[str, Any] = {"step": 1}
        if field.min is not None:
            attrs["min"] = field.min
        if field.max is not None:
            attrs["max"] = field.max
        return {**attrs, **super().input_attributes(field)}

    def api_schema(self, field=None):
        return {"type": ["integer", "null"]}

    def sample(self, field, high):
        return _number(field.max, 100, int) if high else _number(field.min, 0, int)


class DecimalType(RangeType):
    name = "decimal"
    label = "Dezimalzahl"
    explanation = "Eine Zahl mit Nachkommastellen, z. B. ein Betrag (Eingabe deutsch: 1.234,56)."
    expected = "eine Zahl"

    def read_limit(self, value):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return value if ok else None

    def bound(self, limit):
        return Decimal(str(limit))

    def clean(self, field, raw):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise FieldError(f"{quoted(field)}: Bitte eine Zahl eingeben.")
        text = str(raw).strip()
        if isinstance(raw, str) and "," in text:
            # German input: 1.234,56
            text = text.replace(".", "").replace(",", ".")
        if not re.fullmatch(r"[-+]?(\d{1,18}(\.\d{0,10})?|\.\d{1,10})", text):
            raise FieldError(f"{quoted(field)}: Bitte eine Zahl eingeben, z. B. 12,50.")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise FieldError(f"{quoted(field)}: Bitte eine Zahl eingeben.") from None
        return format(number.normalize(), "f") if number != 0 else "0"

    def constraints(self, field, value):
        return self.range_constraints(field, Decimal(value), german_number)

    def to_python(self, field, value):
        return None if value is None else Decimal(value)

    def display(self, field, value, lookup=None):
        return "" if is_empty(value) else german_number(Decimal(value))

    def input_value(self, field, value):
        return "" if is_empty(value) else german_number(Decimal(value), grouping=False)

    def input_attributes(self, field):
        return {"inputmode": "decimal", **super().input_attributes(field)}

    def api_schema(self, field=None):
        return {"type": ["string", "number", "null"], "example": "12.5"}

    def sample(self, field, high):
        if high:
            return _number(field.max, Decimal("100.5"), Decimal)
        return _number(field.min, Decimal(0), Decimal)


class DateType(RangeType):
    name = "date"
    label = "Datum"
    explanation = 'Ein Kalendertag (TT.MM.JJJJ); Grenzen auch als "today" (heute).'
    expected = 'ein Datum (2024-12-31, "2024-12-31" oder "today")'
    input_kind = "date"

    def read_limit(self, value):
        return read_date(value)

    def read_keys(self, c, table, keypath, where):
        # the limit message names the forms a date may be written in
        values = {}
        for key in RANGE_KEYS:
            values[key] = None
            if key in table:
                values[key] = read_date(table[key])
                if values[key] is None:
                    c.add(keypath + (key,), f'{where}„{key}“ muss ein Datum sein (2024-12-31, '
                          f'"2024-12-31" oder "today"), nicht {kind(table[key])}')  # fmt: skip
        c.ordered(keypath, where, "min", values["min"], "max", values["max"])
        return values

    def bound(self, limit):
        if limit == "today":
            return clock.today()
        if isinstance(limit, dt.date):
            return limit
        return dt.date.fromisoformat(str(limit))

    def default_value(self, field):
        default = clock.today() if field.default == "today" else field.default
        return default.isoformat() if isinstance(default, dt.date) else default

    def clean(self, field, raw):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if not isinstance(raw, str):
            raise FieldError(f"{quoted(field)}: Bitte ein Datum eingeben (TT.MM.JJJJ).")
        text = raw.strip()
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
        try:
            if match:
                day, month, year = (int(g) for g in match.groups())
                value = dt.date(year, month, day)
            elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                value = dt.date.fromisoformat(text)
            else:
                raise ValueError(text)
        except ValueError:
            raise FieldError(
                f"{quoted(field)}: „{text[:40]}“ ist kein gültiges Datum (TT.MM.JJJJ)."
            ) from None
        return value.isoformat()

    def constraints(self, field, value):
        return self.range_constraints(field, dt.date.fromisoformat(value), date_text)

    def to_python(self, field, value):
        return None if value is None else dt.date.fromisoformat(value)

    def display(self, field, value, lookup=None):
        if is_empty(value):
            return ""
        try:
            return date_text(dt.date.fromisoformat(value))
        except (TypeError, ValueError):
            # a value written around the form (a bulk load, an old import) is shown as it
            # is: the page, the search index and anonymisation must not fail on it
            return str(value)

    def template_shape(self, field, path):
        members = dict.fromkeys(("year", "month", "day"), VALUE)
        return Shape("value", f"„{path}“", members, type="date")

    def api_schema(self, field=None):
        return {"type": ["string", "null"], "format": "date", "example": "2026-03-02"}

    def sample(self, field, high):
        return clock.today() if high else dt.date(2000, 1, 1)
