"""Data protection: consent per record and purpose, legal holds and anonymisation, login
failures, second factors, pending grants of privacy roles, and the permit that lets the audit
purge delete old entries."""

from __future__ import annotations

import peewee

from .accounts import User
from .base import BaseModel, utcnow
from .fast import Slot, cached_select
from .records import Record


class Consent(BaseModel):
    """A person's consent for one purpose of a record (``[[consents]]`` of its workflow).

    ``text_version`` names the wording that was signed; a withdrawal keeps the row and sets
    ``withdrawn_at``. A new consent after a withdrawal is a new row.
    """

    record = peewee.ForeignKeyField(Record, backref="consents", on_delete="CASCADE")
    purpose = peewee.CharField(max_length=64)
    text_version = peewee.CharField(max_length=64)
    given_at = peewee.DateField()
    recorded_by = peewee.ForeignKeyField(User, null=True, backref="+")
    recorded_at = peewee.DateTimeField(default=utcnow)
    withdrawn_at = peewee.DateField(null=True)
    withdrawal_recorded_by = peewee.ForeignKeyField(User, null=True, backref="+")
    withdrawal_recorded_at = peewee.DateTimeField(null=True)

    class Meta:
        indexes = ((("record", "purpose"), False),)


class RecordPrivacy(BaseModel):
    """Legal hold and anonymisation of one record (a row only once either happened)."""

    record = peewee.ForeignKeyField(Record, unique=True, backref="+", on_delete="CASCADE")
    hold = peewee.BooleanField(default=False)
    hold_reason = peewee.CharField(max_length=300, default="")
    hold_by = peewee.ForeignKeyField(User, null=True, backref="+")
    hold_at = peewee.DateTimeField(null=True)
    anonymised_at = peewee.DateTimeField(null=True, index=True)
    anonymised_reason = peewee.CharField(max_length=32, default="")


def is_anonymised(record_id: int) -> bool:
    """Whether the record was anonymised (a state of the record every service must respect)."""
    found = cached_select("record.anonymised", _anonymised_query, record=record_id)
    return bool(found)


def _anonymised_query() -> peewee.ModelSelect:
    done = RecordPrivacy.anonymised_at.is_null(False)
    return (
        RecordPrivacy.select(RecordPrivacy.id)
        .where((RecordPrivacy.record == Slot("record")) & done)
        .limit(1)
    )


class LoginFailure(BaseModel):
    """A failed login: kept briefly (see login_block_minutes) to throttle guessing.

    ``device`` is the id of a device cookie the browser showed for this account ("" for none).
    """

    at = peewee.DateTimeField(default=utcnow, index=True)
    username = peewee.CharField(max_length=64, index=True)
    remote_addr = peewee.CharField(max_length=64, default="", index=True)
    device = peewee.CharField(max_length=64, default="")


class SecondFactor(BaseModel):
    """A user's TOTP secret (RFC 6238); ``last_step`` refuses a code used twice."""

    user = peewee.ForeignKeyField(User, unique=True, backref="+", on_delete="CASCADE")
    secret = peewee.CharField(max_length=64)
    confirmed_at = peewee.DateTimeField(default=utcnow)
    last_step = peewee.BigIntegerField(default=0)


class RoleGrant(BaseModel):
    """A privacy role given to ``user`` by ``requested_by``: it takes effect only when a
    second person who holds the role confirms it (see server/services/role_grants.py).

    ``state`` is ``pending``, ``confirmed`` or ``refused``; decided grants stay as history.
    """

    user = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    role = peewee.CharField(max_length=64)
    requested_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    requested_at = peewee.DateTimeField(default=utcnow)
    state = peewee.CharField(max_length=16, default="pending", index=True)
    decided_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    decided_at = peewee.DateTimeField(null=True)


class AuditPurgePermit(BaseModel):
    """One row while the audit purge runs: the database trigger lets DELETE on the audit
    table through only for entries older than ``before`` (SQLite; PostgreSQL uses a
    transaction-local setting instead, see :mod:`server.services.privacy.audit_lock`)."""

    before = peewee.DateTimeField()
