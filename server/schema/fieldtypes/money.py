"""``money``: an amount in one currency (``currency = "EUR"``, the default), exact to the cent.

Stored as text with two decimals (``"1234.50"``), never as a float. People type it the German
way: ``1.234,56 €``, ``1234,5``, ``1.234`` (a thousand), ``12 EUR``; the API may also send
``"1234.56"`` or a JSON number. Expressions see a ``Decimal``, templates a
:class:`~.template_data.Money` that prints ``1.234,56 €`` and takes ``|euro``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ...german import number as german_number
from .base import FieldError, quoted
from .numbers import RangeType, _number
from .template_data import CENT, Money, Shape, money_text

_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
_GERMAN = re.compile(r"[-+]?\d{1,3}(\.\d{3})*(,\d*)?|[-+]?\d+(,\d*)?|[-+]?,\d+", re.ASCII)
_PLAIN = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)", re.ASCII)
_GROUPS_ONLY = re.compile(r"[-+]?\d{1,3}(\.\d{3})+", re.ASCII)
MAX_DIGITS = 15  # up to 999 billion and the cents: more is a typing error


def _strip_currency(text: str, currency: str) -> str:
    for sign in ("€", "EUR", currency):
        if text.upper().endswith(sign):
            text = text[: -len(sign)]
        if text.upper().startswith(sign):
            text = text[len(sign) :]
    return text.replace("\u00a0", "").replace(" ", "")


def parse_amount(raw: str | int | float, currency: str) -> Decimal | None:
    """An amount from input; None if it is none (more than two decimals included)."""
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, float):
        text = repr(raw) if raw == raw and abs(raw) != float("inf") else "x"
    else:
        text = _strip_currency(raw.strip(), currency)
        if "," in text or _GROUPS_ONLY.fullmatch(text):
            # German: points group thousands, the comma separates the cents
            if not _GERMAN.fullmatch(text):
                return None
            text = text.replace(".", "").replace(",", ".")
    if not _PLAIN.fullmatch(text) or len(text.replace(".", "").lstrip("+-")) > MAX_DIGITS + 2:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if amount != amount.quantize(CENT) or abs(amount) >= Decimal(10) ** MAX_DIGITS:
        return None
    return amount.quantize(CENT)


class MoneyType(RangeType):
    name = "money"
    label = "Geldbetrag"
    explanation = (
        "Ein Geldbetrag auf den Cent genau (Eingabe deutsch: 1.234,56 €); Währung einstellbar."
    )
    keys = ("min", "max", "currency")
    key_labels = {"currency": "Währung"}
    key_explanations = {"currency": "Code aus drei Großbuchstaben, z. B. EUR (leer: EUR)."}
    expected = "eine Zahl"

    def read_keys(self, c, table, keypath, where):
        values = super().read_keys(c, table, keypath, where)
        currency = table.get("currency", "EUR")
        if not isinstance(currency, str) or not _CURRENCY_CODE.fullmatch(currency):
            c.add(keypath + ("currency",), f"{where}„currency“ muss ein Währungscode aus drei "
                  'Großbuchstaben sein, z. B. "EUR"')  # fmt: skip
            currency = "EUR"
        values["currency"] = currency
        return values

    def read_limit(self, value):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return value if ok else None

    def bound(self, limit):
        return Decimal(str(limit))

    def currency(self, field) -> str:
        """The field's currency code (``EUR`` unless the form says otherwise)."""
        return field.option("currency") or "EUR"

    def clean(self, field, raw):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise FieldError(f"{quoted(field)}: Bitte einen Betrag eingeben.")
        amount = parse_amount(raw, self.currency(field))
        if amount is None:
            raise FieldError(
                f"{quoted(field)}: „{str(raw).strip()[:40]}“ ist kein gültiger Betrag – "
                "bitte mit höchstens zwei Nachkommastellen, z. B. 1.234,56."
            )
        return format(amount, "f")

    def constraints(self, field, value):
        return self.range_constraints(
            field, Decimal(value), lambda v: money_text(v, self.currency(field))
        )

    def to_python(self, field, value):
        return None if value is None else Decimal(value)

    def display(self, field, value, lookup=None):
        if value is None or value == "":
            return ""
        try:
            return money_text(Decimal(str(value)), self.currency(field))
        except (InvalidOperation, ValueError):
            return str(value)

    def input_value(self, field, value):
        if value is None or value == "":
            return ""
        try:
            return german_number(Decimal(str(value)).quantize(CENT), grouping=False)
        except (InvalidOperation, ValueError):
            return str(value)

    def input_attributes(self, field):
        return {"inputmode": "decimal", "autocomplete": "off"}

    def template_value(self, field, value):
        if value is None:
            return None
        try:
            return Money(Decimal(str(value)).quantize(CENT), self.currency(field))
        except (InvalidOperation, ValueError):
            return value

    def template_shape(self, field, path):
        return Shape("value", f"„{path}“", type="money")

    def sample(self, field, high):
        if high:
            return _number(field.max, Decimal("1000000.00"), Decimal)
        return _number(field.min, Decimal("0.00"), Decimal)

    def browser_spec(self, field):
        return {**super().browser_spec(field), "currency": self.currency(field)}

    def api_schema(self, field=None):
        return {
            "type": ["string", "number"],
            "description": "gelesen als Text mit zwei Nachkommastellen (exakt); geschrieben "
            "auch als Zahl oder deutsch (1.234,56 €); Währung am Feld (options.currency)",
            "example": "1234.56",
        }
