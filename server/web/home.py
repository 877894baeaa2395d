"""The start page: the workflows a person works in, and their most recent records."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose

from .. import clock
from ..models import Record
from ..services.access import may_see_workflow, readable_records, scope_of
from ..services.deadlines import open_deadlines, unread_reminders
from .base import definitions
from .session import current_user


class HomeView(AdminIndexView):
    def is_accessible(self) -> bool:
        return current_user() is not None

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    @expose("/")
    def index(self):
        defs, user = definitions(), current_user()
        workflows = [wf for wf in defs.workflows.values() if may_see_workflow(user, wf)]
        recent = []
        counts = {}
        if scope_of(defs, user) != "none":
            base = readable_records(defs, user)
            recent = list(base.order_by(Record.updated_at.desc()).limit(10))
            for wf in workflows:
                counts[wf.id] = base.where(Record.workflow == wf.id).count()
        return self.render(
            "verbund/home.html",
            my_deadlines=open_deadlines(defs, user, mine=True, limit=10),
            reminders=unread_reminders(defs, user),
            today=clock.today(),
            workflows=workflows,
            recent=recent,
            counts=counts,
            scope=scope_of(defs, user),
            workflow_defs=defs.workflows,
        )
