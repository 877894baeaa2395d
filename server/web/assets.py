"""The addresses of the style sheets and scripts every page names, made once; and the
addresses of a record page's buttons and links, built once per route (:func:`route_url`).

Every page frame (templates/verbund/master.html) names ten of them; ``url_for`` built each
anew on every request (issue 21: a tenth of the record page's template time). The address
depends only on the endpoint, the file, its version and where the application is mounted
(``SCRIPT_NAME``), so that is the key.
"""

from __future__ import annotations

import re

from flask import request, url_for

KEPT = 256  # addresses kept before the store starts again (a fixed set in practice)

_kept: dict[tuple, str] = {}


def asset(endpoint: str, filename: str, version: str | None = None) -> str:
    """``url_for(endpoint, filename=filename, v=version)``, kept after the first time."""
    key = (request.script_root, endpoint, filename, version)
    found = _kept.get(key)
    if found is None:
        if len(_kept) >= KEPT:
            _kept.clear()
        extra = {"v": version} if version else {}
        found = _kept[key] = url_for(endpoint, filename=filename, **extra)
    return found


# a value that goes into an address as it is: no quoting can differ from url_for's
_PLAIN = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
_MARK = 8_642_000_000  # placeholder numbers; far beyond any id in an address


def route_url(endpoint: str, **values: int | str) -> str:
    """``url_for(endpoint, **values)`` from a pattern built once per endpoint and argument
    names: the record page names ~20 routes of its record (issue 21: ``url_for`` was a tenth
    of its time). Values that are not whole numbers or plain ids go to ``url_for`` itself."""
    if not all(
        (type(v) is int and 0 <= v < _MARK) or (type(v) is str and _PLAIN.match(v))
        for v in values.values()
    ):
        return url_for(endpoint, **values)
    names = tuple((name, type(values[name]) is int) for name in sorted(values))
    key = (request.script_root, endpoint, names)
    pattern = _kept.get(key)
    if pattern is None:
        if len(_kept) >= KEPT:
            _kept.clear()
        marks: dict[str, int | str] = {}
        for n, (name, is_int) in enumerate(names):
            marks[name] = _MARK + n if is_int else str(_MARK + n)
        by_mark = {str(mark): name for name, mark in marks.items()}
        pieces = re.split("(" + "|".join(by_mark) + ")", url_for(endpoint, **marks))
        # odd places hold the names of the values, even ones the text between them
        pattern = _kept[key] = tuple(
            by_mark[piece] if n % 2 else piece for n, piece in enumerate(pieces)
        )
    return "".join(str(values[p]) if n % 2 else p for n, p in enumerate(pattern))
