"""Checks of one field's values: limits, pattern, choices and default.

Split from :mod:`server.schema.forms`, which handles the structure of a form file; these
functions look at single values and report through the file's :class:`Collector`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .checking import Collector, kind
from .definitions import FIELD_TYPES, FILE_KINDS, Choice
from .toml_lines import KeyPath

NO_DEFAULT = ("table", "file", "reference")
_CHOICE_KEYS = ("value", "label")


def read_limit(
    c: Collector, table: dict, key: str, ftype: Any, keypath: KeyPath, where: str
) -> Any:
    """``min``/``max``: a number for integer/decimal, a date (or "today") for date fields."""
    if key not in table:
        return None
    value = table[key]
    at = keypath + (key,)
    if ftype == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        c.add(at, f"{where}„{key}“ muss eine ganze Zahl sein, nicht {kind(value)}")
    elif ftype == "decimal":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        c.add(at, f"{where}„{key}“ muss eine Zahl sein, nicht {kind(value)}")
    elif ftype == "date":
        parsed = read_date(value)
        if parsed is not None:
            return parsed
        c.add(
            at,
            f'{where}„{key}“ muss ein Datum sein (2024-12-31, "2024-12-31" oder '
            f'"today"), nicht {kind(value)}',
        )
    return None


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


def read_pattern(c: Collector, table: dict, keypath: KeyPath, where: str) -> str | None:
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


def read_accept(c: Collector, table: dict, keypath: KeyPath, where: str) -> tuple[str, ...]:
    """``accept``: the kinds of file a file field takes (recognised by content)."""
    if "accept" not in table:
        return ()
    raw = table["accept"]
    at = keypath + ("accept",)
    if not isinstance(raw, list) or not raw:
        c.add(at, f'{where}„accept“ muss eine nicht leere Liste sein, z. B. ["pdf", "png"]')
        return ()
    kinds: list[str] = []
    for index, item in enumerate(raw):
        if item not in FILE_KINDS:
            shown = f"„{item}“" if isinstance(item, str) else kind(item)
            c.add(
                at + (index,),
                f"{where}„accept“: unbekannte Dateiart {shown} (bekannt: {', '.join(FILE_KINDS)})",
            )
        elif item not in kinds:
            kinds.append(item)
    return tuple(kinds)


def read_choices(
    c: Collector, table: dict, ftype: Any, keypath: KeyPath, where: str
) -> tuple[Choice, ...]:
    """``choices``: strings (value = label) or ``{value, label}`` tables; select/multiselect."""
    if "choices" not in table:
        if ftype in ("select", "multiselect"):
            c.add(
                keypath,
                f"{where}„choices“ fehlt: ein Feld vom Typ „{ftype}“ braucht Auswahlmöglichkeiten",
            )
        return ()
    raw = table["choices"]
    at = keypath + ("choices",)
    if not isinstance(raw, list) or not raw:
        c.add(
            at,
            f'{where}„choices“ muss eine nicht leere Liste sein, z. B. ["a", "b"] '
            'oder [{value = "a", label = "A"}]',
        )
        return ()
    choices: list[Choice] = []
    for index, item in enumerate(raw):
        item_at = at + (index,)
        if isinstance(item, str):
            value, label = item, item
        elif isinstance(item, dict):
            c.unknown_keys(item, _CHOICE_KEYS, item_at, f"{where}Auswahl Nr. {index + 1}: ")
            value = item.get("value")
            label = item.get("label", value)
            if not isinstance(label, str):
                c.add(item_at, f"{where}Auswahl Nr. {index + 1}: „label“ muss ein Text sein")
                label = str(value)
        else:
            value, label = None, ""
        if not isinstance(value, str) or not value:
            c.add(
                item_at,
                f"{where}Auswahl Nr. {index + 1} braucht einen Wert (Text), "
                f"nicht {kind(value if isinstance(item, dict) else item)}",
            )
            continue
        if any(ch.value == value for ch in choices):
            c.add(item_at, f"{where}Auswahlwert „{value}“ steht doppelt")
            continue
        choices.append(Choice(value=value, label=label))
    return tuple(choices)


def read_default(
    c: Collector, table: dict, ftype: Any, keypath: KeyPath, where: str, v: dict[str, Any]
) -> Any:
    """``default`` checked against the type and its constraints (choices, limits, pattern)."""
    if "default" not in table or ftype not in FIELD_TYPES:
        return None
    value = table["default"]
    at = keypath + ("default",)

    def wrong(expected: str) -> None:
        c.add(at, f"{where}„default“ muss {expected} sein, nicht {kind(value)}")

    if ftype in NO_DEFAULT:
        c.add(at, f"{where}ein Feld vom Typ „{ftype}“ kann keinen „default“ haben")
        return None
    if ftype == "boolean":
        return value if isinstance(value, bool) else wrong("true oder false")
    if ftype in ("text", "textarea", "email"):
        if not isinstance(value, str):
            return wrong("ein Text")
        if v["max_length"] is not None and len(value) > v["max_length"]:
            c.add(at, f"{where}„default“ ist länger als „max_length“ ({v['max_length']})")
        if v["pattern"] and value and not re.fullmatch(v["pattern"], value):
            c.add(at, f"{where}„default“ passt nicht zu „pattern“")
        return value
    if ftype == "select":
        if not isinstance(value, str):
            return wrong("einer der Auswahlwerte")
        _check_in_choices(c, at, where, [value], v["choices"])
        return value
    if ftype == "multiselect":
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            return wrong("eine Liste von Auswahlwerten")
        _check_in_choices(c, at, where, value, v["choices"])
        return value
    if ftype == "date":
        parsed = read_date(value)
        if parsed is None:
            return wrong('ein Datum (2024-12-31, "2024-12-31" oder "today")')
        value = parsed
    elif ftype == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return wrong("eine ganze Zahl")
    elif ftype == "decimal" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return wrong("eine Zahl")
    if value != "today":
        for key, outside in (("min", lambda lim: value < lim), ("max", lambda lim: value > lim)):
            limit = v[key]
            if limit is not None and limit != "today" and outside(limit):
                c.add(at, f"{where}„default“ liegt außerhalb von „{key}“")
    return value


def _check_in_choices(c: Collector, at: KeyPath, where: str, values: list, choices) -> None:
    known = {choice.value for choice in choices}
    for value in values:
        if choices and value not in known:
            c.add(at, f"{where}„default“ „{value}“ ist keiner der Auswahlwerte")
