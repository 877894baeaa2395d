"""What every staff screen shares: the login check and the current definitions."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_admin import BaseView, expose

from ..runtime import Runtime, current_runtime
from ..schema.definitions import Definitions
from .session import current_user


def runtime() -> Runtime:
    return current_runtime()


def definitions() -> Definitions:
    return runtime().definitions


class StaffView(BaseView):
    """A flask-admin view for logged-in people; anonymous visitors are sent to the login."""

    def is_accessible(self) -> bool:
        return current_user() is not None

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


class RecordPartView(StaffView):
    """A part of the record page with routes of its own under /records/ (the history, a
    form's versions): not in the menu; flask-admin needs an index, which leads to the start
    page (/records/ itself is RecordsView's)."""

    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self):
        return redirect(url_for("admin.index"))
