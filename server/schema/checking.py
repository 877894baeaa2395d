"""Helpers the form and workflow parsers share: typed look-ups that report, never raise.

Every reader takes the table, the key, the key path (for the line) and a ``where`` prefix
such as ``Feld „name“: `` so each message names what it is about. A wrong value is reported
and replaced by the default, so parsing goes on and *every* problem of a file is found.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from typing import Any

from .definitions import Problem
from .toml_lines import KeyPath, LineMap

ID_RE = re.compile(r"[a-z][a-z0-9_]*\Z")

# Words Jinja reads as operators or constants: a field, form or state called ``none`` could
# never be named in a condition, so such ids are refused up front.
JINJA_WORDS = frozenset(
    {"and", "or", "not", "in", "is", "if", "else", "true", "false", "none", "recursive"}
)


def kind(value: Any) -> str:
    """What ``value`` is, in German, for messages like „muss ein Text sein, nicht …“."""
    if isinstance(value, bool):
        return f"der Wahrheitswert {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"die Zahl {value}"
    if isinstance(value, str):
        return f"der Text „{value[:40]}“"
    if isinstance(value, dt.datetime):
        return "ein Zeitpunkt"
    if isinstance(value, (dt.date, dt.time)):
        return "ein Datum"
    if isinstance(value, list):
        return "eine Liste"
    if isinstance(value, dict):
        return "eine Tabelle"
    return type(value).__name__


class Collector:
    """The problems of one file, each placed on its line through the file's :class:`LineMap`."""

    def __init__(self, path: str, lines: LineMap):
        self.path = path
        self.lines = lines
        self.problems: list[Problem] = []

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if not p.warning)

    def add(self, keypath: KeyPath, message: str, warning: bool = False) -> None:
        """Report ``message`` at the line of ``keypath`` (or its nearest known ancestor)."""
        self.problems.append(Problem(self.path, self.lines.line(*keypath), message, warning))

    def unknown_keys(
        self,
        table: dict[str, Any],
        allowed: Iterable[str],
        keypath: KeyPath,
        where: str,
        elsewhere: dict[str, str] | None = None,
    ) -> None:
        """Report each key of ``table`` not in ``allowed``.

        ``elsewhere`` maps keys that exist but do not belong here to why (e.g. "nur bei Typ
        select"), so a misplaced key gets a better message than a misspelt one.
        """
        allowed = list(allowed)
        for key in table:
            if key in allowed:
                continue
            if elsewhere and key in elsewhere:
                message = f"{where}Schlüssel „{key}“ ist hier nicht erlaubt ({elsewhere[key]})"
            else:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" – meinten Sie „{close[0]}“?" if close else ""
                message = (
                    f"{where}unbekannter Schlüssel „{key}“{hint} (erlaubt: {', '.join(allowed)})"
                )
            self.add(keypath + (key,), message)

    def text(
        self,
        table: dict[str, Any],
        key: str,
        keypath: KeyPath,
        where: str,
        required: bool = False,
        default: str = "",
    ) -> str:
        """A string value; missing or empty is reported when ``required``."""
        if key not in table:
            if required:
                self.add(keypath, f"{where}„{key}“ fehlt")
            return default
        value = table[key]
        if not isinstance(value, str):
            self.add(keypath + (key,), f"{where}„{key}“ muss ein Text sein, nicht {kind(value)}")
            return default
        if required and not value.strip():
            self.add(keypath + (key,), f"{where}„{key}“ darf nicht leer sein")
        return value

    def flag(self, table: dict[str, Any], key: str, keypath: KeyPath, where: str) -> bool:
        """A boolean value, False when missing."""
        value = table.get(key, False)
        if not isinstance(value, bool):
            self.add(
                keypath + (key,),
                f"{where}„{key}“ muss true oder false sein, nicht {kind(value)}",
            )
            return False
        return value

    def count(
        self, table: dict[str, Any], key: str, keypath: KeyPath, where: str, least: int = 0
    ) -> int | None:
        """A whole number of at least ``least``, None when missing or wrong."""
        if key not in table:
            return None
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(
                keypath + (key,), f"{where}„{key}“ muss eine ganze Zahl sein, nicht {kind(value)}"
            )
            return None
        if value < least:
            self.add(keypath + (key,), f"{where}„{key}“ muss mindestens {least} sein")
            return None
        return value

    def ordered(
        self, keypath: KeyPath, where: str, low_key: str, low: Any, high_key: str, high: Any
    ) -> None:
        """Report a lower limit above its upper limit (both given and comparable)."""
        if low is None or high is None:
            return
        try:
            wrong = low > high
        except TypeError:
            return
        if wrong:
            self.add(
                keypath + (low_key,),
                f"{where}„{low_key}“ ({_show(low)}) ist größer als „{high_key}“ ({_show(high)})",
            )

    def identifiers(
        self, table: dict[str, Any], key: str, keypath: KeyPath, where: str, what: str
    ) -> tuple[str, ...]:
        """A list of ids (``what`` names them in messages: "Rollen", "Zustände")."""
        if key not in table:
            return ()
        value = table[key]
        if not isinstance(value, list):
            self.add(
                keypath + (key,),
                f'{where}„{key}“ muss eine Liste von {what} sein (z. B. ["a", "b"]), '
                f"nicht {kind(value)}",
            )
            return ()
        out: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item:
                self.add(
                    keypath + (key, index),
                    f"{where}„{key}“: jeder Eintrag muss ein Name sein, nicht {kind(item)}",
                )
            elif item in out:
                self.add(keypath + (key, index), f"{where}„{key}“: „{item}“ steht doppelt")
            else:
                out.append(item)
        return tuple(out)

    def tables(self, data: dict[str, Any], key: str, keypath: KeyPath) -> list[dict[str, Any]]:
        """The array of tables ``[[key]]``; anything else under ``key`` is reported."""
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.add(
                keypath + (key,),
                f"„{key}“ muss eine Folge von Tabellen sein, geschrieben als [[{key}]]",
            )
            return []
        return value

    def identifier(self, value: Any, keypath: KeyPath, where: str, what: str) -> bool:
        """True when ``value`` is a valid id; otherwise report why (``what``: "Feldname")."""
        if not isinstance(value, str):
            self.add(keypath, f"{where}{what} muss ein Text sein, nicht {kind(value)}")
            return False
        problem = id_problem(value, what)
        if problem:
            self.add(keypath, f"{where}{problem}")
            return False
        return True

    def entry_id(
        self, table: dict, at: KeyPath, where: str, what: str, taken: Iterable[str]
    ) -> str | None:
        """The ``id`` of an ``[[entry]]`` table when it is there, valid and not ``taken`` by
        an earlier entry; otherwise report why and return None (``what``: "Zustands-Id")."""
        if "id" not in table:
            self.add(at, f"{where}„id“ fehlt")
            return None
        value = table["id"]
        if not self.identifier(value, at + ("id",), where, what):
            return None
        if value in taken:
            self.add(at + ("id",), f"{what} „{value}“ ist doppelt vergeben")
            return None
        return value


def id_problem(value: str, what: str) -> str | None:
    """Why ``value`` cannot be an id (German, starting with ``what``), or None."""
    if not ID_RE.match(value):
        return (
            f"{what} „{value}“ ist ungültig: nur Kleinbuchstaben a–z, Ziffern und _, "
            "am Anfang ein Buchstabe"
        )
    if value in JINJA_WORDS:
        return f"{what} „{value}“ ist ein reserviertes Wort in Ausdrücken"
    return None


def _show(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)
