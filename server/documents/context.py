"""The plain data a Word template sees: ``record``, every form by id, ``history``, ``now``.

Only dicts, lists, strings, numbers, dates and booleans go in, never model objects, so a
template cannot reach the database or call anything through them. Values are typed the way
the form engine types them for expressions (dates as ``date``, decimals as ``Decimal``), and a
select value is a :class:`~server.schema.fieldtypes.ChoiceValue` that knows its label;
each field type decides its template value (``FieldType.template_value``).

Every string is made safe for Word's XML on the way in: characters XML 1.0 forbids (control
characters, lone surrogates) are dropped, so no input can produce a broken .docx.
"""

from __future__ import annotations

from typing import Any

from peewee import JOIN

from .. import clock
from ..german import local_time
from ..models import Record, TransitionLog, User
from ..schema.definitions import Definitions, FieldDef, FormDef
from ..schema.fieldtypes import ChoiceValue, ScaleValue, field_type
from .references import resolve_references
from .xml_text import xml_text


def safe(value: Any) -> Any:
    """``value`` with every string in it (also inside lists and dicts) made XML-safe."""
    if isinstance(value, ChoiceValue):
        return ChoiceValue(xml_text(str(value)), xml_text(value.label))
    if isinstance(value, ScaleValue):
        return ScaleValue(int(value), xml_text(value.label))
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, dict):
        return {k: safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [safe(v) for v in value]
    return value


def template_value(field: FieldDef, value: Any) -> Any:
    """A saved (clean) value as a template sees it: typed, choices with their labels."""
    return field_type(field.type).template_value(field, value)


def form_values(form: FormDef, saved: dict[str, Any] | None) -> dict[str, Any]:
    """Every field of ``form`` (empty where nothing was saved) as a template sees it."""
    saved = saved or {}
    return {f.name: safe(template_value(f, saved.get(f.name))) for f in form.fields}


def document_context(defs: Definitions, record: Record) -> dict[str, Any]:
    """Everything a template of ``record``'s workflow may use, as plain data."""
    workflow = defs.workflows[record.workflow]
    state = workflow.state(record.state)
    data = record.data or {}
    context: dict[str, Any] = {}
    for form_id in workflow.form_ids:
        form = defs.forms.get(form_id)
        if form is not None:
            # every field present, so a template for an early state renders later forms empty
            context[form_id] = form_values(form, data.get(form_id))
    # references print the target's title where every reader may see it (references.py)
    resolve_references(defs, workflow, context)
    context["record"] = safe(
        {
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
    )
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
    context["history"] = safe(history)
    context["now"] = local_time(clock.now())
    return context


# keys of ``record`` and of each ``history`` entry, for the template lint
RECORD_KEYS = (
    "id",
    "title",
    "state",
    "state_label",
    "workflow",
    "organisation",
    "owner",
    "created",
    "updated",
    "version",
)
HISTORY_KEYS = ("at", "from", "to", "to_label", "label", "user")
