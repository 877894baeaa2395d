"""The audit log: read-only, filtered by person, record, action and time.

There is no route that changes or deletes an entry. Entries name who did what to which
object; they never hold form contents, so showing them gives no access to cases.
"""

from __future__ import annotations

import datetime as dt

from flask import request
from flask_admin import expose

from .. import clock
from ..german import parse_day
from ..models import AuditEntry
from .base import AdminView, page_number

PAGE = 100


def _local_day(raw: str) -> dt.datetime | None:
    """Midnight (local time) of a ``YYYY-MM-DD`` or ``TT.MM.JJJJ`` day, as naive UTC."""
    day = parse_day(raw or "")
    return None if day is None else clock.start_of_day(day)


class AuditLogView(AdminView):
    """/admin/audit"""

    @expose("/")
    def index(self):
        args = request.args
        query = AuditEntry.select()
        problems = []
        username = (args.get("user") or "").strip()[:64]
        if username:
            query = query.where(AuditEntry.username == username.lower())
        record = (args.get("record") or "").strip()
        if record:
            if record.isdigit() and len(record) < 12:
                query = query.where(AuditEntry.record_id == int(record))
            else:
                problems.append("Datensatz: bitte eine Nummer angeben.")
        action = (args.get("action") or "").strip()[:64]
        if action:
            # "record" finds every record.* action
            query = query.where(
                (AuditEntry.action == action) | AuditEntry.action.startswith(action + ".")
            )
        since, until = args.get("from") or "", args.get("to") or ""
        for raw, label, apply in (
            (since, "von", lambda t: AuditEntry.at >= t),
            (until, "bis", lambda t: AuditEntry.at < t + dt.timedelta(days=1)),
        ):
            if raw:
                moment = _local_day(raw)
                if moment is None:
                    problems.append(f"Datum „{label}“: bitte als TT.MM.JJJJ angeben.")
                else:
                    query = query.where(apply(moment))
        total = query.count()
        pages = max(1, -(-total // PAGE))
        page = min(page_number(), pages)
        rows = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).paginate(page, PAGE)
        actions = [
            row.action
            for row in AuditEntry.select(AuditEntry.action)
            .group_by(AuditEntry.action)
            .order_by(AuditEntry.action)
            .limit(500)
        ]
        filters = {"user": username, "record": record, "action": action, "from": since, "to": until}
        return self.render(
            "verbund/admin/audit_log.html",
            rows=list(rows),
            filters=filters,
            actions=actions,
            problems=problems,
            page=page,
            pages=pages,
            total=total,
        ), (422 if problems else 200)
