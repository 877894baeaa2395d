"""Word templates kept as revisions, and the follow-up of decisions in the decision register
(the status of a measure and the actual values of its indicator).

Template bytes live in the database, not only in ``exports/``: every web process and every
worker on every machine renders with the same current revision. The files in ``exports/`` are
the initial revision (see :mod:`server.documents.store`).
"""

from __future__ import annotations

import peewee

from .accounts import User
from .base import BaseModel, utcnow
from .records import Record


class TemplateRevision(BaseModel):
    """One revision of a Word template; the highest ``number`` of a ``name`` is current."""

    name = peewee.CharField(max_length=200)
    number = peewee.IntegerField()
    content = peewee.BlobField()
    sha256 = peewee.CharField(max_length=64)
    size = peewee.IntegerField()
    # "exports" (taken from the file in exports/), "upload" (an admin), "restore" (an older one)
    source = peewee.CharField(max_length=16, default="upload")
    filename = peewee.CharField(max_length=255, default="")
    comment = peewee.CharField(max_length=500, default="")
    author = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("name", "number"), True),)


class MeasureStatus(BaseModel):
    """A status update of one decision/measure (a row of a meeting's agenda table).

    Only rows of approved (final) meetings get updates: their agenda is frozen, so the row
    index names the same row for good. Every update is kept; the newest one counts.
    """

    record = peewee.ForeignKeyField(Record, backref="+", on_delete="CASCADE")
    row = peewee.IntegerField()
    status = peewee.CharField(max_length=32)
    note = peewee.TextField(default="")
    user = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("record", "row"), False),)


class MeasureValue(BaseModel):
    """A dated actual value of the indicator of one measure (a row of a meeting's agenda).

    Like :class:`MeasureStatus` only for approved (frozen) minutes, so the row index names
    the same row for good. Every entry is kept; of two for the same date the newer counts
    (a correction is a new entry, the old one stays for the audit trail).
    """

    record = peewee.ForeignKeyField(Record, backref="+", on_delete="CASCADE")
    row = peewee.IntegerField()
    measured_on = peewee.DateField()
    value = peewee.DecimalField(max_digits=16, decimal_places=4, auto_round=True)
    user = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("record", "row"), False),)
