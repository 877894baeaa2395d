"""An index for open deadlines by due date.

The reminder job, the deadline lists and the list filters "überfällig" / "in 7 Tagen fällig"
all ask for ``closed_at IS NULL AND due_on <= …`` ordered by ``due_on``. The separate indexes
on ``closed_at`` and ``due_on`` serve one condition each; this one serves both and the order,
so the pages issue 21 measures stay flat as closed deadlines pile up. Adding an index changes
no data and older code ignores it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runner import Context

TITLE = "Index für offene Fristen nach Fälligkeit (deadline: closed_at, due_on)"


def upgrade(ctx: Context) -> None:
    ctx.run(ctx.migrator.add_index("deadline", ("closed_at", "due_on"), False))
