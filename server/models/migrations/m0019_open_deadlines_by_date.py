"""Open deadlines in date order: a partial index (issue 21).

The deadline screens, the start pages' deadline blocks and the reminders read the open
deadlines (``closed_at IS NULL``) soonest first. PostgreSQL does not treat ``IS NULL`` as an
equality, so the index ``(closed_at, due_on)`` of migration 0002 gave it no date order: it
walked ``due_on`` over every deadline ever planned, closed ones included (a team lead's page
at 100,000 cases: 89,000 closed deadlines skipped for 50 open ones). This index holds only
the open ones, by ``due_on`` and ``id`` as the pages sort. SQLite uses it the same way.
Adding an index changes no data; older code ignores it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runner import Context

TITLE = "Index für offene Fristen in Datumsfolge (deadline: due_on, id WHERE closed_at IS NULL)"


def upgrade(ctx: Context) -> None:
    ctx.execute(
        'CREATE INDEX "deadline_open_due_on" ON "deadline" ("due_on", "id") '
        'WHERE "closed_at" IS NULL'
    )
