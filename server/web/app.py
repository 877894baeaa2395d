"""The Flask application object with Verbund's settings, and where it finds its runtime."""

from __future__ import annotations

import logging

from flask import Flask

from ..config import ensure_secret_key
from ..runtime import Runtime, attach_runtime
from .converters import IdConverter


def flask_app(runtime: Runtime) -> Flask:
    """A Flask app for ``runtime``'s installation; :func:`current_runtime` finds it there."""
    settings = runtime.settings
    app = Flask("server", instance_path=str(settings.instance_dir))
    app.config.update(
        SECRET_KEY=ensure_secret_key(settings),
        MAX_CONTENT_LENGTH=int(settings.section("uploads").get("max_bytes", 10 << 20)) + 65536,
        # a form with a long table has many inputs (Werkzeug refuses more than 1000 by default)
        MAX_FORM_PARTS=50_000,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the login session
        JSON_SORT_KEYS=False,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    # ids in URLs are 64-bit: a longer number is "not found", not a database overflow
    app.url_map.converters["int"] = IdConverter
    attach_runtime(app, runtime)
    return app


def init_logging(app: Flask) -> None:
    """Log to stderr with time and level, unless Flask's debug mode has its own."""
    if not app.debug:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
