"""The plain data a Word template sees: ``record``, every form by id, ``history``, ``now``.

Only dicts, lists, strings, numbers and booleans go in, never model objects, so a template
cannot reach the database or call anything through them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from peewee import JOIN

from ..forms.types import field_type
from ..models import Record, TransitionLog, User
from ..schema.definitions import Definitions

LOCAL_ZONE = ZoneInfo("Europe/Berlin")


def local_time(value: dt.datetime | None) -> str:
    """A naive UTC timestamp as German local time text."""
    if value is None:
        return ""
    return value.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE).strftime("%d.%m.%Y %H:%M")


def document_context(defs: Definitions, record: Record) -> dict[str, Any]:
    """Everything a template of ``record``'s workflow may use, as plain data."""
    workflow = defs.workflows[record.workflow]
    state = workflow.state(record.state)
    data = record.data or {}
    context: dict[str, Any] = {}
    for form_id in workflow.form_ids:
        form = defs.forms.get(form_id)
        saved = data.get(form_id) or {}
        if form is None:
            continue
        # every field present, so a template for an early state renders later forms as empty
        context[form_id] = {
            f.name: field_type(f.type).empty_value()
            if saved.get(f.name) is None
            else saved.get(f.name)
            for f in form.fields
        }
    context["record"] = {
        "id": record.id,
        "title": record.title,
        "state": record.state,
        "state_label": state.label if state else record.state,
        "workflow": workflow.title,
        "organisation": record.organisation.label if record.organisation_id else "",
        "owner": str(record.owner) if record.owner_id else "",
        "created": local_time(record.created_at),
        "updated": local_time(record.updated_at),
        "version": record.version,
    }
    history = []
    query = (
        TransitionLog.select(TransitionLog, User)
        .join(User, on=(TransitionLog.user == User.id), join_type=JOIN.LEFT_OUTER)
        .where(TransitionLog.record == record.id)
        .order_by(TransitionLog.id)
    )
    for entry in query:
        to_state = workflow.state(entry.to_state)
        history.append(
            {
                "at": local_time(entry.at),
                "from": entry.from_state or "",
                "to": entry.to_state,
                "to_label": to_state.label if to_state else entry.to_state,
                "label": entry.label,
                "user": str(entry.user) if entry.user_id else "",
            }
        )
    context["history"] = history
    context["now"] = local_time(dt.datetime.now(dt.UTC).replace(tzinfo=None))
    return context
