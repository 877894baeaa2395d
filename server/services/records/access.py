"""Who may read which records, and who may change them.

Reading is decided by the widest scope among a person's roles (``config.toml``); a workflow
may narrow who sees it at all (``read_roles``) and set one scope for everybody who does
(``read_scope``, e.g. ``"all"`` for a service directory without personal data). Changing a
record needs, besides the state's ``edit_roles`` (or a transition's ``roles``), the
workflow's ``edit_scope``: ``"organisation"`` lets only people of the record's organisation
change it even where everybody reads it (case conferences), ``"own"`` only its owner. A record
someone may not read does not exist for them: every path answers 404, never 403, so ids
reveal nothing.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any

import peewee

from ...models import Organisation, Record, User, is_sqlite
from ...models.fast import Slot, cached_select
from ...schema.definitions import Definitions, WorkflowDef
from ..errors import NotFound

SCOPE_ORDER = {"none": 0, "own": 1, "organisation": 2, "all": 3}


def user_roles(user: User) -> frozenset[str]:
    return frozenset(user.roles or [])


def scope_of(defs: Definitions, user: User) -> str:
    """The widest read scope of the user's roles; ``none`` for an inactive user."""
    if not user.active:
        return "none"
    best = "none"
    for role_id in user.roles or []:
        role = defs.roles.get(role_id)
        if role and SCOPE_ORDER.get(role.scope, 0) > SCOPE_ORDER[best]:
            best = role.scope
    return best


def may_see_workflow(user: User, workflow: WorkflowDef) -> bool:
    """A workflow with ``read_roles`` is only visible to holders of one of them."""
    return not workflow.read_roles or bool(user_roles(user) & set(workflow.read_roles))


def scope_in(defs: Definitions, user: User, workflow: WorkflowDef) -> str:
    """The user's read scope for one workflow: its ``read_scope`` if set, else their own."""
    if not user.active or not may_see_workflow(user, workflow):
        return "none"
    if workflow.read_scope is not None:
        return workflow.read_scope
    return scope_of(defs, user)


NOTHING = peewee.SQL("1 = 0")


def _scope_condition(scope: str, user: User):
    if scope == "all":
        return None
    if scope == "organisation" and user.organisation_id is not None:
        return Record.organisation == user.organisation_id
    if scope == "own":
        return Record.owner == user.id
    return NOTHING


def readable_conditions(
    defs: Definitions, user: User, workflow_id: str | None = None
) -> list[peewee.Expression]:
    """The conditions on ``Record`` under which ``user`` may read a record, one per read
    scope (a record is readable when it meets any of them; none: nothing is readable).

    Apart, so a capped count can walk each one's index and stop early (an ``OR`` of them
    makes SQLite collect every matching row first); :func:`readable_records` joins them."""
    return [condition for _scope, condition in readable_scopes(defs, user, workflow_id)]


def readable_scopes(
    defs: Definitions, user: User, workflow_id: str | None = None
) -> list[tuple[str, peewee.Expression]]:
    """:func:`readable_conditions`, each with the name of its read scope ("all",
    "organisation", "own"), for a query that reads each scope by its own index."""
    by_scope: dict[str, list[str]] = {}
    workflows = defs.workflows.values()
    if workflow_id is not None:
        workflows = [w for w in workflows if w.id == workflow_id]
    for workflow in workflows:
        scope = scope_in(defs, user, workflow)
        if scope != "none":
            by_scope.setdefault(scope, []).append(workflow.id)
    clauses = []
    for scope, workflow_ids in by_scope.items():
        condition = _scope_condition(scope, user)
        if condition is NOTHING:
            continue
        if len(workflow_ids) == 1:
            in_workflows = Record.workflow == workflow_ids[0]
        else:
            in_workflows = Record.workflow.in_(workflow_ids)
        clauses.append((scope, in_workflows if condition is None else in_workflows & condition))
    return clauses


def readable_records(
    defs: Definitions,
    user: User,
    query: peewee.ModelSelect | None = None,
    workflow_id: str | None = None,
):
    """``query`` (default: all records) narrowed to the records ``user`` may read.

    With ``workflow_id`` only that workflow's records, as one plain condition the database
    can answer from an index.
    """
    query = query if query is not None else Record.select()
    clauses = readable_conditions(defs, user, workflow_id)
    if not clauses:
        return query.where(NOTHING)
    return query.where(functools.reduce(operator.or_, clauses))


def can_read(defs: Definitions, user: User, record: Record) -> bool:
    """The same rule as :func:`readable_records`, for one record already loaded."""
    workflow = defs.workflows.get(record.workflow)
    if workflow is None:
        return False
    return _in_scope(scope_in(defs, user, workflow), user, record)


def read_check(defs: Definitions, user: User, workflow_id: str) -> Callable[[Record], bool]:
    """:func:`can_read` for many loaded records of one workflow: the scope is worked out
    once (the register checks every meeting on each request)."""
    workflow = defs.workflows.get(workflow_id)
    scope = scope_in(defs, user, workflow) if workflow is not None else "none"
    return lambda record: record.workflow == workflow_id and _in_scope(scope, user, record)


def read_scope_key(defs: Definitions, user: User, workflow_id: str) -> tuple:
    """Who reads exactly the records of ``workflow_id`` that ``user`` reads: the same key
    (scope, and the organisation or person it is bound to) – what they may share (the
    register's figures, worked out once for everyone with the same key)."""
    workflow = defs.workflows.get(workflow_id)
    scope = scope_in(defs, user, workflow) if workflow is not None else "none"
    if scope == "organisation":
        return (scope, user.organisation_id)
    if scope == "own":
        return (scope, user.id)
    return (scope,)


def _in_scope(scope: str, user: User, record: Record) -> bool:
    if scope == "all":
        return True
    if scope == "organisation":
        return user.organisation_id is not None and record.organisation_id == user.organisation_id
    if scope == "own":
        return record.owner_id == user.id
    return False


def can_create(user: User, workflow: WorkflowDef) -> bool:
    return user.active and bool(user_roles(user) & set(workflow.create_roles))


def within_edit_scope(user: User, workflow: WorkflowDef, record: Record) -> bool:
    """The workflow's ``edit_scope`` lets ``user`` change ``record`` at all (roles apart)."""
    scope = workflow.edit_scope or "all"
    if scope == "organisation":
        return user.organisation_id is not None and record.organisation_id == user.organisation_id
    if scope == "own":
        return record.owner_id == user.id
    return True


def edit_scope_message(workflow: WorkflowDef) -> str:
    """Why someone who may read a record may not change it (German)."""
    if workflow.edit_scope == "own":
        return f"„{workflow.title}“: nur die zuständige Person ändert diesen Datensatz."
    return (
        f"„{workflow.title}“: dieser Datensatz gehört einer anderen Organisation – "
        "Sie können ihn lesen, aber nur die Organisation, die ihn angelegt hat, ändert ihn."
    )


def can_edit_state(
    user: User, workflow: WorkflowDef, state_id: str, record: Record | None = None
) -> bool:
    """Whether the user holds one of the ``edit_roles`` of the state (reading checked apart)
    and, given the ``record``, is within the workflow's ``edit_scope``."""
    state = workflow.state(state_id)
    if state is None or state.final or not user.active:
        return False
    if record is not None and not within_edit_scope(user, workflow, record):
        return False
    return bool(user_roles(user) & set(state.edit_roles))


def get_readable(
    defs: Definitions, user: User, record_id: Any, *, for_update=False, related=False
) -> Record:
    """The record if ``user`` may read it, else NotFound (also for ids that do not exist).

    ``related``: its owner and organisation are read in the same query (pages that name
    them would otherwise send one query each).
    """
    try:
        record_id = int(record_id)
    except (TypeError, ValueError):
        raise NotFound("Datensatz nicht gefunden.") from None
    if not 0 < record_id < 2**63:  # beyond any id; the database would overflow
        raise NotFound("Datensatz nicht gefunden.")
    # PostgreSQL: lock the row; SQLite already holds the write lock (BEGIN IMMEDIATE)
    lock = for_update and not is_sqlite()
    found = cached_select(
        ("record.get", related, lock), lambda: _one_record(related, lock), id=record_id
    )
    record = found[0] if found else None
    if record is None or not can_read(defs, user, record):
        raise NotFound("Datensatz nicht gefunden.")
    return record


def _one_record(related: bool, lock: bool) -> peewee.ModelSelect:
    """The query of :func:`get_readable` (built once per shape, see ``models.fast``)."""
    query = Record.select()
    if related:
        query = (
            Record.select(Record, User, Organisation)
            .join(User, peewee.JOIN.LEFT_OUTER, on=(Record.owner == User.id))
            .switch(Record)
            .join(Organisation, peewee.JOIN.LEFT_OUTER, on=(Record.organisation == Organisation.id))
        )
    query = query.where(Record.id == Slot("id")).limit(1)
    # the record's row only: PostgreSQL refuses FOR UPDATE on the nullable side of a join
    return query.for_update(of=Record) if lock else query
