"""The audit log: append-only, and never holding form contents."""

from __future__ import annotations

import peewee

from .accounts import User
from .base import BaseModel, JSONField, utcnow


class AuditEntry(BaseModel):
    at = peewee.DateTimeField(default=utcnow, index=True)
    user = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    username = peewee.CharField(max_length=64, default="")
    organisation = peewee.CharField(max_length=64, default="")
    action = peewee.CharField(max_length=64, index=True)
    object_type = peewee.CharField(max_length=32, default="")
    object_id = peewee.CharField(max_length=64, default="")
    # a plain integer, not a foreign key: entries must outlive the records they describe
    record_id = peewee.IntegerField(null=True, index=True)
    detail = JSONField(default=dict)
    remote_addr = peewee.CharField(max_length=64, default="")
