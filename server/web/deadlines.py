"""The "Fristen" screen: open, overdue and escalated deadlines of the records a person may read."""

from __future__ import annotations

import datetime as dt

from flask import abort, redirect, request, url_for
from flask_admin import expose

from .. import clock
from ..services.records.deadlines import SCREEN_COUNT_LIMIT, mark_read, open_deadlines_page
from .base import StaffView, definitions
from .session import current_user


class DeadlinesView(StaffView):
    @expose("/")
    def index(self):
        mine = request.args.get("mine") == "1"
        overdue = request.args.get("overdue") == "1"
        escalated = request.args.get("escalated") == "1"
        page = open_deadlines_page(
            definitions(),
            current_user(),
            request.args.get("page", 1),
            mine=mine,
            overdue=overdue,
            escalated=escalated,
            count_limit=SCREEN_COUNT_LIMIT,
        )
        # the filters as they are, kept on every page link
        args = {
            k: "1"
            for k, on in (("mine", mine), ("overdue", overdue), ("escalated", escalated))
            if on
        }
        return self.render(
            "verbund/deadlines.html",
            items=page.items,
            page=page,
            args=args,
            mine=mine,
            overdue=overdue,
            escalated=escalated,
            today=clock.today(),
            workflows=definitions().workflows,
        )

    @expose("/reminders/<int:reminder_id>/read", methods=["POST"])
    def reminder_read(self, reminder_id: int):
        if not mark_read(current_user(), reminder_id):
            abort(404)
        return redirect(url_for("admin.index"))


def deadline_notes(deadline, today: dt.date) -> list[str]:
    """What the deadline tables say beside the date (German): "überfällig seit 3 Tagen",
    "eskaliert an Teamleitung" (the role's label from the configuration)."""
    notes = []
    late = (today - deadline.due_on).days
    if late > 0:
        notes.append(f"überfällig seit {late} {'Tag' if late == 1 else 'Tagen'}")
    if deadline.escalated_to:
        role = definitions().roles.get(deadline.escalated_to)
        notes.append(f"eskaliert an {role.label if role else deadline.escalated_to}")
    return notes
