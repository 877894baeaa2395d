"""Separation of duties when roles are given.

* Nobody gives themself a role through the screens (removing one's own roles is allowed).
* A *privacy role* — ``dpo`` or any role named in a ``[privacy] *_roles`` list, because those
  open the audit log, subject access, holds or statistics — is not given at once: a
  :class:`~server.models.RoleGrant` waits until a second person who holds that role (not
  the one who asked, not the one who gets it) confirms it on *Datenschutz → Rollenfreigaben*.
* The command line on the server (``verbund user add``, ``verbund user grant``) is trusted:
  whoever runs it already controls the installation. It grants at once and is audited too.

Every request, confirmation, refusal and command-line grant is an audit entry; the DPO sees
all of them on the grants screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...models import RoleGrant, User, transaction, utcnow
from ..audit import audit
from ..errors import Conflict, Forbidden, Invalid, NotFound
from .people import end_all_sessions

ALWAYS_PRIVATE = ("dpo",)
SELF_GRANT = "Niemand kann sich selbst eine Rolle geben: {roles}. Bitte eine andere Person fragen."


def privacy_roles(privacy: Mapping[str, Any]) -> set[str]:
    """``dpo`` and every role named in a ``*_roles`` list of ``[privacy]``."""
    roles = set(ALWAYS_PRIVATE)
    for key, value in privacy.items():
        if key.endswith("_roles") and isinstance(value, list | tuple):
            roles.update(str(role) for role in value)
    return roles


def refuse_self_grant(user: User, roles: Iterable[str], actor: User | None) -> None:
    """Raise Forbidden when ``actor`` would give themself a role they do not have yet."""
    if actor is None or actor.id != user.id:
        return
    added = sorted(set(roles) - set(user.roles or []))
    if added:
        raise Forbidden(SELF_GRANT.format(roles=", ".join(f"„{r}“" for r in added)))


def split_roles(
    user: User | None, roles: Iterable[str], privacy: Mapping[str, Any]
) -> tuple[list[str], list[str]]:
    """``(effective now, waiting for confirmation)`` for a screen's new role list.

    Roles the user already has stay; newly added privacy roles wait.
    """
    have = set(user.roles or []) if user is not None else set()
    private = privacy_roles(privacy)
    now, later = [], []
    for role in roles:
        (later if role in private and role not in have else now).append(role)
    return now, later


def borrowed_roles(user: User, actor: User | None, privacy: Mapping[str, Any]) -> list[str]:
    """Privacy roles of ``user`` that ``actor`` lacks.

    A new password or an API token for such a person would let the actor act with those
    roles (log in as the DPO, export subject access), so the screens refuse both; the
    command line on the server stays open.
    """
    if actor is None:
        return []
    private = privacy_roles(privacy)
    mine = set(actor.roles or [])
    return sorted(r for r in (user.roles or []) if r in private and r not in mine)


def borrowed_message(user: User, roles: list[str], what: str) -> str:
    names = ", ".join(f"„{r}“" for r in roles)
    return (
        f"{what} für „{user.username}“ (Rolle {names}) vergibt nur eine andere Person mit "
        "dieser Rolle oder die Kommandozeile auf dem Server (verbund user password / verbund "
        "token) – sonst könnte man mit ihren Rechten handeln."
    )


def request_grants(user: User, roles: Iterable[str], actor: User | None) -> list[RoleGrant]:
    """Pending grants of ``roles`` for ``user`` (one per role; an open one is reused)."""
    made = []
    with transaction():
        for role in roles:
            grant = RoleGrant.get_or_none(
                (RoleGrant.user == user.id)
                & (RoleGrant.role == role)
                & (RoleGrant.state == "pending")
            )
            if grant is None:
                grant = RoleGrant.create(user=user, role=role, requested_by=actor)
                audit(
                    "role.grant_request",
                    actor,
                    object_type="user",
                    object_id=user.id,
                    detail={"username": user.username, "role": role},
                )
            made.append(grant)
    return made


def pending_for(user: User) -> list[RoleGrant]:
    """The open grants for ``user`` (shown on their page in the administration)."""
    query = RoleGrant.select().where((RoleGrant.user == user.id) & (RoleGrant.state == "pending"))
    return list(query.order_by(RoleGrant.id))


def may_decide(grant: RoleGrant, actor: User | None) -> bool:
    """A second person who holds the role: not the asker, not the receiver."""
    return bool(
        actor is not None
        and actor.active
        and grant.role in (actor.roles or [])
        and actor.id != grant.user_id
        and actor.id != grant.requested_by_id
    )


def decide(grant_id: int, actor: User, confirm: bool) -> RoleGrant:
    """Confirm (the role takes effect, the person's sessions end) or refuse a pending grant."""
    grant = RoleGrant.get_or_none(RoleGrant.id == grant_id)
    if grant is None:
        raise NotFound("Diese Rollenfreigabe gibt es nicht.")
    if not may_decide(grant, actor):
        raise Forbidden(
            f"Die Rolle „{grant.role}“ bestätigt eine andere Person, die sie selbst hat – "
            "nicht, wer sie beantragt hat, und nicht, wer sie bekommt."
        )
    state = "confirmed" if confirm else "refused"
    with transaction():
        # conditional: two people deciding at once cannot both win
        changed = (
            RoleGrant.update(state=state, decided_by=actor, decided_at=utcnow())
            .where((RoleGrant.id == grant.id) & (RoleGrant.state == "pending"))
            .execute()
        )
        if changed != 1:
            raise Conflict("Über diese Rollenfreigabe wurde schon entschieden.")
        user = User.get_by_id(grant.user_id)
        if confirm and grant.role not in (user.roles or []):
            User.update(roles=[*(user.roles or []), grant.role]).where(User.id == user.id).execute()
            end_all_sessions(user)
        audit(
            "role.grant_confirm" if confirm else "role.grant_refuse",
            actor,
            object_type="user",
            object_id=user.id,
            detail={"username": user.username, "role": grant.role, "grant": grant.id},
        )
    return RoleGrant.get_by_id(grant.id)


def grant_from_command_line(username: str, role: str, known_roles: set[str]) -> User:
    """``verbund user grant``: the trusted path, effective at once and audited."""
    user = User.get_or_none(User.username == (username or "").strip().lower())
    if user is None:
        raise NotFound(f"Den Benutzer „{username}“ gibt es nicht.")
    if role not in known_roles:
        raise Invalid(f"Unbekannte Rolle: {role}")
    with transaction():
        if role not in (user.roles or []):
            User.update(roles=[*(user.roles or []), role]).where(User.id == user.id).execute()
            end_all_sessions(user)
        # an open request for the same role is settled by this grant
        RoleGrant.update(state="confirmed", decided_at=utcnow()).where(
            (RoleGrant.user == user.id) & (RoleGrant.role == role) & (RoleGrant.state == "pending")
        ).execute()
        audit(
            "role.grant",
            None,
            object_type="user",
            object_id=user.id,
            detail={"username": user.username, "role": role, "via": "cli"},
        )
    return User.get_by_id(user.id)
