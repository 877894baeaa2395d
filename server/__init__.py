"""Verbund: forms and workflows from TOML, staff screens, a JSON API and Word documents."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing server.workflow or server.schema must not pull in Flask
    from flask import Flask

from .version import __version__ as __version__


def create_app(config_path: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application for the installation described by ``config_path``.

    ``overrides`` is merged over the file's settings (tests use it for paths and URLs).
    """
    # Imported here, not at the top: ``import server.workflow`` (or schema, or the CLI's
    # ``verbund check``) runs this package's __init__ and must not load Flask and every screen.
    # The app factory is the top of the layers (docs/architecture.md), so nothing cycles.
    from flask import Flask

    from . import models
    from .admin import init_admin
    from .api import init_api
    from .config import ensure_secret_key, load_settings
    from .documents.store import seed_from_exports
    from .runtime import Runtime, set_runtime
    from .web import init_web
    from .web.converters import IdConverter
    from .web.input_guard import init_input_guard
    from .web.metrics import init_metrics
    from .web.privacy.screens import init_privacy

    settings = load_settings(config_path, overrides)
    runtime = set_runtime(Runtime(settings))
    runtime.open_database()

    app = Flask(__name__, instance_path=str(settings.instance_dir))
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
    app.config["VERBUND_RUNTIME"] = runtime
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    # ids in URLs are 64-bit: a longer number is "not found", not a database overflow
    app.url_map.converters["int"] = IdConverter
    models.create_tables()
    seed_from_exports(settings)  # the shipped templates are their first revisions
    admin = init_web(app)  # staff screens, sessions, CSRF, error pages
    init_admin(admin)  # the administration screens, in the same menu
    init_privacy(admin)  # data-protection screens and the read audit
    init_api(app)
    init_metrics(app)  # GET /metrics (Prometheus), access by address or token
    init_input_guard(app)  # first of the before_request hooks: no view sees such input

    if not app.debug:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    return app
