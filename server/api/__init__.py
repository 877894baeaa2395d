"""The JSON API under /api/v1: bearer tokens, JSON in and out, never a 500 for bad input."""

from __future__ import annotations

from flask import Flask

# the route modules register their routes on the blueprint when they are imported
from . import config_routes, consent_routes, files, openapi, report_routes, routes  # noqa: F401
from .blueprint import bp


def init_api(app: Flask) -> None:
    """Register the API blueprint; it is exempt from CSRF because it uses bearer tokens."""
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)


__all__ = ["bp", "init_api"]
