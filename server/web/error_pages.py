"""Error pages: a German page for the screens, JSON for the API, never a traceback."""

from __future__ import annotations

from flask import Flask, make_response, render_template, request
from flask_wtf.csrf import CSRFError

from ..api.errors import json_error, keep_http_headers
from ..runtime import current_runtime
from ..services.records.uploads import too_large_message

ERROR_TEXTS = {
    400: ("Ungültige Anfrage", "Die Anfrage konnte nicht verarbeitet werden."),
    403: ("Keine Berechtigung", "Sie dürfen diese Seite oder Aktion nicht nutzen."),
    404: ("Nicht gefunden", "Diese Seite gibt es nicht, oder Sie dürfen sie nicht sehen."),
    405: ("Nicht erlaubt", "Diese Aktion ist hier nicht möglich."),
    413: ("Zu groß", "Die gesendeten Daten sind zu groß."),
    500: (
        "Interner Fehler",
        "Etwas ist schiefgegangen. Ihre gespeicherten Daten sind sicher; "
        "bitte versuchen Sie es erneut oder melden Sie den Fehler.",
    ),
}


def init_error_pages(app: Flask) -> None:
    """Register the error pages of ``app`` (the API's blueprint answers its own first)."""

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        return error_page(
            400,
            "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu "
            "und senden Sie es noch einmal.",
        )

    for code in ERROR_TEXTS:
        app.register_error_handler(code, lambda exc, code=code: error_page(code, exc=exc))
    # a request beyond [uploads] max_bytes: say what the limit is
    app.register_error_handler(
        413, lambda exc: error_page(413, too_large_message(current_runtime().settings))
    )


def error_page(code: int, text: str | None = None, exc: Exception | None = None):
    """The answer for an error ``code``: JSON under /api/, else the German error page."""
    if request.path.startswith("/api/"):
        response = json_error(code, text or ERROR_TEXTS[code][1])
    else:
        title, default_text = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
        page = render_template(
            "verbund/error.html", code=code, title=title, text=text or default_text
        )
        response = make_response(page, code)
    return keep_http_headers(exc, response) if exc is not None else response
