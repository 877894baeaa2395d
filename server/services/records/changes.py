"""Creating records, saving their forms and moving them through their workflow.

Every change is one transaction: the record row (guarded by its version), the kept history
(form save or transition) and the audit entry commit together or not at all.
"""

from __future__ import annotations

from typing import Any

import peewee

from ...forms import field_type, validate_form
from ...forms.display import search_text
from ...models import (
    FormSave,
    HandOver,
    Record,
    TransitionLog,
    User,
    transaction,
    utcnow,
)
from ...models.fast import insert_row
from ...schema.definitions import Definitions, WorkflowDef
from ...workflow import TransitionRefused, check_transition, expression_context
from ...workflow.engine import transitions_from
from ..audit import audit
from ..errors import Conflict, Forbidden, Invalid, NotFound, StaleVersion
from .access import (
    can_create,
    can_edit_state,
    edit_scope_message,
    get_readable,
    may_see_workflow,
    user_roles,
    within_edit_scope,
)
from .deadline_plans import close_deadlines, plan_deadlines, replan_after_save
from .form_defaults import initial_values
from .form_links import RecordLinks
from .hooks import fact_provider, record_events, work_refusal


def workflow_of(defs: Definitions, workflow_id: Any) -> WorkflowDef:
    workflow = defs.workflows.get(workflow_id) if isinstance(workflow_id, str) else None
    if workflow is None:
        raise NotFound(f"Den Ablauf „{str(workflow_id)[:64]}“ gibt es nicht.")
    return workflow


class RecordFacts(dict):
    """``record`` as expressions see it. Owner and organisation are looked up only when an
    expression asks for them: most guards never do, and each is a query."""

    def __init__(self, record: Record, workflow: WorkflowDef | None = None, **facts: Any):
        super().__init__(**facts)
        self._record = record
        self._workflow = workflow

    def __missing__(self, key: str) -> Any:
        record = self._record
        if key == "owner":
            value = str(record.owner) if record.owner_id else ""
        elif key == "organisation":
            value = record.organisation.label if record.organisation_id else ""
        elif (provider := fact_provider(key)) is not None:  # e.g. consent_given (privacy)
            self.update(provider(self._workflow, record.id))
            return self[key]
        else:
            raise KeyError(key)
        self[key] = value
        return value


def record_context(defs: Definitions, record: Record) -> dict[str, Any]:
    """Plain facts about a record for expressions (``record.state`` …) and templates."""
    workflow = defs.workflows.get(record.workflow)
    state = workflow.state(record.state) if workflow else None
    return RecordFacts(
        record,
        workflow,
        id=record.id,
        title=record.title,
        state=record.state,
        state_label=state.label if state else record.state,
        version=record.version,
        created=record.created_at,
        updated=record.updated_at,
    )


def default_title(workflow: WorkflowDef, record_id: int) -> str:
    return f"{workflow.record_label} {record_id}"


def title_from_data(defs: Definitions, workflow: WorkflowDef, record: Record) -> str:
    """The record's title from its ``title_field``, else ``<record_label> <id>``."""
    if workflow.title_field and "." in workflow.title_field:
        form_id, field_name = workflow.title_field.split(".", 1)
        form = defs.forms.get(form_id)
        field = form.field(field_name) if form else None
        value = (record.data or {}).get(form_id, {}).get(field_name)
        if field is not None and value not in (None, "", []):
            return field_type(field.type).display(field, value)[:300]
    return default_title(workflow, record.id)


def create_record(defs: Definitions, user: User, workflow_id: Any) -> Record:
    """A new record in the workflow's initial state, owned by ``user`` and their organisation."""
    workflow = workflow_of(defs, workflow_id)
    if not may_see_workflow(user, workflow):  # hidden from them: as if it did not exist
        raise NotFound(f"Den Ablauf „{str(workflow_id)[:64]}“ gibt es nicht.")
    if not can_create(user, workflow):
        raise Forbidden(f"Sie dürfen keine neuen Datensätze in „{workflow.title}“ anlegen.")
    with transaction():
        data = {}
        initial = workflow.state(workflow.initial)
        for form_id in initial.forms if initial else ():
            form = defs.forms.get(form_id)
            if form is not None and (values := initial_values(defs, user, form, workflow.id)):
                data[form_id] = values
        record = Record.create(
            workflow=workflow.id,
            state=workflow.initial,
            owner=user,
            organisation=user.organisation_id,
            created_by=user,
            data=data,
            workflow_revision=workflow.revision,
        )
        record.title = default_title(workflow, record.id)
        record.save()
        plan_deadlines(workflow, record, workflow.initial)
        TransitionLog.create(
            record=record,
            from_state=None,
            to_state=workflow.initial,
            label="angelegt",
            user=user,
            record_version=record.version,
        )
        audit(
            "record.create",
            user,
            record_id=record.id,
            object_type="record",
            object_id=record.id,
            detail={"workflow": workflow.id},
        )
        record_events.created.send(record, user=user, workflow=workflow)
    return record


def expect_version(version: Any) -> int:
    if isinstance(version, bool) or not isinstance(version, int):
        raise Invalid(
            "Die Version des Datensatzes fehlt.",
            {"version": ["Bitte die Version mitschicken, die Sie zuletzt gelesen haben."]},
        )
    return version


def bump(record: Record, expected: int, **changes: Any) -> int:
    """Write ``changes`` and the next version only if nobody changed the record since."""
    changes.update(version=expected + 1, updated_at=utcnow())
    updated = (
        Record.update(**changes)
        .where((Record.id == record.id) & (Record.version == expected))
        .execute()
    )
    if updated != 1:
        raise stale(record.id)
    for key, value in changes.items():
        setattr(record, key, value)
    return expected + 1


def stale_message(record_id: int) -> str:
    """Who changed the record last, and its version now: the first sentence of a refusal
    for a stale version (a form saved, a step taken or a hand-over since it was read).

    Naming the colleague is no disclosure: whoever may act on the record sees its history.
    """
    latest: tuple[int, User | None] | None = None
    for model, person in (
        (FormSave, FormSave.author),
        (TransitionLog, TransitionLog.user),
        (HandOver, HandOver.user),
    ):
        row = (
            model.select(model.record_version, User)
            .join(User, peewee.JOIN.LEFT_OUTER, on=(person == User.id))
            .where(model.record == record_id)
            .order_by(model.record_version.desc())
            .first()
        )
        if row is not None and (latest is None or row.record_version > latest[0]):
            who = row.author if model is FormSave else row.user
            latest = (row.record_version, who if who and who.id else None)
    version = Record.select(Record.version).where(Record.id == record_id).scalar()
    who = f" von {latest[1]}" if latest and latest[1] else ""
    return f"Der Datensatz wurde inzwischen{who} geändert (jetzt Version {version})."


def _is_stale(record: Record, version: Any) -> bool:
    """A version was sent, and it is not the record's (a missing one is Invalid, later)."""
    return isinstance(version, int) and not isinstance(version, bool) and version != record.version


def stale(record_id: int) -> StaleVersion:
    """The refusal of a change based on an old version of the record (409)."""
    return StaleVersion(stale_message(record_id))


def save_form(
    defs: Definitions, user: User, record_id: Any, form_id: Any, raw: Any, version: Any
) -> Record:
    """Validate and save one form of a record as a new version of it.

    Validation (conditions, references, files) runs before the write lock is taken, on the
    version the caller sent; the short write transaction then re-reads the record under the
    lock and writes only if that version is still current. So a slow form never makes other
    people's writes (and the read audit) wait.
    """
    record = get_readable(defs, user, record_id)
    workflow = workflow_of(defs, record.workflow)
    try:
        check_form_editable(user, workflow, record, form_id)
    except Forbidden:
        # a stale tab of someone who works on the record: the form may have left with a step
        # taken meanwhile; "changed meanwhile" explains that, "not editable" would not
        if _is_stale(record, version) and within_edit_scope(user, workflow, record):
            raise stale(record.id) from None
        raise
    form = defs.forms[form_id]
    if _is_stale(record, version):
        # a stale tab first hears that the record changed (its input is kept by the screen);
        # messages about its input would be about a version that is no longer current
        raise stale(record.id)
    result = validate_form(form, raw, RecordLinks(defs, user, record, form))
    if not result.ok:
        raise Invalid("Bitte prüfen Sie die markierten Felder.", result.errors)
    return write_form(defs, user, workflow, record, form_id, result.values, version)


def write_form(
    defs: Definitions,
    user: User,
    workflow: WorkflowDef,
    record: Record,
    form_id: str,
    values: dict[str, Any],
    version: Any,
    **detail: Any,
) -> Record:
    """Save validated ``values`` as the form's data: the new version, its history entry and
    the audit entry in one transaction (``detail``: what else the audit entry says, e.g. the
    step of a stepped form or where copied rows came from)."""
    expected = expect_version(version)
    if expected != record.version:
        raise stale(record.id)
    with transaction():
        record = _locked_at_version(defs, user, record.id, expected)
        check_form_editable(user, workflow, record, form_id)  # a withdrawal bumps no version
        data = dict(record.data or {})
        data[form_id] = values
        record.data = data
        title = title_from_data(defs, workflow, record)
        text = search_text(defs.forms, data, title)
        new_version = bump(record, expected, data=data, title=title, search_text=text)
        FormSave.create(
            record=record, form=form_id, record_version=new_version, data=values, author=user
        )
        replan_after_save(workflow, record, form_id)  # a date the deadlines count from
        audit(
            "form.save",
            user,
            record_id=record.id,
            object_type="form",
            object_id=form_id,
            detail={"version": new_version, "fields": sorted(values), **detail},
        )
        record_events.saved.send(record, user=user, form=form_id, version=new_version)
    return record


def check_form_editable(user: User, workflow: WorkflowDef, record: Record, form_id: Any) -> None:
    """Forbidden unless ``user`` may edit ``form_id`` of ``record`` in its state now."""
    state = workflow.state(record.state)
    if not isinstance(form_id, str) or form_id not in (state.forms if state else ()):
        raise Forbidden(
            f"Das Formular „{str(form_id)[:64]}“ ist in diesem Zustand nicht zu bearbeiten."
        )
    if not within_edit_scope(user, workflow, record):
        raise Forbidden(edit_scope_message(workflow))
    if not can_edit_state(user, workflow, record.state):
        raise Forbidden("Sie dürfen diesen Datensatz in seinem jetzigen Zustand nicht bearbeiten.")
    if refusal := work_refusal(workflow, record):
        raise Forbidden(refusal)


def _locked_at_version(defs: Definitions, user: User, record_id: int, expected: int) -> Record:
    """Inside a write transaction: the record, locked, if it still has version ``expected``.

    What was decided before the lock (validation, a guard) was decided on that version; any
    change since then makes it stale, and the caller gets the same 409 as for an old version.
    """
    # with owner and organisation: the answer names them (one query each otherwise)
    record = get_readable(defs, user, record_id, for_update=True, related=True)
    if record.version != expected:
        raise stale(record.id)
    return record


def apply_transition(
    defs: Definitions, user: User, record_id: Any, to: Any, version: Any
) -> Record:
    """Move a record to ``to`` if the workflow, the user's roles and the guard allow it.

    The guard is evaluated before the write lock is taken (an administrator's guard may take
    up to its budget, see :mod:`server.schema.expressions`); the write transaction re-reads
    the record under the lock and moves it only if the version the guard saw is still current.
    """
    record = get_readable(defs, user, record_id)
    workflow = workflow_of(defs, record.workflow)
    if not isinstance(to, str):
        raise Invalid("Der Zielzustand fehlt.", {"to": ["Bitte einen Zielzustand angeben."]})
    try:
        _check_may_move(user, workflow, record, to)
    except Forbidden:
        # a stale tab of someone who works on the record: the state it showed is gone
        if _is_stale(record, version) and within_edit_scope(user, workflow, record):
            raise stale(record.id) from None
        raise
    if _is_stale(record, version):
        # a stale tab: say that the record changed, not what its new state refuses
        raise stale(record.id)
    context = expression_context(defs, workflow, record_context(defs, record), record.data or {})
    try:
        transition = check_transition(workflow, record.state, to, user_roles(user), context)
    except TransitionRefused as exc:
        error = {403: Forbidden, 409: Conflict}.get(exc.status)
        if error is not None:
            raise error(exc.message) from None
        raise Invalid(exc.message, [exc.message]) from None
    expected = expect_version(version)
    if expected != record.version:
        raise stale(record.id)
    with transaction():
        record = _locked_at_version(defs, user, record.id, expected)
        _check_may_move(user, workflow, record, to)  # a withdrawal bumps no version
        from_state = record.state
        new_version = bump(record, expected, state=to, workflow_revision=workflow.revision)
        if any(d.state == from_state for d in workflow.deadlines):
            close_deadlines(record, from_state)
        plan_deadlines(workflow, record, to)
        insert_row(
            TransitionLog,
            record=record.id,
            from_state=from_state,
            to_state=to,
            label=transition.label,
            user=user,
            record_version=new_version,
        )
        audit(
            "record.transition",
            user,
            record_id=record.id,
            object_type="record",
            object_id=record.id,
            detail={"from": from_state, "to": to, "version": new_version},
        )
        record_events.transitioned.send(
            record, user=user, from_state=from_state, to_state=to, version=new_version
        )
    return record


def _check_may_move(user: User, workflow: WorkflowDef, record: Record, to: str) -> None:
    if not (user_roles(user) & _edit_or_transition_roles(workflow, record.state)):
        raise Forbidden("Sie dürfen diesen Datensatz nicht weiterschalten.")
    if not within_edit_scope(user, workflow, record):
        raise Forbidden(edit_scope_message(workflow))
    if refusal := work_refusal(workflow, record, to):
        raise Conflict(refusal)


def _edit_or_transition_roles(workflow: WorkflowDef, state_id: str) -> set[str]:
    """Roles that may act on a record in ``state_id`` at all: editors and transition roles."""
    state = workflow.state(state_id)
    roles = set(state.edit_roles) if state else set()
    for transition in transitions_from(workflow, state_id):
        roles.update(transition.roles)
    return roles
