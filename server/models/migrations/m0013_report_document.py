"""The Lenkungskreis report as a file (issue 17): table ``report_document``.

Declared here as it is at this migration, not taken from the model (the model moves on);
``user`` stands in as a bare table for the foreign key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import peewee

from ..base import database, utcnow

if TYPE_CHECKING:
    from .runner import Context

TITLE = "Berichtsdateien für den Lenkungskreis (Tabelle report_document)"


class _Frozen(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


class _User(_Frozen):
    class Meta:
        table_name = "user"


class ReportDocument(_Frozen):
    report = peewee.CharField(max_length=64)
    title = peewee.CharField(max_length=200, default="")
    format = peewee.CharField(max_length=8)
    period_start = peewee.DateField(null=True)
    period_end = peewee.DateField(null=True)
    period_kind = peewee.CharField(max_length=16, default="")
    compare = peewee.BooleanField(default=True)
    status = peewee.CharField(max_length=16, default="queued", index=True)
    requested_by = peewee.ForeignKeyField(_User, backref="+", on_delete="CASCADE")
    requested_at = peewee.DateTimeField(default=utcnow)
    started_at = peewee.DateTimeField(null=True)
    finished_at = peewee.DateTimeField(null=True)
    error = peewee.TextField(default="")
    filename = peewee.CharField(max_length=255, default="")
    size = peewee.IntegerField(default=0)
    attempts = peewee.IntegerField(default=0)
    content = peewee.BlobField(null=True)

    class Meta:
        table_name = "report_document"


def upgrade(ctx: Context) -> None:
    database.create_tables([ReportDocument], safe=False)
