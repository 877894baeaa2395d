"""JSON error answers: the API never answers with HTML or a traceback."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from ..forms.error_cap import cap_errors
from ..services.errors import ServiceError


def json_error(status: int, message: str, errors: Any = None):
    """A JSON error answer; ``errors`` is capped, so its size never follows the input's."""
    body: dict[str, Any] = {"error": message}
    if errors is not None:
        body["errors"] = cap_errors(errors)
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="verbund"'
    return response


def service_error(exc: ServiceError):
    """The answer to an operation's refusal (422 always carries ``errors``)."""
    errors = exc.errors
    if errors is None and exc.status == 422:
        errors = [exc.message]
    return json_error(exc.status, exc.message, errors)


def keep_http_headers(exc: Exception, response):
    """Copy the headers an HTTP error carries (``Allow`` on a 405) onto our own answer.

    RFC 9110 wants ``Allow`` on every 405; Werkzeug puts it on the exception, and a handler
    that builds its own body would otherwise drop it.
    """
    get_headers = getattr(exc, "get_headers", None)
    if get_headers is None:
        return response
    for name, value in get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response
