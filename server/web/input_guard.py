"""One check of every request's input before any view sees it.

Some text cannot be stored or answered at all: PostgreSQL refuses the NUL character in any
text (a query with it fails), a lone UTF-16 surrogate (``"\\ud800"`` in JSON) cannot be
written back as UTF-8, and JSON nested deeper than the parser goes raises. Rather than
each route guarding against these, such a request is refused here with a German message
naming the parameter or field: a 400 page on the screens, 422 in the API (like its other
invalid parameters and bodies). The form engine's own, more specific checks
(a NUL in a text field) stay for every other way in (CLI, jobs).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request

from ..api.errors import json_error

MAX_DEPTH = 64

NUL = "enthält das unzulässige Zeichen NUL (\\u0000)."
SURROGATE = "enthält ein ungültiges Unicode-Zeichen (einzelnes Surrogat)."
DEPTH = f"ist zu tief verschachtelt (höchstens {MAX_DEPTH} Ebenen)."


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be taken, or None."""
    if "\x00" in text:
        return NUL
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE
    return None


def _shown(name: str) -> str:
    """A parameter name as a message may quote it (short, printable)."""
    name = "".join(c if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF else "?" for c in name)
    return name[:64] or "?"


def pairs_problems(pairs) -> dict[str, list[str]]:
    """Problems of (name, value) pairs of a query string or of form fields."""
    problems: dict[str, list[str]] = {}
    for name, value in pairs:
        name = name if isinstance(name, str) else ""  # a multipart part without a name
        problem = text_problem(name) or (text_problem(value) if isinstance(value, str) else None)
        if problem:
            problems.setdefault(_shown(name), []).append(problem)
    return problems


def json_problems(value: Any, path: str = "", depth: int = 0) -> dict[str, list[str]]:
    """Problems anywhere in a parsed JSON value, keyed by the dotted path (``data.name``)."""
    where = path or "body"
    if depth > MAX_DEPTH:
        return {where: [DEPTH]}
    if isinstance(value, str):
        problem = text_problem(value)
        return {where: [problem]} if problem else {}
    problems: dict[str, list[str]] = {}
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(i), v) for i, v in enumerate(value))
    else:
        return problems
    for key, item in items:
        key_problem = text_problem(key)
        child = f"{path}.{_shown(key)}" if path else _shown(key)
        if key_problem:
            problems.setdefault(child, []).append(key_problem)
            continue
        for name, found in json_problems(item, child, depth + 1).items():
            problems.setdefault(name, []).extend(found)
    return problems


def _json_body() -> tuple[bool, Any]:
    """(parsed, value) of a JSON body; (False, None) when it is no JSON at all."""
    try:
        return True, request.get_json(silent=True)
    except RecursionError:
        return False, RecursionError


def _refuse(problems: dict[str, list[str]]):
    """The German answer: every message names its parameter or field (as it was sent)."""
    errors = {
        name: [f"„{name}“ {problem}" for problem in found] for name, found in problems.items()
    }
    message = "Ungültige Eingabe: " + next(iter(errors.values()))[0]
    if len(errors) > 1:
        message += f" (und {len(errors) - 1} weitere)"
    if request.path.startswith("/api/"):
        return json_error(422, message, errors)
    return render_template(
        "verbund/error.html", code=400, title="Ungültige Eingabe", text=message
    ), 400


def check_request():
    """``before_request``: refuse input no view could store or answer, else None."""
    if problems := pairs_problems(request.args.items(multi=True)):
        return _refuse(problems)
    if request.is_json:
        parsed, value = _json_body()
        if value is RecursionError:
            return _refuse({"body": [DEPTH]})
        if parsed and (problems := json_problems(value)):
            # ``data`` holds a form's fields: its errors are keyed like the form's own
            # (``field``, ``table.0.column``), as the API promises
            problems = {k.removeprefix("data."): v for k, v in problems.items()}
            return _refuse(problems)
    elif request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        if problems := pairs_problems(request.form.items(multi=True)):
            return _refuse(problems)
    return None


def init_input_guard(app: Flask) -> None:
    """Run :func:`check_request` before every other ``before_request`` hook."""
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
