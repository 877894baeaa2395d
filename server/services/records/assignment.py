"""Handing a record over to another person or organisation.

Example from KIM: a case manager of a welfare association hands a case to the city office.
The record's owner and organisation change, the hand-over is kept in the record's history,
and ``own`` scope follows the new owner at once.
"""

from __future__ import annotations

from typing import Any

from peewee import JOIN

from ...models import HandOver, Organisation, Record, User, is_anonymised, transaction
from ...schema.definitions import Definitions, WorkflowDef
from ..audit import audit
from ..errors import Forbidden, Invalid
from .access import can_edit_state, user_roles
from .changes import bump, expect_version, get_readable, stale, workflow_of
from .hooks import ANONYMISED_MESSAGE, record_events


def workflow_roles(workflow: WorkflowDef) -> set[str]:
    """Roles that work on a workflow's records: creators, editors, transition roles."""
    roles = set(workflow.create_roles)
    for state in workflow.states:
        roles.update(state.edit_roles)
    for transition in workflow.transitions:
        roles.update(transition.roles)
    return roles


def assignable_users(workflow: WorkflowDef, organisation: Organisation | None = None) -> list[User]:
    """Active people who could take over a record of ``workflow`` (optionally of one org).

    Reads every active person of the organisation (or of all): for hand-over screens, not
    for pages shown on every request.
    """
    roles = workflow_roles(workflow)
    # each person with their organisation in one query: the hand-over list names both
    query = (
        User.select(User, Organisation)
        .join(Organisation, JOIN.LEFT_OUTER, on=(User.organisation == Organisation.id))
        .where(User.active == True)  # noqa: E712 - peewee expression
    )
    if organisation is not None:
        query = query.where(User.organisation == organisation.id)
    return [u for u in query.order_by(User.display_name) if user_roles(u) & roles]


def hand_over(
    defs: Definitions,
    user: User,
    record_id: Any,
    *,
    owner: Any = None,
    organisation: Any = None,
    version: Any = None,
    note: Any = "",
) -> Record:
    """Give a record to ``owner`` (a user name) and/or ``organisation`` (an organisation name).

    Only someone who may edit the record in its state hands it over. A new owner must be
    active and work on this workflow; without an organisation the owner's is used, and an
    organisation alone leaves the record unassigned there (its team lead assigns it).
    """
    with transaction():
        record = get_readable(defs, user, record_id, for_update=True)
        workflow = workflow_of(defs, record.workflow)
        if not can_edit_state(user, workflow, record.state, record):
            raise Forbidden("Sie dürfen diesen Datensatz nicht übergeben.")
        if is_anonymised(record.id):  # a note would bring personal data back
            raise Forbidden(ANONYMISED_MESSAGE)
        errors: dict[str, list[str]] = {}
        new_owner = _find_owner(owner, workflow, errors)
        new_org = _find_organisation(organisation, errors)
        if new_owner is not None and new_org is None:
            new_org = new_owner.organisation
        if (
            new_owner is not None
            and new_org is not None
            and new_owner.organisation_id != new_org.id
        ):
            errors.setdefault("owner", []).append(
                f"„{new_owner}“ gehört nicht zur Organisation „{new_org.label}“."
            )
        if new_owner is None and new_org is None and not errors:
            errors["owner"] = ["Bitte eine Person oder eine Organisation wählen."]
        if not isinstance(note, str) or len(note) > 2000:
            errors["note"] = ["Die Notiz muss ein Text mit höchstens 2000 Zeichen sein."]
        if errors:
            raise Invalid("Die Übergabe ist so nicht möglich.", errors)
        expected = expect_version(version)
        if expected != record.version:
            raise stale(record.id)
        before_owner, before_org = record.owner_id, record.organisation_id
        new_version = bump(
            record,
            expected,
            owner=new_owner.id if new_owner else None,
            organisation=new_org.id if new_org else None,
        )
        HandOver.create(
            record=record.id,
            from_owner=before_owner,
            to_owner=new_owner,
            from_organisation=before_org,
            to_organisation=new_org,
            user=user,
            note=note.strip(),
            record_version=new_version,
        )
        audit(
            "record.handover",
            user,
            record_id=record.id,
            object_type="record",
            object_id=record.id,
            detail={
                "to_owner": new_owner.username if new_owner else None,
                "to_organisation": new_org.name if new_org else None,
            },
        )
        record_events.handed_over.send(record, user=user, version=new_version)
    return Record.get_by_id(record.id)


def _find_owner(owner: Any, workflow: WorkflowDef, errors: dict) -> User | None:
    if owner in (None, ""):
        return None
    if not isinstance(owner, str):
        errors["owner"] = ["Bitte einen Benutzernamen angeben."]
        return None
    found = User.get_or_none(User.username == owner.strip().lower()[:64])
    if found is None or not found.active:
        errors["owner"] = [f"Eine aktive Person „{owner[:64]}“ gibt es nicht."]
        return None
    if not user_roles(found) & workflow_roles(workflow):
        errors["owner"] = [f"„{found}“ arbeitet nicht mit „{workflow.title}“."]
        return None
    return found


def _find_organisation(organisation: Any, errors: dict) -> Organisation | None:
    if organisation in (None, ""):
        return None
    if not isinstance(organisation, str):
        errors["organisation"] = ["Bitte den Namen einer Organisation angeben."]
        return None
    found = Organisation.get_or_none(Organisation.name == organisation.strip().lower()[:64])
    if found is None:
        errors["organisation"] = [f"Die Organisation „{organisation[:64]}“ gibt es nicht."]
    return found
