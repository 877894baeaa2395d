"""A person's inbox and choices: only their own notifications, never anyone else's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peewee import fn

from ...models import MAIL_MODES, Notification, NotificationPreference, User, transaction, utcnow
from ...models.fast import Slot, cached_select
from ..errors import Invalid, NotFound
from .kinds import KINDS

PER_PAGE = 25


@dataclass(frozen=True)
class InboxPage:
    items: list[Notification]
    page: int
    pages: int
    total: int
    unread: int


def unread_count(user: User) -> int:
    """How many of the person's notifications are unread (the menu shows it)."""
    return cached_select("notifications.unread", _unread_query, user=user.id)[0][0]


def _unread_query():
    mine = (Notification.user == Slot("user")) & Notification.read_at.is_null()
    return Notification.select(fn.COUNT(Notification.id)).where(mine).tuples()


def inbox(user: User, page: Any = 1, unread_only: bool = False) -> InboxPage:
    """The person's notifications, newest first, ``PER_PAGE`` a page."""
    try:
        number = max(1, min(int(page), 10_000))
    except (TypeError, ValueError):
        number = 1
    query = Notification.select().where(Notification.user == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_null())
    total = query.count()
    pages = max(1, -(-total // PER_PAGE))
    number = min(number, pages)
    items = list(
        query.order_by(Notification.created_at.desc(), Notification.id.desc()).paginate(
            number, PER_PAGE
        )
    )
    return InboxPage(items, number, pages, total, unread_count(user))


def own_notification(user: User, notification_id: Any) -> Notification:
    """The person's notification ``notification_id``; someone else's is NotFound (404)."""
    try:
        wanted = int(notification_id)
    except (TypeError, ValueError):
        raise NotFound("Diese Benachrichtigung gibt es nicht.") from None
    found = Notification.get_or_none((Notification.id == wanted) & (Notification.user == user.id))
    if found is None:
        raise NotFound("Diese Benachrichtigung gibt es nicht.")
    return found


def mark_read(user: User, notification_id: Any) -> Notification:
    """Mark one of the person's notifications read (again: no change)."""
    found = own_notification(user, notification_id)
    if found.read_at is None:
        with transaction():
            Notification.update(read_at=utcnow()).where(
                (Notification.id == found.id) & (Notification.read_at.is_null())
            ).execute()
    return found


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the person read; returns how many."""
    with transaction():
        return (
            Notification.update(read_at=utcnow())
            .where((Notification.user == user.id) & (Notification.read_at.is_null()))
            .execute()
        )


def preferences(user: User) -> dict[str, str]:
    """The person's choices: ``"*"`` (general, default "immediate") and each kind's own
    ("" = as the general one)."""
    rows = {
        p.kind: p.mode
        for p in NotificationPreference.select().where(NotificationPreference.user == user.id)
    }
    chosen = {"*": rows.get("*", "immediate")}
    for kind in KINDS:
        chosen[kind.name] = rows.get(kind.name, "")
    return chosen


def save_preferences(user: User, values: dict[str, Any]) -> dict[str, str]:
    """Store the person's choices (``values`` as :func:`preferences` returns them).

    Raises Invalid naming each field with an unknown value; a kind that cannot be switched
    off refuses "off".
    """
    errors: dict[str, list[str]] = {}
    general = values.get("*", "immediate")
    if general not in MAIL_MODES:
        errors["*"] = ["Bitte „sofort“, „täglich“ oder „keine E-Mail“ wählen."]
    chosen: dict[str, str] = {"*": general}
    for kind in KINDS:
        value = values.get(kind.name, "") or ""
        if value and value not in MAIL_MODES:
            errors[kind.name] = ["Bitte eine der angebotenen Möglichkeiten wählen."]
        elif value == "off" and not kind.switchable:
            errors[kind.name] = [f"„{kind.label}“ kann nicht abgeschaltet werden."]
        chosen[kind.name] = value
    if errors:
        raise Invalid("Die Einstellungen wurden nicht gespeichert.", errors)
    with transaction():
        NotificationPreference.delete().where(NotificationPreference.user == user.id).execute()
        rows = [{"user": user.id, "kind": k, "mode": m} for k, m in chosen.items() if m]
        if rows:
            NotificationPreference.insert_many(rows).execute()
    return preferences(user)
