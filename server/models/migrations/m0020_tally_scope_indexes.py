"""The record tally by organisation and by owner: two indexes (issue 21).

``record_tally`` had one index, ``(workflow, state, organisation_id, owner_id, n)``: right
for counting a workflow's records by phase over every organisation, but a team lead's
figures (her organisation) and a case manager's (her own records) read the workflow's
whole tally to find their rows. That is a few thousand rows in one office and ~90,000 in an
installation of a thousand organisations and ten thousand people, read several times for
every start page. These indexes lead with the organisation and with the owner, covering
what is summed. Adding an index changes no data; older code ignores it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runner import Context

TITLE = "Indizes der Zähler nach Organisation und nach Person (record_tally)"


def upgrade(ctx: Context) -> None:
    ctx.execute(
        'CREATE INDEX "record_tally_workflow_organisation_id_state_owner_id_n" '
        'ON "record_tally" ("workflow", "organisation_id", "state", "owner_id", "n")'
    )
    ctx.execute(
        'CREATE INDEX "record_tally_workflow_owner_id_state_n" '
        'ON "record_tally" ("workflow", "owner_id", "state", "n")'
    )
