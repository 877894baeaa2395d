"""The "Fristen" screen: open and overdue deadlines of the records a person may read."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_admin import expose

from .. import clock
from ..services.records.deadlines import mark_read, open_deadlines
from .base import StaffView, definitions
from .session import current_user


class DeadlinesView(StaffView):
    @expose("/")
    def index(self):
        mine = request.args.get("mine") == "1"
        overdue = request.args.get("overdue") == "1"
        items = open_deadlines(definitions(), current_user(), mine=mine, overdue=overdue)
        return self.render(
            "verbund/deadlines.html",
            items=items,
            mine=mine,
            overdue=overdue,
            today=clock.today(),
            workflows=definitions().workflows,
        )

    @expose("/reminders/<int:reminder_id>/read", methods=["POST"])
    def reminder_read(self, reminder_id: int):
        if not mark_read(current_user(), reminder_id):
            abort(404)
        return redirect(url_for("admin.index"))
