"""Records and definitions as the JSON the design promises."""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import clock
from ..models import Record
from ..schema.definitions import Definitions, FormDef, WorkflowDef
from ..services.documents.requests import document_json
from ..services.records.view import RecordView


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


def record_detail(view: RecordView) -> dict[str, Any]:
    """The full record as :func:`~server.services.records.view.record_view` shows it to the
    caller: data of every form, the transitions and documents open to them."""
    record, workflow = view.record, view.workflow
    out = record_summary(view.defs, record)
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
    out["transitions"] = [
        {"to": t.to, "label": t.label or (workflow.state(t.to).label)} for t in view.transitions
    ]
    out["editable_forms"] = view.editable_forms
    out["available_documents"] = [{"id": d.id, "label": d.label} for d in view.available_documents]
    # addition: the documents not open in this state, each with the reason (German)
    out["unavailable_documents"] = view.unavailable_documents
    out["deadlines"] = [
        {
            "label": d.label,
            "state": d.state,
            "due_on": d.due_on.isoformat(),
            "overdue": view.overdue(d),
        }
        for d in view.deadlines
    ]
    out["documents"] = [document_json(r) for r in view.documents]
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
        # addition: the role it was escalated to (its id), or None
        "escalated_to": deadline.escalated_to or None,
    }


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return _plain(dataclasses.asdict(value))
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        out = {k: _plain(v) for k, v in value.items() if k not in ("line", "path")}
        # a registered field type's own keys (FieldDef.options), as an object; absent if none
        if "options" in out and "type" in out and isinstance(out["options"], list):
            options = out.pop("options")
            if options:
                out["options"] = dict(options)
        return out
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
