"""Sending one e-mail exactly once as far as a database can promise it.

1. *Claim* (a short transaction): ``pending`` → ``sending`` with the time, by one conditional
   ``UPDATE``; of two workers running the same job only one changes the row, the other stops.
2. *Send* outside any transaction, with the Message-ID fixed when the row was made.
3. *Mark* ``sent`` (and audit who was told of what: ids and kind only).

A failure of the SMTP server releases the claim (``pending``) and RQ retries. A worker that
dies between 2 and 3 leaves ``sending``: only after ``[mail] resend_after`` seconds (longer
than any SMTP conversation may take) may the sweep claim it again. That is at-least-once for
this one window: if the server had accepted the mail just before the crash, a second copy
goes out – with the same Message-ID, which mail programs use to show it once. The other
choice, at-most-once, would lose an e-mail whenever a worker dies before the server accepted
it; for notices about cases handed over or deadlines, one copy too many is the smaller harm.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

from ...config import Settings
from ...models import MailDelivery, Notification, Record, User, transaction, utcnow
from ..audit import audit
from .calendar import INVITATIONS, ics_for
from .kinds import KIND_BY_NAME
from .mail import MailSettings, compose, mail_settings, send

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # claims of one e-mail before it is given up as failed


class MailNotSent(RuntimeError):
    """The SMTP server did not take the e-mail; told by kind, never with its text."""


def claim(delivery_id: int, resend_after: float) -> MailDelivery | None:
    """Claim e-mail ``delivery_id`` for sending; None when it is sent or someone else has it."""
    now = utcnow()
    stale = now - dt.timedelta(seconds=resend_after)
    with transaction():
        claimable = (MailDelivery.state == "pending") | (
            (MailDelivery.state == "sending") & (MailDelivery.claimed_at < stale)
        )
        changed = (
            MailDelivery.update(state="sending", claimed_at=now, attempts=MailDelivery.attempts + 1)
            .where((MailDelivery.id == delivery_id) & claimable)
            .execute()
        )
    return MailDelivery.get_by_id(delivery_id) if changed else None


def _link(mail: MailSettings, notification_id: int) -> str:
    return f"{mail.base_url}/notifications/{notification_id}/open"


FOOTER = (
    "\n\nDiese E-Mail enthält bewusst keine Inhalte aus Verbund. Was geschehen ist, sehen Sie "
    "nach der Anmeldung. Welche Benachrichtigungen Sie per E-Mail erhalten, stellen Sie unter "
    "„Benachrichtigungen“ → „Einstellungen“ ein.\n"
)


def _single(mail: MailSettings, delivery: MailDelivery) -> tuple[str, str, tuple]:
    notification = Notification.get_by_id(delivery.notification_id)
    kind = KIND_BY_NAME.get(notification.kind)
    link = _link(mail, notification.id)
    subject = f"Verbund: {notification.title}"
    body = (
        "Guten Tag,\n\nin Verbund gibt es eine neue Benachrichtigung für Sie.\n\n"
        f"Art: {kind.label if kind else notification.kind}\n"
        f"Betrifft: {notification.title}\n\nAnsehen: {link}" + FOOTER
    )
    attachments: tuple = ()
    if notification.kind == "meeting_invitation" and notification.record_id:
        record = Record.get_or_none(Record.id == notification.record_id)
        invitation = INVITATIONS.get(record.workflow) if record else None
        if record is not None and invitation is not None:
            ics = ics_for(
                invitation, record.id, notification.title, record.data or {}, record.version, link
            )
            if ics:
                attachments = ((ics, "text", "calendar", "einladung.ics"),)
    return subject, body, attachments


def _digest(mail: MailSettings, delivery: MailDelivery) -> tuple[str, str, tuple]:
    items = list(
        Notification.select()
        .where(Notification.digest_key == delivery.key)
        .order_by(Notification.created_at, Notification.id)
    )
    lines = []
    for n in items:
        kind = KIND_BY_NAME.get(n.kind)
        lines.append(f"- {kind.label if kind else n.kind}: {n.title}\n  {_link(mail, n.id)}")
    subject = f"Verbund: {len(items)} Benachrichtigungen des Tages"
    if len(items) == 1:
        subject = "Verbund: 1 Benachrichtigung des Tages"
    body = (
        "Guten Tag,\n\nhier die Zusammenfassung Ihrer Benachrichtigungen:\n\n"
        + "\n".join(lines)
        + f"\n\nAlle ansehen: {mail.base_url}/notifications/"
        + FOOTER
    )
    return subject, body, ()


def deliver(settings: Settings, delivery_id: int) -> str:
    """Send e-mail ``delivery_id`` unless it is sent or being sent; returns what happened."""
    mail = mail_settings(settings)
    if mail is None:
        return "no-mail"
    resend_after = float(settings.section("mail").get("resend_after") or 900)
    delivery = claim(delivery_id, resend_after)
    if delivery is None:
        exists = MailDelivery.get_or_none(MailDelivery.id == delivery_id)
        return exists.state if exists else "gone"
    person = User.get_or_none(User.id == delivery.user_id)
    address = (person.email or "").strip() if person and person.active else ""
    if not address or delivery.attempts > MAX_ATTEMPTS:
        _finish(delivery, "failed", "no address" if not address else "too many attempts")
        return "failed"
    if delivery.notification_id:
        subject, body, attachments = _single(mail, delivery)
    else:
        subject, body, attachments = _digest(mail, delivery)
    message = compose(mail, address, subject, body, delivery.message_id, attachments)
    try:
        send(mail, message)
    except (smtplib.SMTPException, OSError) as exc:
        _release(delivery, type(exc).__name__)
        raise MailNotSent(type(exc).__name__) from None
    _finish(delivery, "sent")
    return "sent"


def _release(delivery: MailDelivery, error: str) -> None:
    with transaction():
        MailDelivery.update(state="pending", error=error[:120]).where(
            (MailDelivery.id == delivery.id) & (MailDelivery.state == "sending")
        ).execute()


def _finish(delivery: MailDelivery, state: str, error: str = "") -> None:
    with transaction():
        MailDelivery.update(state=state, sent_at=utcnow(), error=error[:120]).where(
            MailDelivery.id == delivery.id
        ).execute()
        record_id = None
        if delivery.notification_id:
            n = Notification.get_or_none(Notification.id == delivery.notification_id)
            record_id = n.record_id if n else None
        audit(
            "notification.mail" if state == "sent" else "notification.mail_failed",
            None,
            record_id=record_id,
            object_type="mail",
            object_id=delivery.id,
            detail={
                "user_id": delivery.user_id,
                "notification_id": delivery.notification_id,
                "digest_day": str(delivery.digest_day) if delivery.digest_day else None,
            },
        )


def pending_deliveries(settings: Settings, limit: int = 500) -> list[int]:
    """E-mails the sweep should enqueue: pending for over a minute (their job may never
    have reached Redis), or claimed longer ago than ``resend_after`` (a worker died)."""
    now = utcnow()
    resend_after = float(settings.section("mail").get("resend_after") or 900)
    query = (
        MailDelivery.select(MailDelivery.id)
        .where(
            (
                (MailDelivery.state == "pending")
                & (MailDelivery.created_at < now - dt.timedelta(seconds=60))
            )
            | (
                (MailDelivery.state == "sending")
                & (MailDelivery.claimed_at < now - dt.timedelta(seconds=resend_after))
            )
        )
        .order_by(MailDelivery.id)
        .limit(limit)
    )
    return [row.id for row in query]
