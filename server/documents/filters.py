"""German formatting for Word templates: filters template authors write after a value.

    {{ intake.consent_date|datum }}            02.03.2026
    {{ intake.consent_date|datum("lang") }}    2. März 2026
    {{ antrag.betrag|zahl }}                   1.234,5
    {{ antrag.betrag|zahl(2) }}                1.234,50
    {{ antrag.betrag|euro }}                   1.234,50 €
    {{ intake.consent|janein }}                Ja
    {{ intake.target_group|label }}            18–27 Jahre mit Duldung
    {{ intake.languages|label }}               Arabisch, Deutsch

Every filter accepts an empty value (a form not saved yet) and gives empty text, and a value
it cannot read is printed unchanged: a template never fails because of data.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

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


class ChoiceValue(str):
    """The stored value of a select field that also knows its label.

    It prints and compares as the stored value (``{% if x == "duldung" %}`` keeps working);
    ``|label`` (or ``.label``) gives the text people read.
    """

    label: str

    def __new__(cls, value: str, label: str) -> ChoiceValue:
        obj = super().__new__(cls, value)
        obj.label = label
        return obj

    def __reduce__(self):  # copies stay ChoiceValues
        return (ChoiceValue, (str(self), self.label))


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


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


def datum(value: Any, form: str = "kurz") -> Any:
    """A date as ``dd.mm.yyyy``; ``"lang"``: ``2. März 2026``; ``"zeit"``: with the time."""
    if _empty(value):
        return ""
    parsed = parse_date(value)
    if parsed is None:
        return value
    day = f"{parsed.day:02d}.{parsed.month:02d}.{parsed.year:04d}"
    if form == "lang":
        return f"{parsed.day}. {MONTHS[parsed.month - 1]} {parsed.year}"
    if form == "zeit" and isinstance(parsed, dt.datetime):
        return f"{day} {parsed.hour:02d}:{parsed.minute:02d}"
    return day


def _decimal(value: Any) -> Decimal | None:
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
            number = Decimal(text)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def zahl(value: Any, stellen: int | None = None) -> Any:
    """A number with decimal comma and thousands points; ``stellen`` fixes the decimals."""
    if _empty(value):
        return ""
    number = _decimal(value)
    if number is None:
        return value
    if isinstance(stellen, int) and not isinstance(stellen, bool) and 0 <= stellen <= 10:
        number = number.quantize(Decimal(1).scaleb(-stellen), rounding=ROUND_HALF_UP)
        text = f"{number:,.{stellen}f}"
    elif number == number.to_integral_value():
        text = f"{number.to_integral_value():,f}"
    else:
        text = f"{number.normalize():,f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def euro(value: Any) -> Any:
    """An amount of money: two decimals and the euro sign, ``1.234,50 €``."""
    text = zahl(value, 2)
    if text == "" or _decimal(value) is None:
        return text
    return f"{text}\u00a0€"


def janein(value: Any) -> str:
    """``Ja`` or ``Nein``; empty for a value never entered."""
    if value is None or value == "":
        return ""
    return "Ja" if value else "Nein"


def label(value: Any, trenner: str = ", ") -> Any:
    """The label of a select value; the labels of a multiselect, joined by ``trenner``."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return trenner.join(str(label(v)) for v in value if not _empty(v))
    return getattr(value, "label", value) if isinstance(value, ChoiceValue) else value


GERMAN_FILTERS = {
    "datum": datum,
    "zahl": zahl,
    "euro": euro,
    "janein": janein,
    "label": label,
}
