"""What Word templates get from a field: the value type for choices, and the shape of the data.

Both belong to the field types (a type says what its template value is and looks like), so
they live with them; :mod:`server.documents` renders and checks templates with them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ...clock import LOCAL_ZONE
from ...german import date_text, number

CENT = Decimal("0.01")


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


@dataclass(frozen=True)
class Shape:
    """What a name or expression in a template stands for.

    ``kind`` is ``object`` (named members), ``list`` (items of ``item``), ``value`` or
    ``any`` (not known: nothing is checked below it). ``what`` names it in messages.
    """

    kind: str
    what: str = ""
    members: Mapping[str, Shape] = field(default_factory=dict)
    item: Shape | None = None
    member_word: str = "Feld"
    type: str = ""
    choices: bool = False


ANY = Shape("any")
VALUE = Shape("value")


class ScaleValue(int):
    """The stored point of a ``scale`` field that also knows its label.

    It prints and compares as the number (``{% if x >= 4 %}``); ``|label`` (or ``.label``)
    gives the text people read, empty when the scale labels only its ends.
    """

    label: str

    def __new__(cls, value: int, label: str) -> ScaleValue:
        obj = super().__new__(cls, value)
        obj.label = label
        return obj

    def __reduce__(self):  # copies (and the sandbox's pickle) stay ScaleValues
        return (ScaleValue, (int(self), self.label))


class Money(Decimal):
    """An amount of a ``money`` field: an exact Decimal that prints as people read it.

    ``{{ betrag }}`` prints ``1.234,56 €`` (another currency by its code: ``12,00 CHF``);
    ``|euro`` and ``|zahl(2)`` work as on any number, and arithmetic gives plain Decimals.
    """

    currency: str

    def __new__(cls, value: Any, currency: str = "EUR") -> Money:
        obj = super().__new__(cls, value)
        obj.currency = currency
        return obj

    def __str__(self) -> str:
        return money_text(Decimal(self), self.currency)

    def __reduce__(self):  # Decimal's own would rebuild from the German text
        return (Money, (format(Decimal(self), "f"), self.currency))


class Moment(dt.datetime):
    """A ``datetime`` field's value in a template: Berlin local time that prints in German
    (``02.03.2026 14:05``); ``|datum``, ``|datum("zeit")`` and ``.hour`` etc. work."""

    def __str__(self) -> str:
        return moment_text(self)


def money_text(amount: Decimal, currency: str = "EUR") -> str:
    """``1.234,56 €`` (two decimals; a currency other than the euro by its code)."""
    text = number(amount.quantize(CENT))
    return f"{text}\u00a0{'€' if currency == 'EUR' else currency}"


def moment_text(local: dt.datetime) -> str:
    """A Berlin-local moment as people read it: ``02.03.2026 14:05``; in the doubled hour
    of the switch back to winter time with the zone (``25.10.2026 02:30 MEZ``)."""
    text = f"{date_text(local)} {local.hour:02d}:{local.minute:02d}"
    if local.second:
        text += f":{local.second:02d}"
    plain = local.replace(tzinfo=None)
    first = plain.replace(tzinfo=LOCAL_ZONE, fold=0).utcoffset()
    second = plain.replace(tzinfo=LOCAL_ZONE, fold=1).utcoffset()
    if first != second:
        text += " MESZ" if local.utcoffset() == max(first, second) else " MEZ"
    return text
