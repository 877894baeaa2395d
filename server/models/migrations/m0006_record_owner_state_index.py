"""An index for counting a team's records by person and state.

The team lead's start page counts the open cases of her organisation per person and state
(``GROUP BY owner, state``, issue 21). The list indexes end in ``updated_at`` and hold no
owner and state together, so the count read every row of the organisation – rows that carry
the whole JSON of the case. This index holds all four columns the count needs, so it is
answered from the index alone. Adding an index changes no data and older code ignores it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runner import Context

TITLE = "Index für Zählungen je Person und Zustand (record: workflow, organisation, owner, state)"


def upgrade(ctx: Context) -> None:
    ctx.run(
        ctx.migrator.add_index(
            "record", ("workflow", "organisation_id", "owner_id", "state"), False
        )
    )
