"""Importing the service directory ("Angebote") from a table (``verbund import services``).

A service is a record of a workflow (KIM: ``service_directory``, form ``service``); its natural
key is the field the workflow is titled by (``title_field = "service.name"``). Columns are the
form's fields, by name or by label (``name`` or „Name des Angebots“), plus an optional
„Status“ column naming a state (id or label, „Aktiv“/„Archiviert“). Select and multiselect
cells take the stored value or the label; several values are separated by comma, semicolon or
``|``. Columns not in the file keep their values on update.

The records are made through the record services (validation, history, audit), as the person
given with ``--as`` (default ``admin``). The command line is trusted: for the import that
person acts with the roles the workflow asks for (creating, editing, moving on), the way
``verbund user grant`` is trusted; the roles are not stored, and every record shows who
imported it.
"""

from __future__ import annotations

from typing import Any

from ...forms import validate_form
from ...models import Record, User, transaction
from ...schema.definitions import Definitions, FieldDef, FormDef, WorkflowDef
from ..audit import audit
from ..errors import ServiceError
from ..records.changes import apply_transition, create_record, save_form
from .accounts import ImportSummary, split_list
from .tables import ImportProblems, Row, Table, normalise

STATUS_HEADERS = ("status", "zustand")
UNSUPPORTED = ("table", "file", "reference")


def _service_form(defs: Definitions, workflow: WorkflowDef, shown: str) -> tuple[FormDef, str]:
    form_id, _, key = (workflow.title_field or "").partition(".")
    form = defs.forms.get(form_id)
    if form is None or form.field(key) is None:
        raise ImportProblems(
            [
                f"{shown}: der Ablauf „{workflow.id}“ braucht title_field = "
                "„formular.feld“ als Schlüssel"
            ]
        )
    return form, key


def _columns(table: Table, form: FormDef) -> tuple[dict[str, FieldDef], str | None, list[str]]:
    """``({header: field}, status header, problems)``."""
    fields: dict[str, FieldDef] = {}
    status = None
    problems = []
    for header, written in table.columns.items():
        field = next(
            (f for f in form.fields if header in (normalise(f.name), normalise(f.label))), None
        )
        if header in STATUS_HEADERS:
            status = header
        elif field is None:
            known = ", ".join(f.label for f in form.fields if f.type not in UNSUPPORTED)
            problems.append(
                table.at(
                    table.header_line, f"unbekannte Spalte „{written}“ (bekannt: {known}, Status)"
                )
            )
        elif field.type in UNSUPPORTED:
            problems.append(
                table.at(
                    table.header_line,
                    f"Spalte „{written}“: dieses Feld lässt sich nicht importieren",
                )
            )
        elif field.name in {f.name for f in fields.values()}:
            problems.append(table.at(table.header_line, f"zwei Spalten meinen „{field.label}“"))
        else:
            fields[header] = field
    return fields, status, problems


def _choice(field: FieldDef, text: str) -> str:
    """The stored value for a cell naming a choice by value or label (else the text)."""
    for choice in field.choices:
        if text.lower() in (str(choice.value).lower(), str(choice.label).lower()):
            return choice.value
    return text


def _raw(field: FieldDef, text: str) -> Any:
    if field.type == "multiselect":
        return [_choice(field, item) for item in split_list(text)]
    if not text:
        return None
    if field.type == "select":
        return _choice(field, text)
    return text


def _state(workflow: WorkflowDef, text: str) -> str | None:
    for state in workflow.states:
        if text.lower() in (state.id.lower(), state.label.lower()):
            return state.id
    return None


def _existing(workflow: WorkflowDef, form: FormDef, key: str) -> dict[str, list[Record]]:
    found: dict[str, list[Record]] = {}
    for record in Record.select().where(Record.workflow == workflow.id).order_by(Record.id):
        value = (record.data or {}).get(form.id, {}).get(key)
        if isinstance(value, str) and value.strip():
            found.setdefault(value.strip().casefold(), []).append(record)
    return found


def acting_for(user: User, workflow: WorkflowDef) -> User:
    """An unsaved copy of ``user`` holding the roles the workflow asks for (import only)."""
    roles = set(user.roles or []) | set(workflow.create_roles) | set(workflow.read_roles or ())
    for state in workflow.states:
        roles |= set(state.edit_roles)
    for transition in workflow.transitions:
        roles |= set(transition.roles)
    acting = User(**user.__data__)
    acting.roles = sorted(roles)
    return acting


def import_services(
    table: Table, dry_run: bool, actor: User, defs: Definitions, workflow_id: str
) -> ImportSummary:
    """Create or update the service records of ``workflow_id``; all lines or none."""
    workflow = defs.workflows.get(workflow_id)
    if workflow is None:
        raise ImportProblems([f"{table.shown}: den Ablauf „{workflow_id}“ gibt es nicht"])
    form, key = _service_form(defs, workflow, table.shown)
    fields, status, problems = _columns(table, form)
    if not any(f.name == key for f in fields.values()):
        problems.append(
            table.at(table.header_line, f"Spalte „{form.field(key).label}“ (Schlüssel) fehlt")
        )
    if problems:
        raise ImportProblems(problems)
    existing = _existing(workflow, form, key)
    plans: list[tuple[Row, Record | None, dict, str | None]] = []
    seen: dict[str, int] = {}
    key_header = _header_of(fields, key)
    for row in table.rows:
        plan, row_problems = _plan(table, row, workflow, form, key, fields, status, existing)
        name = row.values[key_header].strip()
        if name.casefold() in seen:
            row_problems.append(
                table.at(row.line, f"„{name}“ steht schon in Zeile {seen[name.casefold()]}")
            )
        elif name:
            seen[name.casefold()] = row.line
        if plan is not None:
            plans.append((row, *plan))
        problems += row_problems
    if problems:
        raise ImportProblems(problems)
    summary = ImportSummary(workflow.title, dry_run)
    acting = acting_for(actor, workflow)
    with transaction():
        for row, record, values, state in plans:
            try:
                _apply(defs, acting, workflow, form, row, record, values, state, summary, dry_run)
            except ServiceError as exc:  # a rule of the services: name the line, undo all
                raise ImportProblems([table.at(row.line, _service_text(exc))]) from None
        if not dry_run and (summary.created or summary.updated):
            audit(
                "import.services",
                actor,
                object_type="import",
                object_id=workflow.id,
                detail={
                    "file": table.shown.rsplit("/", 1)[-1][:200],
                    "created": summary.created,
                    "updated": summary.updated,
                    "unchanged": summary.unchanged,
                },
            )
    return summary


def _plan(table, row, workflow, form, key, fields, status, existing):
    """``((record or None, cleaned values, state or None), problems)`` for one line."""
    problems = []
    matches = existing.get(row.values[_header_of(fields, key)].strip().casefold(), [])
    if len(matches) > 1:
        ids = ", ".join(str(r.id) for r in matches)
        problems.append(table.at(row.line, f"mehrere bestehende Einträge heißen so (Nr. {ids})"))
        return None, problems
    record = matches[0] if matches else None
    raw = dict((record.data or {}).get(form.id, {})) if record else {}
    for header, field in fields.items():
        raw[field.name] = _raw(field, row.values[header])
    result = validate_form(form, raw)
    for name, messages in result.errors.items():
        field = form.field(name.split(".")[0])
        label = field.label if field else name
        for message in messages:
            problems.append(
                table.at(row.line, message if label in message else f"{label}: {message}")
            )
    state = None
    if status and row.values[status]:
        state = _state(workflow, row.values[status])
        if state is None:
            labels = ", ".join(s.label for s in workflow.states)
            problems.append(
                table.at(row.line, f"Status „{row.values[status][:60]}“ gibt es nicht ({labels})")
            )
    if problems:
        return None, problems
    return (record, result.values, state), problems


def _header_of(fields: dict[str, FieldDef], name: str) -> str:
    return next(header for header, field in fields.items() if field.name == name)


def _apply(defs, acting, workflow, form, row, record, values, state, summary, dry_run) -> None:
    old = (record.data or {}).get(form.id, {}) if record else None
    same_data = record is not None and old == values
    same_state = state is None or (record is not None and record.state == state)
    if same_data and same_state:
        summary.unchanged += 1
        return
    name = values.get(form.field(workflow.title_field.partition(".")[2]).name)
    if record is None:
        summary.created += 1
        summary.changes.append(f"Zeile {row.line}: neu „{name}“")
    else:
        summary.updated += 1
        summary.changes.append(f"Zeile {row.line}: „{name}“ geändert")
    if dry_run:
        return
    if record is None:
        record = create_record(defs, acting, workflow.id)
    if not same_data:
        record = save_form(defs, acting, record.id, form.id, values, record.version)
    if state is not None and record.state != state:
        apply_transition(defs, acting, record.id, state, record.version)


def _service_text(exc: ServiceError) -> str:
    if isinstance(exc.errors, dict):
        return "; ".join(m for messages in exc.errors.values() for m in messages)
    return exc.message
