"""The staff screens: flask-admin views, login sessions, CSRF, error pages and headers."""

from __future__ import annotations

from flask import Flask, g, has_request_context, make_response, render_template, request
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_wtf.csrf import CSRFError, CSRFProtect

from ..api.errors import json_error, keep_http_headers
from ..forms.links import size_label
from ..german import day_text, local_time
from ..models import database, is_sqlite
from ..services import audit
from ..services.records.access import can_create, may_see_workflow, scope_in
from ..services.records.uploads import too_large_message
from ..services.register.decisions import register_config
from .accessibility import AccessibilityView
from .auth import AuthView, enforce_second_factor
from .base import definitions
from .deadlines import DeadlinesView
from .documents import DocumentsView
from .files import FilesView
from .form_history import FormHistoryView
from .home import HomeView
from .records import RecordsView
from .register import RegisterView
from .security import init_security
from .session import current_user, load_user

csrf = CSRFProtect()

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


def _request_address() -> str:
    return (request.remote_addr or "")[:64] if has_request_context() else ""


def _note_audited(record_id: int) -> None:
    if has_request_context():  # read by the read audit (server/web/privacy/read_audit.py)
        g.setdefault("audited_records", set()).add(record_id)


def init_web(app: Flask) -> Admin:
    """Register the staff screens on ``app``; the administration and data-protection screens
    join the returned flask-admin (the app factory adds them)."""
    audit.use_request_hooks(_request_address, _note_audited)  # also for the API's requests
    csrf.init_app(app)
    admin = Admin(
        app,
        name=app.config["VERBUND_RUNTIME"].settings.section("server").get("name", "Verbund"),
        url="/",
        index_view=HomeView(name="Start", url="/", endpoint="admin"),
        theme=Bootstrap4Theme(base_template="verbund/master.html", fluid=True),
    )
    admin.add_view(AuthView(name="Anmeldung", url="/auth", endpoint="auth"))
    admin.add_view(
        AccessibilityView(name="Barrierefreiheit", url="/barrierefreiheit", endpoint="a11y")
    )
    admin.add_view(RecordsView(name="Datensätze", url="/records", endpoint="records"))
    admin.add_view(DocumentsView(name="Dokumente", url="/documents", endpoint="documents"))
    admin.add_view(DeadlinesView(name="Fristen", url="/deadlines", endpoint="deadlines"))
    admin.add_view(FilesView(name="Dateien", url="/files", endpoint="files"))
    admin.add_view(FormHistoryView(name="Versionen", url="/records", endpoint="form_history"))
    register = register_config(app.config["VERBUND_RUNTIME"].settings)
    if register is not None:
        admin.add_view(RegisterView(name=register.title, url="/register", endpoint="register"))
    app.extensions["verbund_admin"] = admin

    @app.before_request
    def _open_db_and_user():
        database.connect(reuse_if_open=True)
        if request.blueprint != "api" and not request.path.startswith("/static/"):
            load_user()
            return enforce_second_factor()
        return None

    @app.teardown_request
    def _end_request(exc):
        if database.is_closed():
            return
        if database.in_transaction():
            database.rollback()  # left open by an error
        # A SQLite connection stays open for this thread's next request: a fresh one starts
        # with an empty page cache and re-reads the schema, which made list pages slower the
        # larger the database grew. PostgreSQL keeps its cache in the server; closing there
        # means a restarted server never leaves a thread with a dead connection.
        if not is_sqlite():
            database.close()

    app.add_template_filter(local_time, "localtime")
    app.add_template_filter(day_text, "tag")
    app.add_template_filter(size_label, "filesize")

    @app.context_processor
    def _navigation():
        user = current_user()
        if user is None:
            return {"current_user": None, "menu_workflows": []}
        defs = definitions()
        # a workflow whose records one can neither read nor create would be an empty list:
        # not in the menu (e.g. cases for the KIM coordination, which sees them only counted)
        workflows = [
            wf
            for wf in defs.workflows.values()
            if may_see_workflow(user, wf)
            and (scope_in(defs, user, wf) != "none" or can_create(user, wf))
        ]
        return {"current_user": user, "menu_workflows": workflows}

    init_security(app)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        return _error_page(
            400,
            "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu "
            "und senden Sie es noch einmal.",
        )

    for code in ERROR_TEXTS:
        app.register_error_handler(code, lambda exc, code=code: _error_page(code, exc=exc))
    # a request beyond [uploads] max_bytes: say what the limit is
    app.register_error_handler(
        413, lambda exc: _error_page(413, too_large_message(app.config["VERBUND_RUNTIME"].settings))
    )
    return admin


def _error_page(code: int, text: str | None = None, exc: Exception | None = None):
    if request.path.startswith("/api/"):
        response = json_error(code, text or ERROR_TEXTS[code][1])
    else:
        title, default_text = ERROR_TEXTS.get(code, ERROR_TEXTS[500])
        page = render_template(
            "verbund/error.html", code=code, title=title, text=text or default_text
        )
        response = make_response(page, code)
    return keep_http_headers(exc, response) if exc is not None else response
