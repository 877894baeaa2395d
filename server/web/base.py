"""What every staff screen shares: the login check and the current definitions."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_admin import BaseView, expose

from ..runtime import Runtime, current_runtime
from ..schema.definitions import Definitions
from ..services.errors import NotFound
from ..services.records.changes import get_readable
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

    def readable(self, workflow_id: str, record_id: int):
        """(definitions, person, record, workflow) of a record the person may read and that
        belongs to ``workflow_id``, a workflow still declared; anything else is a 404."""
        defs, user = definitions(), current_user()
        try:
            record = get_readable(defs, user, record_id)
        except NotFound:
            abort(404)
        workflow = defs.workflows.get(record.workflow)
        if record.workflow != workflow_id or workflow is None:
            abort(404)
        return defs, user, record, workflow
