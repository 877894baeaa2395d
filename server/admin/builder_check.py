"""The builders' live check: the editor's inputs applied to the draft and checked, as JSON.

``static/verbund-live-check.js`` posts an editor's form (draft, CSRF token, inputs) after a
pause in typing; the builder applies it like „Übernehmen“ to a copy of the draft, checks the
result like a publication and answers with the German messages. Nothing is stored: the draft
lives in the page. Each message names the TOML key at its line when that line belongs to the
entry being edited, so the script can show it at that input; the rest are listed together.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import jsonify

_KEY = re.compile(r'\s*"?([A-Za-z0-9_]+)"?\s*=')


def key_at_line(text: str, line: int) -> str:
    """The key written at ``line`` of ``text`` (1-based), "" if the line starts no key."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    match = _KEY.match(lines[line - 1])
    return match.group(1) if match else ""


def live_result(
    check,
    text: str,
    translate: Callable[[str], str],
    belongs: Callable[[int], bool],
    notice: str = "",
):
    """The JSON answer: ``count``, a German ``summary`` and ``problems`` (message, where,
    key). ``belongs(line)`` says whether a line is in the entry the editor shows."""
    problems = [{"message": notice, "where": "", "key": ""}] if notice else []
    for problem in check.errors:
        own = problem.path == check.path and belongs(problem.line)
        problems.append(
            {
                "message": translate(problem.message),
                "where": f"{problem.path}:{problem.line}",
                "key": key_at_line(text, problem.line) if own else "",
            }
        )
    count = len(problems)
    if count == 0:
        summary = "Geprüft: der Entwurf ist fehlerfrei."
    else:
        summary = f"Geprüft: {count} Fehler im Entwurf – siehe die Meldungen."
    return jsonify({"count": count, "summary": summary, "problems": problems})
