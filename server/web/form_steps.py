"""A form with ``[[steps]]`` on the record page: one step at a time, a step list, a summary.

Everything is rendered by the server: the step shown is the query parameter ``step``
(1-based; one past the last step is the summary) for the form named by ``form``, so the
screens work without JavaScript. Each step's form posts only that step's fields with a
hidden ``step``; the service saves them (:func:`server.services.records.form_fill.save_form_step`)
and the page moves on ("Speichern und weiter") or back ("Zurück").
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import url_for

from ..forms.steps import field_of_key, open_errors
from ..schema.definitions import FieldDef, FormDef
from ..schema.fieldtypes import field_type, is_empty

SUMMARY = "Zusammenfassung"


def requested_step(form: FormDef, args: Any) -> int:
    """The 0-based step of ``form`` the query asks for (``len(steps)``: the summary)."""
    if args.get("form") != form.id:
        return 0
    try:
        number = int(args.get("step", "1"))
    except ValueError:
        return 0
    return min(max(number, 1), len(form.steps) + 1) - 1


def step_url(workflow_id: str, record_id: int, form: FormDef, index: int, anchor: str = "") -> str:
    """The address of step ``index`` (0-based) of ``form`` on the record page."""
    base = url_for(
        "records.record",
        workflow_id=workflow_id,
        record_id=record_id,
        form=form.id,
        step=index + 1,
    )
    return f"{base}#{anchor or 'form-' + form.id}"


def _target(form: FormDef, key: str) -> str:
    """The id of the input an error of ``key`` leads to (as the error summary does)."""
    parts = key.split(".")
    field = form.field(parts[0])
    name = form.id + "-" + "-".join(parts)
    if field is None:
        return name
    if len(parts) == 3:
        column = next((c for c in field.columns if c.name == parts[2]), None)
        return field_type(column.type).focus_id(column, name) if column else name
    return field_type(field.type).focus_id(field, name)


def _where(form: FormDef, key: str) -> str:
    parts = key.split(".")
    field = form.field(parts[0])
    if field is None:
        return key
    if len(parts) == 3:
        column = next((c for c in field.columns if c.name == parts[2]), None)
        return f"{field.label}, Zeile {int(parts[1]) + 1}, {column.label if column else parts[2]}"
    return field.label


def _filled(form: FormDef, names: tuple[str, ...], values: dict[str, Any]) -> bool:
    """Something was entered: a value, other than the field's fixed default (an unticked
    box that starts unticked says nothing about whether the step was done)."""
    for name in names:
        field, value = form.field(name), values.get(name)
        if field is not None and not is_empty(value) and value != field.default:
            return True
    return False


def step_panel(
    form: FormDef,
    saved: dict[str, Any],
    current: int,
    workflow_id: str,
    record_id: int,
    errors: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """What ``templates/verbund/_form_steps.html`` draws for ``form`` at step ``current``.

    ``saved`` are the form's stored values (the step list and the summary describe them);
    ``errors`` are the current step's own, from a save that failed.
    """
    pending = open_errors(form, saved)
    steps = []
    for index, step in enumerate(form.steps):
        count = sum(len(m) for m in pending.get(index, {}).values())
        if index == current:
            status = "aktuell"
        elif count:
            status = f"{count} offen"
        elif _filled(form, step.fields, saved):
            status = "erledigt"
        else:
            status = "noch leer"
        steps.append(
            {
                "number": index + 1,
                "title": step.title,
                "status": status,
                "done": status == "erledigt",
                "url": step_url(workflow_id, record_id, form, index),
            }
        )
    summary = current == len(form.steps)
    others = [
        {
            "step": index + 1,
            "title": form.steps[index].title,
            "text": f"{_where(form, key)}: {message}",
            "url": step_url(workflow_id, record_id, form, index, _target(form, key)),
        }
        for index, keyed in sorted(pending.items())
        # on a step: the open points of the steps before it; on the summary: all
        if index < current
        for key, messages in keyed.items()
        for message in messages
    ]
    shown: tuple[FieldDef, ...] = ()
    wanted: set[str] = set()
    if not summary:
        wanted = set(form.steps[current].fields)
        shown = tuple(f for f in form.fields if f.name in wanted)
    return {
        "steps": steps,
        "current": current,
        "summary": summary,
        "count": len(form.steps),
        "title": SUMMARY if summary else form.steps[current].title,
        # the step's fields as a form of their own: the field macros draw it unchanged
        "form": dataclasses.replace(form, fields=shown) if not summary else form,
        "others": others,
        "errors": {k: v for k, v in (errors or {}).items() if field_of_key(k) in wanted},
        "summary_steps": _summary(form, saved) if summary else [],
        "summary_url": step_url(workflow_id, record_id, form, len(form.steps)),
        "back_url": step_url(workflow_id, record_id, form, current - 1) if current else "",
    }


def _summary(form: FormDef, saved: dict[str, Any]) -> list[dict[str, Any]]:
    """Each step with its fields and saved values, for the last screen."""
    out = []
    for index, step in enumerate(form.steps):
        fields: list[FieldDef] = [f for f in form.fields if f.name in step.fields]
        out.append({"number": index + 1, "title": step.title, "fields": fields, "values": saved})
    return out
