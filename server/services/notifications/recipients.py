"""Who a recipient rule names for one record: ids of active people, never the actor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...models import Record, User
from ...schema.definitions import Definitions, WorkflowDef
from ..records.access import can_read, user_roles
from ..records.assignment import workflow_roles
from .calendar import INVITATIONS, member_emails


def _active(ids: Iterable[int | None]) -> list[User]:
    wanted = {i for i in ids if i}
    if not wanted:
        return []
    return list(User.select().where(User.id.in_(wanted) & (User.active == True)))  # noqa: E712


def _organisation_readers(defs: Definitions, workflow: WorkflowDef, record: Record) -> list[User]:
    """Active people of the record's organisation who work on the workflow and may read it."""
    if record.organisation_id is None:
        return []
    roles = workflow_roles(workflow)
    people = User.select().where(
        (User.organisation == record.organisation_id) & (User.active == True)  # noqa: E712
    )
    return [u for u in people if user_roles(u) & roles and can_read(defs, u, record)]


def _role_readers(defs: Definitions, role: str, record: Record) -> list[User]:
    people = User.select().where(User.active == True)  # noqa: E712
    return [u for u in people if role in user_roles(u) and can_read(defs, u, record)]


def resolve(
    defs: Definitions, workflow: WorkflowDef, record: Record, rule: str, event: dict[str, Any]
) -> list[User]:
    """The people ``rule`` names for ``record`` in ``event`` (the signal's keywords)."""
    if rule == "owner":
        return _active([record.owner_id])
    if rule == "creator":
        return _active([record.created_by_id])
    if rule == "organisation":
        return _organisation_readers(defs, workflow, record)
    if rule.startswith("role:"):
        return _role_readers(defs, rule[5:], record)
    if rule == "given":
        return _active(event.get("user_ids") or event.get("users") or ())
    if rule in ("handover", "responsible"):
        if record.owner_id is not None:
            return _active([record.owner_id])
        return _organisation_readers(defs, workflow, record)
    if rule == "transition":
        step = transition_of(workflow, event.get("from_state"), event.get("to_state"))
        found: list[User] = []
        for target in step.notify if step else ():
            found += resolve(defs, workflow, record, target, event)
        return found
    if rule == "members":
        invitation = INVITATIONS.get(workflow.id)
        emails = member_emails(invitation, record.data or {}) if invitation else set()
        if not emails:
            return []
        people = User.select().where(User.active == True)  # noqa: E712
        return [u for u in people if (u.email or "").strip().lower() in emails]
    raise ValueError(f"unknown recipient rule {rule!r}")


def transition_of(workflow: WorkflowDef, from_state: Any, to_state: Any):
    """The transition a record took from ``from_state`` to ``to_state`` (None if unknown)."""
    state = workflow.state(from_state) if isinstance(from_state, str) else None
    for transition in workflow.transitions:
        if transition.to == to_state and state is not None and transition.leaves(state):
            return transition
    return None


def without(people: list[User], actor: Any) -> list[User]:
    """Each person once, and not the one who caused the event."""
    actor_id = getattr(actor, "id", None)
    seen: dict[int, User] = {}
    for person in people:
        if person.id != actor_id:
            seen.setdefault(person.id, person)
    return list(seen.values())
