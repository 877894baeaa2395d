"""``phone``: a telephone number, stored in E.164 (``+492118991234``).

People type numbers the German way (``0211 8991234``, ``+49 (0)211-899 12 34``,
``0049 211 8991234``); Google's libphonenumber (the ``phonenumbers`` package) reads them with
Germany as the home region, checks that the number can exist, and formats it again: German
numbers as dialled at home (``0211 8991234``), others internationally (``+1 202-555-0143``).
"""

from __future__ import annotations

import phonenumbers

from .base import FieldError, FieldType, is_empty, quoted

REGION = "DE"
MAX_INPUT = 60  # nobody writes a number longer; libphonenumber itself stops at 250


def parse_phone(text: str) -> phonenumbers.PhoneNumber | None:
    """A valid number from German or international input; None if it is none."""
    if len(text) > MAX_INPUT:
        return None
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def phone_text(stored: str) -> str:
    """A stored E.164 number as people read it; other text as it is."""
    number = parse_phone(stored) if stored.startswith("+") else None
    if number is None:
        return stored
    home = phonenumbers.region_code_for_number(number) == REGION
    style = phonenumbers.PhoneNumberFormat.NATIONAL if home else (
        phonenumbers.PhoneNumberFormat.INTERNATIONAL)  # fmt: skip
    return phonenumbers.format_number(number, style)


class PhoneType(FieldType):
    name = "phone"
    label = "Telefonnummer"
    explanation = (
        "Eine Telefonnummer, deutsch oder international eingegeben (0211 8991234); "
        "geprüft und gespeichert als +492118991234."
    )
    input_kind = "tel"

    def read_default(self, c, value, at, where, values):
        if not isinstance(value, str) or parse_phone(value) is None:
            c.add(at, f"{where}„default“ muss eine gültige Telefonnummer sein")
            return None
        return value

    def clean(self, field, raw):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if not isinstance(raw, str):
            raise FieldError(f"{quoted(field)}: Bitte die Telefonnummer als Text angeben.")
        number = parse_phone(raw.strip())
        if number is None:
            raise FieldError(
                f"{quoted(field)}: „{raw.strip()[:40]}“ ist keine gültige Telefonnummer "
                "(z. B. 0211 8991234 oder +49 211 8991234)."
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def display(self, field, value, lookup=None):
        return "" if is_empty(value) else phone_text(str(value))

    def input_value(self, field, value):
        return self.display(field, value)

    def input_attributes(self, field):
        return {"autocomplete": "tel", "maxlength": MAX_INPUT}

    def template_value(self, field, value):
        return None if value is None else phone_text(str(value))

    def sample(self, field, high):
        return "+492118991234" if high else "+4930123456"

    def api_schema(self, field=None):
        return {
            "type": "string",
            "description": "gelesen in E.164; geschrieben auch deutsch (0211 8991234)",
            "example": "+492118991234",
        }
