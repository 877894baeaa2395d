"""Deadlines: planned when a record enters a state, closed when it leaves, reminded when due."""

from __future__ import annotations

import datetime as dt

import peewee

from .. import clock
from ..models import Deadline, Record, Reminder, User, utcnow
from ..models.fast import insert_row
from ..schema.definitions import Definitions, WorkflowDef
from .access import readable_records


def plan_deadlines(workflow: WorkflowDef, record: Record, state_id: str) -> int:
    """Create the due dates of ``state_id`` for a record that has just entered it."""
    today = clock.today()
    planned = 0
    for d in workflow.deadlines:
        if d.state == state_id:
            due_on = today + dt.timedelta(days=d.days)
            insert_row(Deadline, record=record.id, state=state_id, label=d.label, due_on=due_on)
            planned += 1
    return planned


def close_deadlines(record: Record, state_id: str) -> int:
    """Close the open due dates of ``state_id`` for a record that has just left it."""
    return (
        Deadline.update(closed_at=utcnow())
        .where(
            (Deadline.record == record.id)
            & (Deadline.state == state_id)
            & Deadline.closed_at.is_null()
        )
        .execute()
    )


def open_deadlines(
    defs: Definitions, user: User, *, mine: bool = False, overdue: bool = False, limit: int = 500
) -> list[Deadline]:
    """Open deadlines of records ``user`` may read, soonest first.

    ``mine``: only records the user owns; ``overdue``: only those already past.
    """
    records = readable_records(defs, user, Record.select(Record.id))
    query = (
        Deadline.select(Deadline, Record)
        .join(Record)
        .where(Deadline.closed_at.is_null() & Deadline.record.in_(records))
        .order_by(Deadline.due_on, Deadline.id)
        .limit(limit)
    )
    if mine:
        query = query.where(Record.owner == user.id)
    if overdue:
        query = query.where(Deadline.due_on < clock.today())
    return list(query)


def create_reminders(today: dt.date | None = None) -> int:
    """Periodic job: a reminder for the owner of every open deadline that is due or overdue.

    Idempotent: one reminder per deadline, owner and kind, however often it runs.
    """
    today = today or clock.today()
    created = 0
    due = (
        Deadline.select(Deadline, Record)
        .join(Record)
        .where(
            Deadline.closed_at.is_null() & (Deadline.due_on <= today) & Record.owner.is_null(False)
        )
    )
    for deadline in due:
        kind = "overdue" if deadline.due_on < today else "due"
        try:
            with Reminder._meta.database.atomic():
                Reminder.create(deadline=deadline, user=deadline.record.owner_id, kind=kind)
            created += 1
        except peewee.IntegrityError:
            continue  # already reminded
    return created


def unread_reminders(defs: Definitions, user: User, limit: int = 20) -> list[Reminder]:
    """The user's unread reminders whose deadline is open and whose record they still read."""
    records = readable_records(defs, user, Record.select(Record.id))
    return list(
        Reminder.select(Reminder, Deadline, Record)
        .join(Deadline)
        .join(Record)
        .where(
            (Reminder.user == user.id)
            & Reminder.read_at.is_null()
            & Deadline.closed_at.is_null()
            & Deadline.record.in_(records)
        )
        .order_by(Deadline.due_on)
        .limit(limit)
    )


def mark_read(user: User, reminder_id: int) -> bool:
    return bool(
        Reminder.update(read_at=utcnow())
        .where((Reminder.id == reminder_id) & (Reminder.user == user.id))
        .execute()
    )
