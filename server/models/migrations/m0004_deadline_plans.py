"""What deadlines planned from the record's own dates need (issue 16).

``planned_from``: the date a deadline was counted from (a date field, a logged contact, the
day the state was entered), so a re-plan can tell whether the date moved; ``closed_reason``
(``left`` / ``replanned`` / ``done``); ``escalated_at`` and ``escalated_to`` (a role id) for
escalation after N overdue days; ``announced`` (``due`` / ``overdue``): the events sent, so
each is sent once. Older open deadlines keep ``planned_from`` empty; the code counts from
their creation day. Every new column has a default, so older code that inserts deadlines
without them keeps working during a rolling update.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import peewee

if TYPE_CHECKING:
    from .runner import Context

TITLE = "Fristen aus Datumsfeldern, wiederkehrend, eskaliert (deadline: 5 Spalten)"


def upgrade(ctx: Context) -> None:
    add = ctx.migrator.add_column
    ctx.run(
        add("deadline", "planned_from", peewee.DateField(null=True)),
        add("deadline", "closed_reason", peewee.CharField(max_length=16, default="")),
        add("deadline", "escalated_at", peewee.DateTimeField(null=True)),
        add("deadline", "escalated_to", peewee.CharField(max_length=64, default="")),
        add("deadline", "announced", peewee.CharField(max_length=16, default="")),
    )
