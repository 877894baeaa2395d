"""Notifications in a person's inbox, their choice of e-mail, and the e-mails' claim rows.

A notification names what happened (``kind``) and to which object, never what the object
holds: ``title`` is neutral ("Fall Nr. 12 wurde Ihnen übergeben"). ``event_key`` is unique,
so an event that is reported twice (a retried job, a second listener run) notifies once.
"""

from __future__ import annotations

import peewee

from .accounts import User
from .base import BaseModel, utcnow
from .records import Record

MAIL_MODES = ("immediate", "digest", "off")
DELIVERY_STATES = ("pending", "sending", "sent", "failed")


class Notification(BaseModel):
    """One event told to one person (their inbox)."""

    user = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    kind = peewee.CharField(max_length=32)
    record = peewee.ForeignKeyField(Record, null=True, backref="+", on_delete="CASCADE")
    object_ref = peewee.CharField(max_length=64, default="")  # e.g. "document:12"
    title = peewee.CharField(max_length=200)  # neutral: kind + number, no content
    created_at = peewee.DateTimeField(default=utcnow)
    read_at = peewee.DateTimeField(null=True)
    event_key = peewee.CharField(max_length=190, unique=True)
    # the e-mail choice in force when it was made (immediate / digest / off)
    mail_mode = peewee.CharField(max_length=16, default="immediate")
    digest_key = peewee.CharField(max_length=64, null=True)  # the digest that carried it

    class Meta:
        indexes = (
            (("user", "created_at"), False),
            (("user", "read_at"), False),
            (("mail_mode", "digest_key"), False),
        )


class NotificationPreference(BaseModel):
    """How a person wants to hear of one kind (``kind = "*"``: every kind without its own)."""

    user = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    kind = peewee.CharField(max_length=32)
    mode = peewee.CharField(max_length=16)

    class Meta:
        indexes = ((("user", "kind"), True),)


class MailDelivery(BaseModel):
    """One e-mail to send, claimed before sending: the idempotency key of an e-mail.

    ``key`` is unique (``n:<notification id>`` or ``digest:<user id>:<day>``); ``message_id``
    is fixed when the row is made, so a resend after a crash carries the same Message-ID.
    """

    key = peewee.CharField(max_length=64, unique=True)
    user = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    notification = peewee.ForeignKeyField(Notification, null=True, backref="+", on_delete="CASCADE")
    digest_day = peewee.DateField(null=True)
    state = peewee.CharField(max_length=16, default="pending", index=True)
    message_id = peewee.CharField(max_length=190)
    attempts = peewee.IntegerField(default=0)
    created_at = peewee.DateTimeField(default=utcnow)
    claimed_at = peewee.DateTimeField(null=True)
    sent_at = peewee.DateTimeField(null=True)
    error = peewee.CharField(max_length=120, default="")  # kind of error only, never text
