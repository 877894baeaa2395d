"""Field types: one class per type, found through :data:`REGISTRY`.

A type turns raw input into a *clean* value and checks the field's constraints. Clean values
are JSON-compatible (dates as ``YYYY-MM-DD``, decimals as strings, multiselects as lists, tables
as lists of dicts), so they are stored and served as they are. ``to_python`` gives the typed
value expressions and Word templates compute with. Input comes from JSON (the API) or from an
HTML form (the screens); both paths end in the same ``clean`` so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import regex

from .. import clock
from ..german import date_text, yes_no
from ..german import number as german_number
from ..schema.definitions import FieldDef

log = logging.getLogger(__name__)

REGISTRY: dict[str, FieldType] = {}

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_TEXT = 100_000  # no single value may exceed this, whatever the form says
# A form's ``pattern`` is written by an administrator and may backtrack catastrophically on
# some input; matched with this limit, one save can never hold a web process for long.
PATTERN_SECONDS = 0.2


class FieldError(ValueError):
    """Raw input that cannot become a value of the field's type; the message is German."""


def register(cls: type[FieldType]) -> type[FieldType]:
    """Class decorator: make a field type available under its ``name``."""
    REGISTRY[cls.name] = cls()
    return cls


def field_type(name: str) -> FieldType:
    """The type called ``name`` (schema validation guarantees it exists)."""
    return REGISTRY[name]


def quoted(field: FieldDef) -> str:
    return f"„{field.label}“"


def count(number: int, one: str, many: str) -> str:
    """``count(1, "Zeile", "Zeilen")`` -> "1 Zeile", ``count(3, ...)`` -> "3 Zeilen"."""
    return f"{number} {one if number == 1 else many}"


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


class FieldType:
    """Base class. Subclasses set ``name`` and override what differs."""

    name = ""
    empty: Any = None

    def empty_value(self) -> Any:
        """The value of an unfilled field (a fresh list for list types)."""
        return list(self.empty) if isinstance(self.empty, list) else self.empty

    def clean(self, field: FieldDef, raw: Any) -> Any:
        """Raw input (JSON value or form string) to a clean value; raises FieldError."""
        raise NotImplementedError

    def from_formdata(self, field: FieldDef, formdata: Any, key: str) -> Any:
        """The raw value of this field in a submitted HTML form (a MultiDict)."""
        return formdata.get(key, "")

    def constraints(self, field: FieldDef, value: Any) -> list[str]:
        """Messages for every constraint a non-empty clean value breaks."""
        return []

    def resolve(self, field: FieldDef, value: Any, links: Any) -> Any:
        """A non-empty clean value checked against the database through ``links``
        (:class:`server.forms.links.Links`); raises FieldError. Most types need nothing."""
        return value

    def to_python(self, field: FieldDef, value: Any) -> Any:
        """The typed value for expressions and templates."""
        return value

    def display(self, field: FieldDef, value: Any) -> str:
        """The value as a person reads it (German formats, labels instead of values)."""
        if is_empty(value):
            return ""
        return str(value)


def _text_input(field: FieldDef, raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise FieldError(f"{quoted(field)}: Bitte einen Text eingeben.")
    text = str(raw)
    if "\x00" in text:
        raise FieldError(f"{quoted(field)}: Der Text enthält ein unzulässiges Nullzeichen.")
    if len(text) > MAX_TEXT:
        raise FieldError(f"{quoted(field)}: Der Text ist zu lang (höchstens {MAX_TEXT} Zeichen).")
    return text


def _length_constraints(field: FieldDef, value: str) -> list[str]:
    out = []
    if field.min_length is not None and len(value) < field.min_length:
        out.append(f"{quoted(field)}: mindestens {field.min_length} Zeichen.")
    if field.max_length is not None and len(value) > field.max_length:
        out.append(f"{quoted(field)}: höchstens {field.max_length} Zeichen.")
    if field.pattern and not out:
        out += _pattern_problems(field, value)
    return out


def _pattern_problems(field: FieldDef, value: str) -> list[str]:
    try:
        found = regex.fullmatch(field.pattern, value, timeout=PATTERN_SECONDS)
    except TimeoutError:
        log.warning("pattern of field %s took longer than %ss; simplify it", field.name,
                    PATTERN_SECONDS)  # fmt: skip
        return [
            f"{quoted(field)}: Die Eingabe ließ sich nicht rechtzeitig gegen das verlangte "
            "Format prüfen. Bitte kürzer fassen; die Administration sollte das Muster "
            "vereinfachen."
        ]
    return [] if found else [f"{quoted(field)}: Die Eingabe hat nicht das verlangte Format."]


@register
class TextType(FieldType):
    name = "text"

    def clean(self, field, raw):
        text = _text_input(field, raw).strip()
        if "\n" in text or "\r" in text:
            text = " ".join(text.split())
        return text or None

    def constraints(self, field, value):
        return _length_constraints(field, value)


@register
class TextareaType(TextType):
    name = "textarea"

    def clean(self, field, raw):
        text = _text_input(field, raw).replace("\r\n", "\n").strip()
        return text or None


@register
class EmailType(TextType):
    name = "email"

    def clean(self, field, raw):
        text = super().clean(field, raw)
        if text is not None and not EMAIL_RE.match(text):
            raise FieldError(f"{quoted(field)}: Bitte eine gültige E-Mail-Adresse eingeben.")
        return text


def _range_constraints(field: FieldDef, value: Any, fmt=str) -> list[str]:
    out = []
    low, high = bound(field.min, field), bound(field.max, field)
    if low is not None and value < low:
        out.append(f"{quoted(field)}: mindestens {fmt(low)}.")
    if high is not None and value > high:
        out.append(f"{quoted(field)}: höchstens {fmt(high)}.")
    return out


def bound(limit: Any, field: FieldDef) -> Any:
    """A min/max limit as a comparable value of the field's type ('today' for dates)."""
    if limit is None:
        return None
    if field.type == "date":
        if limit == "today":
            return clock.today()
        if isinstance(limit, dt.date):
            return limit
        return dt.date.fromisoformat(str(limit))
    if field.type == "decimal":
        return Decimal(str(limit))
    return limit


@register
class IntegerType(FieldType):
    name = "integer"

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
        return _range_constraints(field, value)


@register
class DecimalType(FieldType):
    name = "decimal"

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
        return _range_constraints(field, Decimal(value), german_number)

    def to_python(self, field, value):
        return None if value is None else Decimal(value)

    def display(self, field, value):
        return "" if is_empty(value) else german_number(Decimal(value))


@register
class DateType(FieldType):
    name = "date"

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
        return _range_constraints(field, dt.date.fromisoformat(value), date_text)

    def to_python(self, field, value):
        return None if value is None else dt.date.fromisoformat(value)

    def display(self, field, value):
        return "" if is_empty(value) else date_text(dt.date.fromisoformat(value))


TRUE_WORDS = {"true", "1", "on", "yes", "ja", "y"}
FALSE_WORDS = {"false", "0", "off", "no", "nein", "n", ""}


@register
class BooleanType(FieldType):
    name = "boolean"

    def clean(self, field, raw):
        if raw is None or isinstance(raw, bool):
            return bool(raw)
        if isinstance(raw, int) and raw in (0, 1):
            return bool(raw)
        if isinstance(raw, str) and raw.strip().lower() in TRUE_WORDS | FALSE_WORDS:
            return raw.strip().lower() in TRUE_WORDS
        raise FieldError(f"{quoted(field)}: Bitte Ja oder Nein angeben.")

    def from_formdata(self, field, formdata, key):
        return formdata.get(key, "")

    def display(self, field, value):
        return yes_no(value)


@register
class SelectType(FieldType):
    name = "select"

    def clean(self, field, raw):
        if raw is None or raw == "":
            return None
        if not isinstance(raw, (str, int)) or isinstance(raw, bool):
            raise FieldError(f"{quoted(field)}: Bitte einen Eintrag aus der Liste wählen.")
        value = str(raw)
        if value not in {c.value for c in field.choices}:
            raise FieldError(f"{quoted(field)}: „{value[:40]}“ ist keine der Auswahlmöglichkeiten.")
        return value

    def display(self, field, value):
        return field.choice_label(value)


@register
class MultiselectType(FieldType):
    name = "multiselect"
    empty: Any = []

    def clean(self, field, raw):
        if raw is None or raw == "":
            return []
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list):
            raise FieldError(f"{quoted(field)}: Bitte eine Liste von Einträgen angeben.")
        allowed = {c.value for c in field.choices}
        values: list[str] = []
        for item in raw:
            if (
                not isinstance(item, (str, int))
                or isinstance(item, bool)
                or str(item) not in allowed
            ):
                raise FieldError(
                    f"{quoted(field)}: „{str(item)[:40]}“ ist keine der Auswahlmöglichkeiten."
                )
            if str(item) not in values:
                values.append(str(item))
        # keep the order of the choices, so equal selections compare equal
        order = [c.value for c in field.choices]
        return sorted(values, key=order.index)

    def from_formdata(self, field, formdata, key):
        return formdata.getlist(key)

    def constraints(self, field, value):
        out = []
        if field.min_items is not None and len(value) < field.min_items:
            least = count(field.min_items, "Eintrag", "Einträge")
            out.append(f"{quoted(field)}: mindestens {least} wählen.")
        if field.max_items is not None and len(value) > field.max_items:
            most = count(field.max_items, "Eintrag", "Einträge")
            out.append(f"{quoted(field)}: höchstens {most} wählen.")
        return out

    def display(self, field, value):
        return ", ".join(field.choice_label(v) for v in value or [])
