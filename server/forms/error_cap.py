"""Error lists of bounded size: an answer never grows with the size of bad input.

A request with 600,000 unknown keys once got a 50 MB 422 answer. Every list of errors that
goes back to a user (API bodies, screens) passes :func:`cap_errors`: at most
:data:`MAX_ERRORS` entries, then one summary entry „… und 599.950 weitere Fehler“. Keys that
start with ``_`` can never be field names (``[a-z][a-z0-9_]*``), so the summary entries
(:data:`MORE_KEY`, :data:`UNKNOWN_KEY`) never hide a field's errors.
"""

from __future__ import annotations

from typing import Any

MAX_ERRORS = 50  # entries (fields, table cells, messages) in one answer
MAX_MESSAGES = 10  # messages per entry; a field has a handful at most
MAX_TEXT = 500  # characters of one message
MORE_KEY = "_weitere"  # {"_weitere": ["… und 599.950 weitere Fehler"]}
UNKNOWN_KEY = "_unbekannt"  # unknown keys beyond the first few, as one entry
UNKNOWN_NAMED = 5  # unknown keys named one by one (a typo or two stays easy to find)


def number(n: int) -> str:
    """``599950`` as German text: ``599.950``."""
    return f"{n:,}".replace(",", ".")


def more_message(n: int) -> str:
    """The summary of ``n`` errors left out."""
    return "… und 1 weiterer Fehler" if n == 1 else f"… und {number(n)} weitere Fehler"


def _text(message: Any) -> str:
    text = str(message)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def cap_errors(errors: Any, limit: int = MAX_ERRORS) -> Any:
    """``errors`` ({key: [messages]} or [messages]) cut to ``limit`` entries plus a summary.

    Anything else (None, a single string) is returned as it is.
    """
    if isinstance(errors, dict):
        return _cap_dict(errors, limit)
    if isinstance(errors, (list, tuple)):
        if len(errors) <= limit:
            return [_text(e) for e in errors]
        return [_text(e) for e in errors[:limit]] + [more_message(len(errors) - limit)]
    return errors


def _cap_dict(errors: dict, limit: int) -> dict:
    out: dict[str, Any] = {}
    left_out = 0
    for key, messages in errors.items():
        if key == MORE_KEY:  # an earlier cap's summary: add it up, never nest it
            left_out += _summarised(messages)
            continue
        if len(out) >= limit:
            left_out += len(messages) if isinstance(messages, (list, tuple)) else 1
            continue
        if isinstance(messages, (list, tuple)):
            out[str(key)[:100]] = [_text(m) for m in messages[:MAX_MESSAGES]]
        else:
            out[str(key)[:100]] = messages
    if left_out:
        out[MORE_KEY] = [more_message(left_out)]
    return out


def _summarised(messages: Any) -> int:
    """How many errors an existing summary entry stands for."""
    for message in messages if isinstance(messages, (list, tuple)) else [messages]:
        digits = "".join(c for c in str(message).split("weitere")[0] if c.isdigit())
        if digits:
            return int(digits)
    return 0


def unknown_keys_errors(unknown: list, form_title: str) -> dict[str, list[str]]:
    """Unknown keys of a form's data: the first few by name, the rest as one entry."""
    errors: dict[str, list[str]] = {}
    for key in unknown[:UNKNOWN_NAMED]:
        shown = str(key)[:64]
        errors.setdefault(shown, []).append(
            f"„{shown}“ ist kein Feld des Formulars „{form_title}“."
        )
    rest = len(unknown) - UNKNOWN_NAMED
    if rest > 0:
        errors[UNKNOWN_KEY] = [
            f"{number(rest)} weitere Schlüssel sind keine Felder des Formulars „{form_title}“."
            if rest > 1
            else f"Ein weiterer Schlüssel ist kein Feld des Formulars „{form_title}“."
        ]
    return errors
