"""What administrators do to people: add, change, deactivate, reset a password, end sessions.

The rules live here, not in a screen, so the administration (``server/admin/users.py``) and
the command line (``verbund user …``) keep them alike:

- at least one active person with the role ``admin`` remains – checked inside the write
  transaction, so two administrators removing each other at once cannot both succeed;
- nobody gives themself a role, and a new privacy role waits for a second holder
  (:mod:`.role_grants`);
- a change of roles, organisation or activity, and a new password, end every session of the
  person at once; deactivation also revokes their API tokens for good;
- every change is one transaction together with its audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...models import Organisation, User, is_sqlite, transaction
from ..audit import audit
from ..errors import Invalid, NotFound
from .people import create_user, end_all_sessions, replace_password
from .people import revoke_all_tokens as _revoke_all_tokens
from .role_grants import (
    borrowed_message,
    borrowed_roles,
    refuse_self_grant,
    request_grants,
    split_roles,
)

ADMIN_ROLE = "admin"
LAST_ADMIN = "Es muss mindestens eine aktive Person mit der Rolle „admin“ bleiben."


@dataclass(frozen=True)
class PersonFields:
    """What an administrator sets on a person's page."""

    display_name: str
    email: str
    organisation_id: int | None
    roles: list[str]
    active: bool


@dataclass
class PersonChange:
    """What :func:`update_person` did."""

    changed: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # privacy roles awaiting a second holder
    sessions_ended: int = 0
    tokens_revoked: int = 0


def add_person(
    username: str,
    password: str,
    fields: PersonFields,
    *,
    known_roles: set[str],
    privacy: Mapping[str, Any],
    actor: User | None,
) -> tuple[User, list[str]]:
    """A new person; returns it and the privacy roles that wait for a second holder.

    Unknown roles are refused by name (Invalid, key ``role``), as are bad names and
    passwords.
    """
    known = [r for r in fields.roles if r in known_roles]
    unknown = [r for r in fields.roles if r not in known_roles]
    roles, waiting = split_roles(None, known, privacy)
    organisation = (
        Organisation.get_or_none(Organisation.id == fields.organisation_id)
        if fields.organisation_id
        else None
    )
    with transaction():
        user = create_user(
            username,
            password,
            roles + unknown,  # unknown ones make create_user refuse, by name
            organisation,
            fields.display_name,
            known_roles=known_roles,
            actor=actor,
        )
        User.update(email=fields.email, active=fields.active).where(User.id == user.id).execute()
        request_grants(user, waiting, actor)
    return User.get_by_id(user.id), waiting


def update_person(
    user: User, fields: PersonFields, *, privacy: Mapping[str, Any], actor: User | None
) -> PersonChange:
    """Store what an administrator set; Invalid (key ``roles``) when the last active
    administrator would go, Forbidden when ``actor`` would give themself a role."""
    roles, waiting = split_roles(user, fields.roles, privacy)
    new = {
        "display_name": fields.display_name or user.username,
        "email": fields.email,
        "organisation": fields.organisation_id,
        "roles": roles,
        "active": fields.active,
    }
    old = {
        "display_name": user.display_name,
        "email": user.email,
        "organisation": user.organisation_id,
        "roles": list(user.roles or []),
        "active": user.active,
    }
    result = PersonChange(changed=[k for k in new if new[k] != old[k]], waiting=waiting)
    with transaction():
        if not (fields.active and ADMIN_ROLE in fields.roles):
            keep_an_administrator(excluding=user)
        refuse_self_grant(user, fields.roles, actor)
        if not result.changed:
            request_grants(user, waiting, actor)
            return result
        User.update(**new).where(User.id == user.id).execute()
        request_grants(user, waiting, actor)
        if {"roles", "organisation", "active"} & set(result.changed):
            result.sessions_ended = end_all_sessions(user)
        if user.active and not fields.active:
            # a deactivated person's tokens end for good; reactivation does not revive them
            result.tokens_revoked = _revoke_all_tokens(user)
        audit(
            "user.update",
            actor,
            object_type="user",
            object_id=user.id,
            detail={
                "username": user.username,
                "changed": result.changed,
                "roles": roles,
                "sessions_ended": result.sessions_ended,
                "tokens_revoked": result.tokens_revoked,
            },
        )
    return result


def deactivate(username: str, actor: User | None = None) -> PersonChange:
    """Deactivate ``username`` (command line): sessions end, tokens are revoked, audited;
    refused for the last active administrator."""
    user = find_person(username)
    fields = PersonFields(
        display_name=user.display_name,
        email=user.email,
        organisation_id=user.organisation_id,
        roles=list(user.roles or []),
        active=False,
    )
    return update_person(user, fields, privacy={}, actor=actor)


def keep_an_administrator(excluding: User) -> None:
    """Raise Invalid (key ``roles``) unless an active administrator other than ``excluding``
    remains. Call inside the write transaction: on PostgreSQL the administrators' rows are
    locked, so a second transaction waits and then counts what the first left."""
    if not (excluding.active and excluding.has_role(ADMIN_ROLE)):
        return  # nobody is lost
    query = User.select(User.id, User.roles).where(User.active == True)  # noqa: E712
    if not is_sqlite():  # SQLite: the transaction already holds the write lock
        query = query.for_update()
    others = sum(1 for u in query if u.id != excluding.id and u.has_role(ADMIN_ROLE))
    if others == 0:
        raise Invalid(LAST_ADMIN, {"roles": [LAST_ADMIN]})


def reset_password(
    user: User, password: str, *, privacy: Mapping[str, Any], actor: User | None
) -> int:
    """A new password set by an administrator; every session of the person ends (returned:
    how many). Invalid (key ``password``) for a weak password or one that would let the
    administrator act with a privacy role they lack."""
    borrowed = borrowed_roles(user, actor, privacy)
    if borrowed:
        problem = borrowed_message(user, borrowed, "Ein neues Passwort")
        raise Invalid(problem, {"password": [problem]})
    return replace_password(user, password, actor)


def end_sessions(user: User, actor: User | None) -> int:
    """End every session of ``user`` now (audited); how many there were."""
    with transaction():
        ended = end_all_sessions(user)
        audit(
            "user.sessions_end",
            actor,
            object_type="user",
            object_id=user.id,
            detail={"username": user.username, "sessions_ended": ended},
        )
    return ended


def find_person(username: str) -> User:
    """The person named ``username`` (any case), else NotFound with a German message."""
    user = User.get_or_none(User.username == (username or "").strip().lower()[:64])
    if user is None:
        raise NotFound(f"Den Benutzer „{username}“ gibt es nicht.")
    return user
