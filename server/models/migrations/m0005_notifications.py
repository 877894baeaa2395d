"""Notifications (issue 16): the inbox, each person's choice of e-mail, and the e-mails'
claim rows (the idempotency key of an e-mail).

The tables are declared here as they are at this migration, not taken from the models: the
models will move on, and this step must create what it created on the day it was written.
``user`` and ``record`` stand in as bare tables for the foreign keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import peewee

from ..base import database, utcnow

if TYPE_CHECKING:
    from .runner import Context

TITLE = "Benachrichtigungen, E-Mail-Wahl und E-Mail-Zustellung (3 Tabellen)"


class _Frozen(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


class _User(_Frozen):
    class Meta:
        table_name = "user"


class _Record(_Frozen):
    class Meta:
        table_name = "record"


class Notification(_Frozen):
    user = peewee.ForeignKeyField(_User, backref="+", on_delete="CASCADE")
    kind = peewee.CharField(max_length=32)
    record = peewee.ForeignKeyField(_Record, null=True, backref="+", on_delete="CASCADE")
    object_ref = peewee.CharField(max_length=64, default="")
    title = peewee.CharField(max_length=200)
    created_at = peewee.DateTimeField(default=utcnow)
    read_at = peewee.DateTimeField(null=True)
    event_key = peewee.CharField(max_length=190, unique=True)
    mail_mode = peewee.CharField(max_length=16, default="immediate")
    digest_key = peewee.CharField(max_length=64, null=True)

    class Meta:
        table_name = "notification"
        indexes = (
            (("user", "created_at"), False),
            (("user", "read_at"), False),
            (("mail_mode", "digest_key"), False),
        )


class NotificationPreference(_Frozen):
    user = peewee.ForeignKeyField(_User, backref="+", on_delete="CASCADE")
    kind = peewee.CharField(max_length=32)
    mode = peewee.CharField(max_length=16)

    class Meta:
        table_name = "notification_preference"
        indexes = ((("user", "kind"), True),)


class MailDelivery(_Frozen):
    key = peewee.CharField(max_length=64, unique=True)
    user = peewee.ForeignKeyField(_User, backref="+", on_delete="CASCADE")
    notification = peewee.ForeignKeyField(Notification, null=True, backref="+", on_delete="CASCADE")
    digest_day = peewee.DateField(null=True)
    state = peewee.CharField(max_length=16, default="pending", index=True)
    message_id = peewee.CharField(max_length=190)
    attempts = peewee.IntegerField(default=0)
    created_at = peewee.DateTimeField(default=utcnow)
    claimed_at = peewee.DateTimeField(null=True)
    sent_at = peewee.DateTimeField(null=True)
    error = peewee.CharField(max_length=120, default="")

    class Meta:
        table_name = "mail_delivery"


def upgrade(ctx: Context) -> None:
    # safe=False: a table of that name already there is an error, not silently kept
    database.create_tables([Notification, NotificationPreference, MailDelivery], safe=False)
