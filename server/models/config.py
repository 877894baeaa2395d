"""Published configuration: every publication of a form or workflow as one revision.

Files on disk are the initial state. Once a form or workflow has a revision, its newest one
is what every process runs (the text lives in the database so that web processes and workers
on every machine see the same configuration). Revisions are never changed or deleted.
"""

from __future__ import annotations

import peewee

from .accounts import User
from .base import BaseModel, utcnow

CONFIG_KINDS = ("form", "workflow")
REVISION_ACTIONS = ("publish", "create", "delete", "rollback")


class ConfigRevision(BaseModel):
    """One publication: the full text of one form or workflow (or its deletion), who and why."""

    kind = peewee.CharField(max_length=16)  # form | workflow
    name = peewee.CharField(max_length=64)  # the id, i.e. the file stem
    text = peewee.TextField(default="")
    deleted = peewee.BooleanField(default=False)
    action = peewee.CharField(max_length=16, default="publish")
    message = peewee.CharField(max_length=500, default="")
    author = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    # the name stays when the account is gone, as in the audit log
    author_name = peewee.CharField(max_length=64, default="")
    created_at = peewee.DateTimeField(default=utcnow)
    # for a rollback: the revision whose state it restores (0: the file on disk)
    restores = peewee.IntegerField(null=True)

    class Meta:
        indexes = ((("kind", "name"), False),)
