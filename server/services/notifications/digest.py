"""The daily digest: once per person and day, with what was chosen "daily".

From ``[mail] digest_hour`` (Berlin) on, :func:`make_digests` gives every person with
waiting digest notifications one :class:`~server.models.MailDelivery` keyed
``digest:<person>:<day>`` – unique, so a second run the same day (two workers, a retry)
makes none – and marks the notifications it carries with that key in the same transaction.
Notifications arriving after today's digest wait for tomorrow's.
"""

from __future__ import annotations

from email.utils import make_msgid

import peewee

from ... import clock
from ...config import Settings
from ...models import MailDelivery, Notification, User, database, transaction
from .mail import mail_settings

NO_MAIL = "-"  # digest_key of digest notifications of a person without an e-mail address


def make_digests(settings: Settings) -> list[int]:
    """Make today's digests that are due; returns the ids of the new deliveries."""
    mail = mail_settings(settings)
    if mail is None:
        return []
    hour = int(settings.section("mail").get("digest_hour") or 0)
    local = clock.now().astimezone(clock.LOCAL_ZONE)
    if local.hour < hour:
        return []
    day = local.date()
    waiting = (
        Notification.select(Notification.user)
        .where((Notification.mail_mode == "digest") & (Notification.digest_key.is_null()))
        .distinct()
    )
    user_ids = sorted({row.user_id for row in waiting})  # read fully before writing
    made = []
    for user_id in user_ids:
        person = User.get_or_none(User.id == user_id)
        if person is None or not person.active or not (person.email or "").strip():
            # no address: they stay in the inbox and are not read again every run
            Notification.update(digest_key=NO_MAIL).where(
                (Notification.user == user_id)
                & (Notification.mail_mode == "digest")
                & (Notification.digest_key.is_null())
            ).execute()
            continue
        key = f"digest:{user_id}:{day.isoformat()}"
        with transaction():
            try:
                with database.atomic():
                    delivery = MailDelivery.create(
                        key=key,
                        user=user_id,
                        digest_day=day,
                        message_id=make_msgid("verbund-digest", mail.domain),
                    )
            except peewee.IntegrityError:
                continue  # today's digest of this person exists: the rest waits for tomorrow
            Notification.update(digest_key=key).where(
                (Notification.user == user_id)
                & (Notification.mail_mode == "digest")
                & (Notification.digest_key.is_null())
            ).execute()
            made.append(delivery.id)
    return made
