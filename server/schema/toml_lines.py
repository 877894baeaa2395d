"""Line numbers for TOML documents, which :mod:`tomllib` does not give.

``tomllib`` turns text into plain dicts and lists and forgets where anything was. Every problem
Verbund reports must name a line, so :func:`line_map` scans the same text once more and records,
for every key path, the line where it starts::

    ("title",)                        the line of ``title = ...``
    ("fields", 3)                     the 4th ``[[fields]]`` header
    ("fields", 3, "type")             ``type = ...`` inside it
    ("fields", 3, "columns", 1, "name")  inside the 2nd ``[[fields.columns]]`` of that field
    ("fields", 3, "choices", 2)       the 3rd element of ``choices = [...]``

The scanner only follows structure (headers, keys, strings, arrays, inline tables); values are
skipped, so it stays small. It never raises: on text it does not understand it records what it
found so far, and a lookup falls back to the nearest ancestor that is known, then to line 1.
"""

from __future__ import annotations

import bisect
import json
import re
import tomllib
from typing import Any

KeyPath = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)\s*$")
_END = re.compile(r"\(at end of document\)\s*$")
_SCALAR_END = ",]}\n#"

# tomllib's messages, in German; matched by prefix because some carry details after it.
_GERMAN = (
    ("Invalid value", "ungültiger Wert"),
    ("Invalid statement", "ungültige Anweisung"),
    ("Invalid initial character for a key part", "ungültiges Zeichen am Anfang eines Schlüssels"),
    ("Expected '=' after a key", "nach dem Schlüssel fehlt „=“"),
    ("Expected newline or end of document", "nach dem Wert muss die Zeile enden"),
    ("Cannot overwrite a value", "Schlüssel doppelt vergeben"),
    ("Cannot declare", "Tabelle doppelt deklariert"),
    ("Cannot mutate immutable namespace", "Tabelle nach einer Inline-Tabelle erneut geöffnet"),
    ("Unterminated string", "Zeichenkette nicht abgeschlossen"),
    ("Unclosed array", "Liste („[“) nicht geschlossen"),
    ("Unclosed inline table", "Inline-Tabelle („{“) nicht geschlossen"),
    ("Expected ']' at the end of a table declaration", "„]“ am Ende der Tabellenüberschrift fehlt"),
    ("Expected ']]' at the end of an array declaration", "„]]“ am Ende der Überschrift fehlt"),
    ("Illegal character", "unzulässiges Zeichen"),
    ("Found invalid character", "unzulässiges Zeichen"),
    ("Unescaped '\\' in a string", "unzulässiger Rückstrich „\\“ in einer Zeichenkette"),
)


class LineMap:
    """Key paths of one TOML text and the lines they start on."""

    def __init__(self, lines: dict[KeyPath, int]):
        self._lines = lines

    def exact(self, *path: str | int) -> int | None:
        """The line of exactly ``path``, or None when the scanner did not see it."""
        return self._lines.get(tuple(path))

    def line(self, *path: str | int) -> int:
        """The line of ``path``, else of its nearest known ancestor, else 1."""
        key = tuple(path)
        while key:
            found = self._lines.get(key)
            if found is not None:
                return found
            key = key[:-1]
        return 1

    def __len__(self) -> int:
        return len(self._lines)


def line_map(text: str) -> LineMap:
    """Scan ``text`` (TOML) and map every key path in it to its line; see the module doc."""
    scanner = _Scanner(text)
    try:
        scanner.document()
    except (IndexError, ValueError):
        pass  # keep what was found: a lookup falls back to the nearest ancestor
    return LineMap(scanner.lines)


class _Scanner:
    """A structural TOML reader: knows where things start, ignores what values are."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.lines: dict[KeyPath, int] = {}
        self.tables_seen: dict[KeyPath, int] = {}  # array-of-tables path -> how many so far
        self._newlines = [i for i, c in enumerate(text) if c == "\n"]

    # -- positions ----------------------------------------------------------------------------

    def line_at(self, pos: int) -> int:
        return bisect.bisect_left(self._newlines, pos) + 1

    def record(self, path: KeyPath, pos: int) -> None:
        # First occurrence wins: a repeated key is a TOML error reported by tomllib anyway.
        self.lines.setdefault(path, self.line_at(pos))

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def current(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_blanks(self, newlines: bool) -> None:
        """Skip spaces and tabs, and with ``newlines`` also line ends and comments."""
        text = self.text
        while self.pos < len(text):
            c = text[self.pos]
            if c in " \t\r":
                self.pos += 1
            elif newlines and c == "\n":
                self.pos += 1
            elif newlines and c == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            else:
                return

    def skip_line(self) -> None:
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end + 1

    # -- document structure -------------------------------------------------------------------

    def document(self) -> None:
        table: KeyPath = ()
        while True:
            self.skip_blanks(newlines=True)
            if self.at_end():
                return
            start = self.pos
            if self.text.startswith("[[", start):
                table = self.header(start, array=True)
            elif self.current() == "[":
                table = self.header(start, array=False)
            else:
                self.key_value(table)
            # whatever is left on the line (a comment, or text we do not follow) is skipped
            self.skip_line()
            if self.pos <= start:  # never loop without progress on odd input
                self.pos = start + 1

    def header(self, start: int, array: bool) -> KeyPath:
        self.pos += 2 if array else 1
        parts = self.key()
        resolved: list[str | int] = []
        for i, part in enumerate(parts):
            resolved.append(part)
            seen = self.tables_seen.get(tuple(resolved))
            # an array of tables in the middle of a dotted header means its latest element
            if seen and i < len(parts) - 1:
                resolved.append(seen - 1)
        if array:
            array_path = tuple(resolved)
            index = self.tables_seen.get(array_path, 0)
            self.tables_seen[array_path] = index + 1
            self.record(array_path, start)
            resolved.append(index)
        path = tuple(resolved)
        self.record(path, start)
        return path

    def key_value(self, table: KeyPath) -> None:
        start = self.pos
        parts = self.key()
        if not parts:
            return
        for n in range(1, len(parts) + 1):
            self.record(table + tuple(parts[:n]), start)
        self.skip_blanks(newlines=False)
        if self.current() != "=":
            return
        self.pos += 1
        self.skip_blanks(newlines=False)
        self.value(table + tuple(parts))

    def key(self) -> list[str]:
        """A dotted key; the scanner stands after it."""
        parts: list[str] = []
        while True:
            self.skip_blanks(newlines=False)
            c = self.current()
            if c == '"':
                parts.append(_decode_basic(self.basic_string()))
            elif c == "'":
                parts.append(self.literal_string())
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if not match:
                    return parts
                parts.append(match.group())
                self.pos = match.end()
            self.skip_blanks(newlines=False)
            if self.current() != ".":
                return parts
            self.pos += 1

    # -- values -------------------------------------------------------------------------------

    def value(self, path: KeyPath) -> None:
        text, pos = self.text, self.pos
        if text.startswith('"""', pos):
            self.multiline_string('"""')
        elif text.startswith("'''", pos):
            self.multiline_string("'''")
        elif self.current() == '"':
            self.basic_string()
        elif self.current() == "'":
            self.literal_string()
        elif self.current() == "[":
            self.array(path)
        elif self.current() == "{":
            self.inline_table(path)
        else:
            while self.pos < len(text) and text[self.pos] not in _SCALAR_END:
                self.pos += 1

    def array(self, path: KeyPath) -> None:
        self.pos += 1
        index = 0
        while not self.at_end():
            self.skip_blanks(newlines=True)
            if self.current() in ("]", ""):
                break
            start = self.pos
            self.record(path + (index,), start)
            self.value(path + (index,))
            self.skip_blanks(newlines=True)
            if self.current() == ",":
                self.pos += 1
                index += 1
            elif self.current() != "]" or self.pos == start:
                return  # not TOML we understand; stop following this value
        self.pos += 1

    def inline_table(self, path: KeyPath) -> None:
        self.pos += 1
        while not self.at_end():
            # inline tables are one line in TOML 1.0; newlines are tolerated for 1.1 texts
            self.skip_blanks(newlines=True)
            if self.current() in ("}", ""):
                break
            start = self.pos
            parts = self.key()
            if not parts:
                return
            for n in range(1, len(parts) + 1):
                self.record(path + tuple(parts[:n]), start)
            self.skip_blanks(newlines=False)
            if self.current() != "=":
                return
            self.pos += 1
            self.skip_blanks(newlines=False)
            self.value(path + tuple(parts))
            self.skip_blanks(newlines=True)
            if self.current() == ",":
                self.pos += 1
            elif self.current() != "}":
                return
        self.pos += 1

    def basic_string(self) -> str:
        """A one-line "..." string; returns its raw (undecoded) content."""
        text = self.text
        start = self.pos + 1
        i = start
        while i < len(text) and text[i] not in '"\n':
            i += 2 if text[i] == "\\" else 1
        self.pos = min(i + 1, len(text))
        return text[start : min(i, len(text))]

    def literal_string(self) -> str:
        text = self.text
        start = self.pos + 1
        i = start
        while i < len(text) and text[i] not in "'\n":
            i += 1
        self.pos = min(i + 1, len(text))
        return text[start:i]

    def multiline_string(self, quote: str) -> None:
        text = self.text
        i = self.pos + 3
        while i < len(text):
            if quote == '"""' and text[i] == "\\":
                i += 2
            elif text.startswith(quote, i):
                i += 3
                # up to two more quotes belong to the content: """a"""" ends in one quote
                extra = 0
                while extra < 2 and i < len(text) and text[i] == quote[0]:
                    i += 1
                    extra += 1
                break
            else:
                i += 1
        self.pos = min(i, len(text))


def _decode_basic(raw: str) -> str:
    # TOML's basic-string escapes are JSON's for everything a key plausibly holds
    try:
        return json.loads(f'"{raw}"')
    except ValueError:
        return raw


# -- tomllib errors ---------------------------------------------------------------------------


def decode_error_location(exc: tomllib.TOMLDecodeError, text: str = "") -> tuple[int, int]:
    """(line, column) of a TOML syntax error, both from 1.

    Python 3.11 only puts them into the message ("... (at line 3, column 5)"); newer Pythons
    also set ``lineno``/``colno``. "at end of document" means the last line of ``text``.
    """
    lineno = getattr(exc, "lineno", None)
    colno = getattr(exc, "colno", None)
    if isinstance(lineno, int) and isinstance(colno, int):
        return lineno, colno
    message = str(exc)
    match = _POSITION.search(message)
    if match:
        return int(match.group(1)), int(match.group(2))
    if _END.search(message) and text:
        lines = text.splitlines() or [""]
        return len(lines), len(lines[-1]) + 1
    return 1, 1


def decode_error_message(exc: tomllib.TOMLDecodeError) -> str:
    """A German message for a TOML syntax error, without the position (the caller has it)."""
    detail = getattr(exc, "msg", None) or str(exc)
    detail = _END.sub("", _POSITION.sub("", detail)).strip()
    for english, german in _GERMAN:
        if detail.startswith(english):
            return f"TOML-Syntaxfehler: {german}"
    return f"TOML-Syntaxfehler: {detail}"


def parse_toml(text: str) -> tuple[dict[str, Any] | None, LineMap, tuple[int, str] | None]:
    """Parse ``text``: (data, line map, None) or (None, empty map, (line, German message)).

    One syntax error is all tomllib can report, so a broken file yields exactly one problem.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, column = decode_error_location(exc, text)
        return None, LineMap({}), (line, f"{decode_error_message(exc)} (Spalte {column})")
    return data, line_map(text), None
