"""The addresses of the style sheets and scripts every page names, made once.

Every page frame (templates/verbund/master.html) names ten of them; ``url_for`` built each
anew on every request (issue 21: a tenth of the record page's template time). The address
depends only on the endpoint, the file, its version and where the application is mounted
(``SCRIPT_NAME``), so that is the key.
"""

from __future__ import annotations

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
