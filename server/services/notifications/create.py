"""Making notifications: one per person and event, in the transaction of the event.

``event_key`` (kind, event id, person) is unique: an event reported twice notifies once. An
e-mail to send now becomes a :class:`~server.models.MailDelivery` row in the same
transaction; its job is enqueued once the transaction has committed (``on_commit``), and the
mail sweep (jobs/mail.py) finds any row whose job never reached Redis.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from email.utils import make_msgid
from typing import Any

import peewee

from ...config import Settings
from ...models import (
    DocumentRequest,
    MailDelivery,
    Notification,
    NotificationPreference,
    Record,
    User,
    database,
    on_commit,
    transaction,
)
from ...queue.mail import enqueue_mail
from ...schema.definitions import Definitions
from ..audit import audit
from .kinds import KIND_BY_NAME
from .mail import mail_settings

log = logging.getLogger(__name__)


def mail_mode(user_id: int, kind: str) -> str:
    """The person's choice for ``kind``: its own, else their general one, else "immediate".

    A kind that cannot be switched off (escalations) is e-mailed at once when set to "off".
    """
    rows = {
        p.kind: p.mode
        for p in NotificationPreference.select().where(
            (NotificationPreference.user == user_id)
            & (NotificationPreference.kind.in_([kind, "*"]))
        )
    }
    mode = rows.get(kind) or rows.get("*") or "immediate"
    known = KIND_BY_NAME.get(kind)
    if mode == "off" and known is not None and not known.switchable:
        return "immediate"
    return mode


def record_title(defs: Definitions, record: Record) -> str:
    """The neutral name of a record: its workflow's record label and number ("Fall Nr. 12")."""
    workflow = defs.workflows.get(record.workflow)
    label = (workflow.record_label if workflow else "") or "Datensatz"
    return f"{label} Nr. {record.id}"


def notify(
    settings: Settings,
    kind: str,
    people: list[User],
    event_id: str,
    title: str,
    *,
    record_id: int | None = None,
    object_ref: str = "",
) -> list[int]:
    """Notify ``people`` of one event; returns the ids of notifications made now.

    Runs inside the caller's transaction (a record event) or its own. ``title`` must be
    neutral: kind and number, never a name or a value of the record.
    """
    made: list[int] = []
    deliveries: list[int] = []
    mail = mail_settings(settings)
    with transaction():
        for person in people:
            key = f"{kind}:{event_id}:{person.id}"[:190]
            mode = mail_mode(person.id, kind)
            try:
                with database.atomic():  # a savepoint: a duplicate leaves the rest standing
                    notification = Notification.create(
                        user=person.id,
                        kind=kind,
                        record=record_id,
                        object_ref=object_ref,
                        title=title[:200],
                        event_key=key,
                        mail_mode=mode,
                    )
            except peewee.IntegrityError:
                continue  # this event was told to this person already
            made.append(notification.id)
            audit(
                "notification.create",
                None,
                record_id=record_id,
                object_type="notification",
                object_id=notification.id,
                detail={"kind": kind, "user_id": person.id},
            )
            if mode == "immediate" and mail is not None and (person.email or "").strip():
                delivery = MailDelivery.create(
                    key=f"n:{notification.id}",
                    user=person.id,
                    notification=notification.id,
                    message_id=make_msgid("verbund", mail.domain),
                )
                deliveries.append(delivery.id)
        if deliveries:
            on_commit(_enqueue_later(settings, deliveries))
    return made


def _enqueue_later(settings: Settings, ids: list[int]) -> Callable[[], None]:
    def enqueue() -> None:
        for delivery_id in ids:
            enqueue_mail(settings, delivery_id)  # None when Redis is away: the sweep sends it

    return enqueue


def notify_document_failed(settings: Settings, defs: Definitions, request_id: int) -> list[int]:
    """Tell who requested document ``request_id`` that it failed (for good)."""
    request = DocumentRequest.get_or_none(DocumentRequest.id == request_id)
    if request is None or request.status != "failed" or request.requested_by_id is None:
        return []
    person = User.get_or_none((User.id == request.requested_by_id) & (User.active == True))  # noqa: E712
    record = Record.get_or_none(Record.id == request.record_id)
    if person is None or record is None:
        return []
    title = f"Dokument zu {record_title(defs, record)} konnte nicht erstellt werden"
    return notify(
        settings,
        "document_failed",
        [person],
        f"{request_id}:{request.attempts}",
        title,
        record_id=record.id,
        object_ref=f"document:{request_id}",
    )


def event_title(kind: str, base: str, detail: dict[str, Any]) -> str:
    """The neutral title of a notification of ``kind`` about the record named ``base``."""
    if kind == "handed_over":
        return f"{base} wurde {detail.get('whom', 'Ihnen')} übergeben"
    if kind == "transition":
        return f"{base}: {detail.get('label') or 'neuer Stand'}"
    if kind == "meeting_invitation":
        return f"Einladung: {base}"
    if kind == "deadline_due":
        return f"Frist fällig: {base}"
    if kind == "deadline_overdue":
        return f"Frist überschritten: {base}"
    if kind == "deadline_escalated":
        return f"Frist eskaliert: {base}"
    return base
