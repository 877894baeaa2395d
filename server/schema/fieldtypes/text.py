"""Text types: ``text`` (one line), ``textarea`` (several lines) and ``email``."""

from __future__ import annotations

import logging
import re
from typing import Any

import regex

from ..checking import kind
from .base import FieldError, FieldType, quoted

log = logging.getLogger(__name__)

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_TEXT = 100_000  # no single value may exceed this, whatever the form says
# A form's ``pattern`` is written by an administrator and may backtrack catastrophically on
# some input; matched with this limit, one save can never hold a web process for long.
PATTERN_SECONDS = 0.2
TEXT_KEYS = ("min_length", "max_length", "pattern")
MAX_ROWS = 30  # the height of the input in lines; more would not fit a screen


def text_input(field, raw: Any) -> str:
    """Raw input as text (numbers allowed), refused when not text, too long or with NUL."""
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


def length_constraints(field, value: str) -> list[str]:
    """``min_length``, ``max_length`` and ``pattern`` of a text value."""
    out = []
    if field.min_length is not None and len(value) < field.min_length:
        out.append(f"{quoted(field)}: mindestens {field.min_length} Zeichen.")
    if field.max_length is not None and len(value) > field.max_length:
        out.append(f"{quoted(field)}: höchstens {field.max_length} Zeichen.")
    if field.pattern and not out:
        out += _pattern_problems(field, value)
    return out


def _pattern_problems(field, value: str) -> list[str]:
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


def read_pattern(c, table: dict, keypath, where: str) -> str | None:
    """``pattern``: a regular expression Python's ``re`` compiles (matched with fullmatch)."""
    pattern = c.text(table, "pattern", keypath, where) or None
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            c.add(
                keypath + ("pattern",),
                f"{where}„pattern“ ist kein gültiger regulärer Ausdruck: {exc}",
            )
            return None
    return pattern


class TextType(FieldType):
    name = "text"
    label = "Text"
    explanation = "Eine Zeile Text, z. B. ein Name; Länge und Muster einstellbar."
    keys = (*TEXT_KEYS, "rows")
    key_labels = {"rows": "Zeilen des Eingabefelds"}
    key_explanations = {
        "rows": "Mehr als 1: das Feld wird mehrzeilig und behält Zeilenumbrüche (leer: 1)."
    }

    def read_keys(self, c, table, keypath, where):
        rows = c.count(table, "rows", keypath, where, 1)
        if rows is not None and rows > MAX_ROWS:
            c.add(keypath + ("rows",), f"{where}„rows“ darf höchstens {MAX_ROWS} sein")
            rows = None
        values = {
            "min_length": c.count(table, "min_length", keypath, where, 0),
            "max_length": c.count(table, "max_length", keypath, where, 1),
        }
        c.ordered(keypath, where, "min_length", values["min_length"], "max_length",
                  values["max_length"])  # fmt: skip
        values["pattern"] = read_pattern(c, table, keypath, where)
        if rows is not None:  # an option only where given: other fields stay as they were
            values["rows"] = rows
        return values

    def read_default(self, c, value, at, where, values):
        if not isinstance(value, str):
            c.add(at, f"{where}„default“ muss ein Text sein, nicht {kind(value)}")
            return None
        if values["max_length"] is not None and len(value) > values["max_length"]:
            c.add(at, f"{where}„default“ ist länger als „max_length“ ({values['max_length']})")
        if values["pattern"] and value and not re.fullmatch(values["pattern"], value):
            c.add(at, f"{where}„default“ passt nicht zu „pattern“")
        return value

    def multiline(self, field) -> bool:
        """A text with ``rows`` above 1 is drawn as a text area and keeps its line breaks."""
        return (field.option("rows") or 1) > 1

    def clean(self, field, raw):
        if self.multiline(field):
            return TextareaType.clean(self, field, raw)
        text = text_input(field, raw).strip()
        if "\n" in text or "\r" in text:
            text = " ".join(text.split())
        return text or None

    def constraints(self, field, value):
        return length_constraints(field, value)

    def browser_spec(self, field):
        spec = super().browser_spec(field)
        if self.multiline(field) and spec["clean"] == "text":
            spec["clean"] = "textarea"  # line breaks stay, as on the server
        return spec


class TextareaType(TextType):
    name = "textarea"
    label = "Mehrzeiliger Text"
    explanation = "Ein Text über mehrere Zeilen, z. B. eine Beschreibung oder Notiz."
    widget = "textarea"

    def clean(self, field, raw):
        text = text_input(field, raw).replace("\r\n", "\n").strip()
        return text or None


class EmailType(TextType):
    name = "email"
    label = "E-Mail-Adresse"
    explanation = "Eine E-Mail-Adresse; die Form wird geprüft."
    keys = TEXT_KEYS
    input_kind = "email"

    def clean(self, field, raw):
        text = super().clean(field, raw)
        if text is not None and not EMAIL_RE.match(text):
            raise FieldError(f"{quoted(field)}: Bitte eine gültige E-Mail-Adresse eingeben.")
        return text
