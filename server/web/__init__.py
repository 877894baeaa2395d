"""The staff screens: flask-admin views, login sessions, CSRF and security headers."""

from __future__ import annotations

from flask import Flask, g, has_request_context, request
from flask_admin import Admin
from flask_wtf.csrf import CSRFProtect

from ..forms.links import size_label
from ..german import day_text, local_time
from ..runtime import current_runtime
from ..schema.fieldtypes import field_type, type_names
from ..services import audit
from ..services.register.decisions import register_config
from .accessibility import AccessibilityView
from .assets import asset, route_url
from .auth import AuthView, enforce_second_factor
from .base import definitions
from .deadlines import DeadlinesView, deadline_notes
from .documents import DocumentsView
from .files import FilesView
from .form_history import FormHistoryView
from .menu import menu_workflows, visible_items
from .notifications import NotificationsView, unread_for_menu
from .record_history import RecordHistoryView
from .records import RecordsView
from .register import RegisterView
from .security import init_security
from .session import current_user, load_user

csrf = CSRFProtect()


def _request_address() -> str:
    return (request.remote_addr or "")[:64] if has_request_context() else ""


def _note_audited(record_id: int) -> None:
    if has_request_context():  # read by the read audit (server/web/privacy/read_audit.py)
        g.setdefault("audited_records", set()).add(record_id)


def init_web(app: Flask, menu: Admin) -> None:
    """Register the staff screens in ``menu``, sessions, CSRF and security headers on ``app``."""
    audit.use_request_hooks(_request_address, _note_audited)  # also for the API's requests
    csrf.init_app(app)
    menu.add_view(AuthView(name="Anmeldung", url="/auth", endpoint="auth"))
    menu.add_view(
        AccessibilityView(name="Barrierefreiheit", url="/barrierefreiheit", endpoint="a11y")
    )
    menu.add_view(RecordsView(name="Datensätze", url="/records", endpoint="records"))
    menu.add_view(DocumentsView(name="Dokumente", url="/documents", endpoint="documents"))
    menu.add_view(DeadlinesView(name="Fristen", url="/deadlines", endpoint="deadlines"))
    menu.add_view(FilesView(name="Dateien", url="/files", endpoint="files"))
    menu.add_view(
        NotificationsView(name="Benachrichtigungen", url="/notifications", endpoint="notifications")
    )
    menu.add_view(FormHistoryView(name="Versionen", url="/records", endpoint="form_history"))
    menu.add_view(RecordHistoryView(name="Verlauf", url="/records", endpoint="record_history"))
    register = register_config(current_runtime(app).settings)
    if register is not None:
        menu.add_view(RegisterView(name=register.title, url="/register", endpoint="register"))

    @app.before_request
    def _load_user():
        if request.blueprint != "api" and not request.path.startswith("/static/"):
            load_user()
            return enforce_second_factor()
        return None

    app.add_template_filter(local_time, "localtime")
    app.add_template_filter(day_text, "tag")
    app.add_template_filter(size_label, "filesize")
    # the form widgets ask the field type registry (templates/verbund/_widgets.html)
    app.add_template_global(field_type, "field_type")
    app.add_template_global(upload_types, "upload_types")
    app.add_template_global(deadline_notes, "deadline_notes")
    app.add_template_global(_menu_items, "menu_items")
    app.add_template_global(asset, "asset")
    app.add_template_global(route_url, "route_url")

    @app.context_processor
    def _navigation():
        user = current_user()
        if user is None:
            return {"current_user": None, "menu_workflows": []}
        return {
            "current_user": user,
            "menu_workflows": menu_workflows(definitions(), user),
            "unread_notifications": unread_for_menu(),
        }

    init_security(app)


def _menu_items(admin) -> list:
    """The main menu's items the current person sees, with their children (verbund/_menu.html)."""
    user = current_user()
    if user is None:
        return []
    return visible_items(admin, user, definitions(), current_runtime().settings)


def upload_types() -> tuple[str, ...]:
    """The field types whose widget uploads a file (their form is sent as multipart)."""
    return tuple(name for name in type_names() if field_type(name).widget == "file")
