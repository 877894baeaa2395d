"""Who may read which records, and who may change them.

Reading is decided by the widest scope among a person's roles (``config.toml``) and, where a
workflow names ``read_roles``, by holding one of them. A record someone may not read does not
exist for them: every path answers 404, never 403, so ids reveal nothing.
"""

from __future__ import annotations

import peewee

from ..models import Record, User
from ..schema.definitions import Definitions, WorkflowDef

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
    read_roles = getattr(workflow, "read_roles", ())
    return not read_roles or bool(user_roles(user) & set(read_roles))


def readable_records(defs: Definitions, user: User, query: peewee.ModelSelect | None = None):
    """``query`` (default: all records) narrowed to the records ``user`` may read."""
    query = query if query is not None else Record.select()
    visible = [wf.id for wf in defs.workflows.values() if may_see_workflow(user, wf)]
    scope = scope_of(defs, user)
    if scope == "none" or not visible:
        return query.where(peewee.SQL("1 = 0"))
    query = query.where(Record.workflow.in_(visible))
    if scope == "all":
        return query
    if scope == "organisation":
        if user.organisation_id is None:
            return query.where(peewee.SQL("1 = 0"))
        return query.where(Record.organisation == user.organisation_id)
    return query.where(Record.owner == user.id)


def can_read(defs: Definitions, user: User, record: Record) -> bool:
    """The same rule as :func:`readable_records`, for one record already loaded."""
    workflow = defs.workflows.get(record.workflow)
    if workflow is None or not may_see_workflow(user, workflow):
        return False
    scope = scope_of(defs, user)
    if scope == "all":
        return True
    if scope == "organisation":
        return user.organisation_id is not None and record.organisation_id == user.organisation_id
    if scope == "own":
        return record.owner_id == user.id
    return False


def can_create(user: User, workflow: WorkflowDef) -> bool:
    return user.active and bool(user_roles(user) & set(workflow.create_roles))


def can_edit_state(user: User, workflow: WorkflowDef, state_id: str) -> bool:
    """Whether the user holds one of the ``edit_roles`` of the state (reading checked apart)."""
    state = workflow.state(state_id)
    if state is None or state.final or not user.active:
        return False
    return bool(user_roles(user) & set(state.edit_roles))
