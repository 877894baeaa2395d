"""Due dates created when a record enters a state, and the reminders about them."""

from __future__ import annotations

import peewee

from .accounts import User
from .base import BaseModel, utcnow
from .records import Record


class Deadline(BaseModel):
    """A due date of one record in one state ([[deadlines]] of its workflow).

    It is closed when the record leaves the state (``closed_reason`` "left"), when the date
    it was planned from changes ("replanned") or when a recurring one is done ("done", and
    the next one is planned); entering the state again plans a new one, so the history of
    kept and missed deadlines stays visible. State and label name its declaration.
    """

    record = peewee.ForeignKeyField(Record, backref="deadlines", on_delete="CASCADE")
    state = peewee.CharField(max_length=64)
    label = peewee.CharField(max_length=200)
    due_on = peewee.DateField(index=True)
    created_at = peewee.DateTimeField(default=utcnow)
    closed_at = peewee.DateTimeField(null=True, index=True)
    # the day it counts from: entering the state, the record's date, or the day after the
    # last completion; a date entered in ``done_field`` from this day on completes it
    planned_from = peewee.DateField(null=True)
    closed_reason = peewee.CharField(max_length=16, default="")  # left | replanned | done
    escalated_at = peewee.DateTimeField(null=True)
    escalated_to = peewee.CharField(max_length=64, default="")  # role id
    # the last event sent for it ("due", "overdue"), so each is sent once
    announced = peewee.CharField(max_length=16, default="")

    class Meta:
        # open deadlines by due date: reminders, deadline lists, list filters (migration 0002)
        indexes = ((("record", "closed_at"), False), (("closed_at", "due_on"), False))


# only the open deadlines, in date order (migration 0019): PostgreSQL does not take
# ``closed_at IS NULL`` as an equality, so it could not read ("closed_at", "due_on") in date
# order and walked every deadline ever planned by ``due_on``, closed ones included (a team
# lead's page at 100,000 cases skipped 89,000 rows for 50)
Deadline.add_index(
    Deadline.index(Deadline.due_on, Deadline.id, name="deadline_open_due_on").where(
        Deadline.closed_at.is_null()
    )
)


class Reminder(BaseModel):
    """A note on a person's start page that a deadline is due or overdue.

    Unique per deadline, person and kind, so the periodic job may run any number of times.
    """

    deadline = peewee.ForeignKeyField(Deadline, backref="reminders", on_delete="CASCADE")
    user = peewee.ForeignKeyField(User, backref="reminders", on_delete="CASCADE")
    kind = peewee.CharField(max_length=16)  # "due" | "overdue" | "escalated"
    created_at = peewee.DateTimeField(default=utcnow)
    read_at = peewee.DateTimeField(null=True)

    class Meta:
        indexes = ((("deadline", "user", "kind"), True),)
