"""The blueprint of /api/v1 and what holds for every route: bearer tokens, JSON errors.

The route modules (routes.py, files.py, …) register on :data:`bp`; :func:`server.api.init_api`
imports them and registers the blueprint on the app.
"""

from __future__ import annotations

import logging

from flask import Blueprint, g, request
from werkzeug.exceptions import HTTPException

from ..runtime import current_runtime
from ..services.accounts.people import user_for_token
from ..services.errors import ServiceError
from ..services.records.uploads import too_large_message
from .errors import json_error, keep_http_headers, service_error

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def _authenticate():
    g.user = None
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        return json_error(
            401, "Anmeldung nötig: Authorization: Bearer <Token> fehlt oder ist ungültig."
        )
    g.user = user
    return None


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError):
    return service_error(exc)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    messages = {
        400: "Ungültige Anfrage: der Inhalt ist kein gültiges JSON.",
        404: "Nicht gefunden.",
        405: "Diese Methode ist hier nicht erlaubt.",
        413: "Die Anfrage ist zu groß.",
        415: "Bitte JSON senden (Content-Type: application/json).",
    }
    if exc.code == 413:
        messages[413] = too_large_message(current_runtime().settings)
    response = json_error(exc.code or 500, messages.get(exc.code, exc.description or "Fehler"))
    return keep_http_headers(exc, response)


@bp.errorhandler(Exception)
def _unexpected(exc: Exception):
    log.exception("API error")
    return json_error(500, "Interner Fehler. Es wurden keine Daten verändert.")
