"""The Lenkungskreis report as a file (issue 17): a request, its status and its bytes.

Like :class:`~.records.DocumentRequest`, the database row is the truth and Redis carries only
its id; unlike it, a report belongs to no record: it names the declared report
(``[[reports]] id``), the period and the file form. The file holds figures only.
"""

from __future__ import annotations

import peewee

from .accounts import User
from .base import BaseModel, utcnow

REPORT_FORMATS = ("docx", "xlsx")


class ReportDocument(BaseModel):
    """One requested report file: queued → started → finished / failed."""

    report = peewee.CharField(max_length=64)  # the [[reports]] id
    title = peewee.CharField(max_length=200, default="")
    format = peewee.CharField(max_length=8)  # docx | xlsx
    period_start = peewee.DateField(null=True)  # NULL: all records
    period_end = peewee.DateField(null=True)
    period_kind = peewee.CharField(max_length=16, default="")  # quartal | jahr | frei
    compare = peewee.BooleanField(default=True)
    status = peewee.CharField(max_length=16, default="queued", index=True)
    requested_by = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    requested_at = peewee.DateTimeField(default=utcnow)
    started_at = peewee.DateTimeField(null=True)
    finished_at = peewee.DateTimeField(null=True)
    error = peewee.TextField(default="")
    filename = peewee.CharField(max_length=255, default="")
    size = peewee.IntegerField(default=0)
    attempts = peewee.IntegerField(default=0)
    content = peewee.BlobField(null=True)
