"""People, passwords, API tokens and login sessions."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any

import peewee
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from peewee import JOIN

from ...models import (
    ApiToken,
    Organisation,
    User,
    UserSession,
    database,
    short_write,
    transaction,
    utcnow,
)
from ...models.fast import Slot, cached_select
from ..audit import audit
from ..errors import Invalid, NotFound
from .passwords import password_problem as _password_problem

_hasher = PasswordHasher()
# verified against when the user name is unknown, so both cases take the same time
_DUMMY_HASH = _hasher.hash("verbund-timing-equaliser")

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
ORG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MIN_PASSWORD = 12  # the rule itself lives in passwords.py


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why a password is not acceptable, in German; None when it is (see passwords.py)."""
    return _password_problem(password or "", user_inputs)


def check_password(user: User | None, password: str) -> bool:
    """True when ``password`` is the user's; equal effort whether or not the user exists."""
    try:
        if user is None or not user.password_hash:
            _hasher.verify(_DUMMY_HASH, password)
            return False
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = User.get_or_none(User.username == (username or "").strip().lower()[:64])
    if not check_password(user, password or ""):
        return None
    if not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        User.update(password_hash=hash_password(password)).where(User.id == user.id).execute()
    return user


def get_or_create_organisation(name: str, label: str | None = None) -> Organisation:
    name = name.strip().lower()
    if not ORG_RE.match(name):
        raise Invalid(
            "Ungültiger Organisationsname.",
            {"org": ["Kleinbuchstaben, Ziffern, - und _; beginnend mit Buchstabe oder Ziffer."]},
        )
    org = Organisation.get_or_none(Organisation.name == name)
    if org is None:
        org = Organisation.create(name=name, label=label or name)
    return org


def create_user(
    username: str,
    password: str,
    roles: list[str],
    organisation: Organisation | None,
    display_name: str = "",
    known_roles: set[str] | None = None,
    actor: User | None = None,
) -> User:
    """A new user; raises Invalid with German messages for bad names, roles or passwords."""
    username = (username or "").strip().lower()
    errors: dict[str, list[str]] = {}
    if not USERNAME_RE.match(username):
        errors["username"] = ["Benutzername: 2–64 Zeichen, Kleinbuchstaben, Ziffern, . _ -"]
    elif User.select().where(User.username == username).exists():
        errors["username"] = [f"Den Benutzer „{username}“ gibt es schon."]
    if known_roles is not None:
        unknown = [r for r in roles if r not in known_roles]
        if unknown:
            errors["role"] = [f"Unbekannte Rolle: {', '.join(unknown)}"]
    problem = password_problem(password, (username, display_name))
    if problem:
        errors["password"] = [problem]
    if errors:
        raise Invalid("Der Benutzer kann nicht angelegt werden.", errors)
    with transaction():
        user = User.create(
            username=username,
            display_name=display_name or username,
            password_hash=hash_password(password),
            roles=list(roles),
            organisation=organisation,
        )
        audit(
            "user.create",
            actor,
            object_type="user",
            object_id=user.id,
            detail={"username": username, "roles": list(roles)},
        )
    return user


def changed_account_fields(user: User, wanted: dict[str, Any]) -> list[str]:
    """The names of the account fields (display_name, email, roles, organisation, active) in
    ``wanted`` that differ from ``user``'s, sorted: what a directory login or an import changes."""
    current = {
        "display_name": user.display_name,
        "email": user.email,
        "roles": list(user.roles or []),
        "organisation": user.organisation_id,
        "active": user.active,
    }
    return sorted(k for k, v in wanted.items() if current[k] != v)


def set_password(username: str, password: str, actor: User | None = None) -> User:
    """A new password for ``username`` (command line); ends every session, audited."""
    user = User.get_or_none(User.username == (username or "").strip().lower())
    if user is None:
        raise NotFound(f"Den Benutzer „{username}“ gibt es nicht.")
    replace_password(user, password, actor, via="cli")
    return user


def replace_password(
    user: User, password: str, actor: User | None, *, via: str | None = None
) -> int:
    """Store a new password for ``user`` and end every session (audited); how many ended.
    Invalid (key ``password``) when the password is weak or guessable from the person's name.
    The one way a password is replaced, from the command line and from the admin screen."""
    problem = password_problem(password, (user.username, user.display_name))
    if problem:
        raise Invalid(problem, {"password": [problem]})
    detail: dict = {"username": user.username}
    if via:
        detail["via"] = via
    with transaction():
        User.update(password_hash=hash_password(password)).where(User.id == user.id).execute()
        ended = end_all_sessions(user)
        detail["sessions_ended"] = ended
        audit(
            "user.password_reset",
            actor,
            object_type="user",
            object_id=user.id,
            detail=detail,
        )
    return ended


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(user: User, label: str = "", actor: User | None = None) -> str:
    """A new API token for ``user``; the clear text is returned once and never stored.

    ``actor`` is who asked for it (an administrator), when not the user themself.
    """
    secret = "vb_" + secrets.token_urlsafe(32)
    ApiToken.create(user=user, label=label, token_hash=_digest(secret), prefix=secret[:10])
    detail = {"for": user.username} if actor is not None else None
    audit("token.create", actor or user, object_type="token", object_id=secret[:10], detail=detail)
    return secret


def _token_query():
    # the user's organisation comes along: the audit entry of a change names it
    return (
        ApiToken.select(ApiToken, User, Organisation)
        .join(User)
        .join(Organisation, JOIN.LEFT_OUTER)
        .where((ApiToken.token_hash == Slot("token")) & ApiToken.revoked_at.is_null())
        .limit(1)
    )


def user_for_token(secret: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not secret or len(secret) > 200:
        return None
    found = cached_select("token.user", _token_query, token=_digest(secret))
    token = found[0] if found else None
    if token is None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        _note_use(ApiToken.update(last_used_at=now).where(ApiToken.id == token.id))
    return token.user


def _note_use(update: peewee.ModelUpdate) -> None:
    """Write "last used/seen" if the database takes it soon; else the next request does.

    A read must not wait behind (or fail with) another process's long write transaction
    because of this bookkeeping; at most a minute of "last seen" is late.
    """
    if database.in_transaction():
        update.execute()
        return
    try:
        with short_write():
            update.execute()
    except peewee.OperationalError:
        pass


def open_session(user: User, remote_addr: str = "", user_agent: str = "") -> str:
    """Start a server-side session; returns the key for the cookie."""
    key = secrets.token_urlsafe(32)
    UserSession.create(
        key_hash=_digest(key), user=user, remote_addr=remote_addr[:64], user_agent=user_agent[:300]
    )
    User.update(last_login_at=utcnow()).where(User.id == user.id).execute()
    return key


def _session_query():
    return (
        UserSession.select(UserSession, User, Organisation)
        .join(User)
        .join(Organisation, JOIN.LEFT_OUTER)
        .where((UserSession.key_hash == Slot("key")) & UserSession.revoked_at.is_null())
        .limit(1)
    )


def session_user(
    key: str, idle: dt.timedelta | None = None, lifetime: dt.timedelta | None = None
) -> User | None:
    """The user of a live session key; None for unknown, revoked, deactivated or expired.

    A session expires ``idle`` after its last request and ``lifetime`` after the login;
    an expired session is revoked, so its cookie is worthless from then on.
    """
    if not key or len(key) > 100:
        return None
    # the user's organisation comes along: every page names it in the title bar
    found = cached_select("session.user", _session_query, key=_digest(key))
    session = found[0] if found else None
    if session is None or not session.user.active:
        return None
    now = utcnow()
    if (idle is not None and now - session.last_seen_at > idle) or (
        lifetime is not None and now - session.created_at > lifetime
    ):
        UserSession.update(revoked_at=now).where(UserSession.id == session.id).execute()
        return None
    if (now - session.last_seen_at).total_seconds() > 60:
        _note_use(UserSession.update(last_seen_at=now).where(UserSession.id == session.id))
    return session.user


def close_session(key: str) -> None:
    UserSession.update(revoked_at=utcnow()).where(
        (UserSession.key_hash == _digest(key)) & UserSession.revoked_at.is_null()
    ).execute()


def end_all_sessions(user: User) -> int:
    """Revoke every session of ``user`` (deactivation, password reset, 'end sessions')."""
    return (
        UserSession.update(revoked_at=utcnow())
        .where((UserSession.user == user.id) & UserSession.revoked_at.is_null())
        .execute()
    )


def revoke_all_tokens(user: User) -> int:
    """Revoke every API token of ``user`` (deactivation: reactivating brings none back)."""
    return (
        ApiToken.update(revoked_at=utcnow())
        .where((ApiToken.user == user.id) & ApiToken.revoked_at.is_null())
        .execute()
    )
