"""Records and definitions as the JSON the design promises."""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import clock
from ..documents.availability import unavailable_documents
from ..models import Deadline, Record, User
from ..schema.definitions import Definitions, FormDef, WorkflowDef
from ..services.access import can_edit_state, within_edit_scope
from ..services.documents import available_documents, document_json
from ..workflow.engine import allowed_transitions


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def record_summary(defs: Definitions, record: Record) -> dict[str, Any]:
    workflow = defs.workflows.get(record.workflow)
    state = workflow.state(record.state) if workflow else None
    return {
        "id": record.id,
        "workflow": record.workflow,
        "title": record.title,
        "state": record.state,
        "state_label": state.label if state else record.state,
        "version": record.version,
        "owner": record.owner.username if record.owner_id else None,
        "organisation": record.organisation.name if record.organisation_id else None,
        "created_at": _iso(record.created_at),
        "updated_at": _iso(record.updated_at),
    }


def record_detail(defs: Definitions, user: User, record: Record) -> dict[str, Any]:
    """The full record: data of every form, the transitions and documents open to ``user``."""
    out = record_summary(defs, record)
    workflow = defs.workflows.get(record.workflow)
    out["data"] = dict(record.data or {})
    if workflow is None:
        out.update(
            transitions=[],
            documents=[],
            available_documents=[],
            unavailable_documents=[],
            editable_forms=[],
        )
        return out
    may_change = within_edit_scope(user, workflow, record)
    out["transitions"] = [
        {"to": t.to, "label": t.label or (workflow.state(t.to).label)}
        for t in allowed_transitions(workflow, record.state, frozenset(user.roles or []))
        if may_change
    ]
    state = workflow.state(record.state)
    out["editable_forms"] = (
        list(state.forms) if state and can_edit_state(user, workflow, record.state, record) else []
    )
    out["available_documents"] = [
        {"id": d.id, "label": d.label} for d in available_documents(defs, record)
    ]
    # addition: the documents not open in this state, each with the reason (German)
    out["unavailable_documents"] = unavailable_documents(workflow, record.state)
    out["deadlines"] = [
        {
            "label": d.label,
            "state": d.state,
            "due_on": d.due_on.isoformat(),
            "overdue": d.due_on < clock.today(),
        }
        for d in record.deadlines.where(Deadline.closed_at.is_null()).order_by(Deadline.due_on)
    ]
    out["documents"] = [
        document_json(r) for r in record.documents.order_by(record.documents.model.id.desc())
    ]
    return out


def deadline_json(deadline) -> dict[str, Any]:
    return {
        "id": deadline.id,
        "record": deadline.record_id,
        "title": deadline.record.title,
        "workflow": deadline.record.workflow,
        "state": deadline.state,
        "label": deadline.label,
        "due_on": deadline.due_on.isoformat(),
        "overdue": deadline.due_on < clock.today(),
    }


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {
            k: _plain(v) for k, v in dataclasses.asdict(value).items() if k not in ("line", "path")
        }
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in ("line", "path")}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def form_json(form: FormDef) -> dict[str, Any]:
    return _plain(form)


def workflow_json(workflow: WorkflowDef) -> dict[str, Any]:
    out = _plain(workflow)
    for transition in out.get("transitions", []):
        transition["from"] = transition.pop("from_states")
    return out
