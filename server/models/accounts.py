"""Organisations, people, their API tokens and their login sessions."""

from __future__ import annotations

import peewee

from .base import BaseModel, JSONField, utcnow


class Organisation(BaseModel):
    name = peewee.CharField(max_length=64, unique=True)
    label = peewee.CharField(max_length=200)
    created_at = peewee.DateTimeField(default=utcnow)

    def __str__(self) -> str:
        return self.label


class User(BaseModel):
    username = peewee.CharField(max_length=64, unique=True)
    display_name = peewee.CharField(max_length=200, default="")
    email = peewee.CharField(max_length=254, default="")
    password_hash = peewee.CharField(max_length=255, default="")
    organisation = peewee.ForeignKeyField(Organisation, null=True, backref="users")
    roles = JSONField(default=list)
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)
    last_login_at = peewee.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.display_name or self.username

    def has_role(self, *roles: str) -> bool:
        return any(r in (self.roles or []) for r in roles)


class ApiToken(BaseModel):
    """A bearer token; only its SHA-256 is stored (tokens are random, so no slow hash needed)."""

    user = peewee.ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    label = peewee.CharField(max_length=200, default="")
    token_hash = peewee.CharField(max_length=64, unique=True)
    prefix = peewee.CharField(max_length=12)
    created_at = peewee.DateTimeField(default=utcnow)
    last_used_at = peewee.DateTimeField(null=True)
    revoked_at = peewee.DateTimeField(null=True)


class UserSession(BaseModel):
    """A server-side login session; the cookie carries a random key whose hash is stored here.

    Logging out, deactivating a user or ending their sessions sets ``revoked_at``, and a
    replayed cookie of a revoked session is refused at once.
    """

    key_hash = peewee.CharField(max_length=64, unique=True)
    user = peewee.ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = peewee.DateTimeField(default=utcnow)
    last_seen_at = peewee.DateTimeField(default=utcnow)
    revoked_at = peewee.DateTimeField(null=True)
    remote_addr = peewee.CharField(max_length=64, default="")
    user_agent = peewee.CharField(max_length=300, default="")
