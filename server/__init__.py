"""Verbund: forms and workflows from TOML, staff screens, a JSON API and Word documents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing server.workflow or server.schema must not pull in Flask
    from flask import Flask

from .version import __version__ as __version__


def create_app(config_path: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application for the installation described by ``config_path``.

    ``overrides`` is merged over the file's settings (tests use it for paths and URLs).
    Each line wires one part; the order matters where a comment says why.
    """
    # Imported here, not at the top: ``import server.workflow`` (or schema, or the CLI's
    # ``verbund check``) runs this package's __init__ and must not load Flask and every screen.
    # The app factory is the top of the layers (docs/architecture.md), so nothing cycles.
    from .admin import init_admin
    from .api import init_api
    from .config import load_settings
    from .runtime import prepare_database, start_runtime
    from .web import init_web
    from .web.app import flask_app, init_logging
    from .web.database import init_database
    from .web.error_pages import init_error_pages
    from .web.health import init_health
    from .web.input_guard import init_input_guard
    from .web.menu import init_menu
    from .web.metrics import init_metrics
    from .web.privacy.screens import init_privacy
    from .web.request_metrics import init_request_metrics

    settings = load_settings(config_path, overrides)  # config.toml, VERBUND_*, overrides
    # database opened (an empty one created, an outdated one refused: `verbund migrate`),
    # privacy's consent guard registered
    runtime = start_runtime(settings)
    prepare_database(runtime)  # shipped templates as first revisions
    app = flask_app(runtime)  # Flask settings; current_runtime() finds the runtime here
    init_database(app)  # a connection per request (first hook, before the login is read)
    menu = init_menu(app, settings)  # the one flask-admin menu every screen joins
    init_web(app, menu)  # staff screens, sessions, CSRF, security headers
    init_admin(menu)  # administration screens
    init_privacy(menu)  # data-protection screens and the read audit
    init_api(app)  # JSON API under /api/v1
    init_metrics(app)  # GET /metrics (Prometheus), access by address or token
    init_error_pages(app)  # German error pages, JSON under /api/
    init_input_guard(app)  # runs before every other hook: no view sees such input
    init_request_metrics(app)  # its timer before even the input guard (refusals count too)
    init_health(app)  # GET /healthz ahead of every hook: no session, no audit, no cookie
    init_logging(app)
    return app
