"""Indexes for figures over a period (issue 17).

Counts for a quarter or a year select the workflow's records by the day they were created;
no index held ``created_at``, so every such count read every row – rows that carry the
whole JSON of the case. ``record (workflow, created_at, state, organisation_id)`` finds the
period's records and answers counts by phase or organisation from the index alone.
Durations and time in each phase read the transitions: ``transition_log (to_state,
record_id, at)`` gives a record's first entry into a phase (and who entered it in the
period) from the index, ``transition_log (at, record_id)`` whose stay ended in the period.
Adding indexes changes no data and older code ignores them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runner import Context

TITLE = "Indizes für Zeiträume (record: workflow, created_at; transition_log: to_state, at)"


def upgrade(ctx: Context) -> None:
    ctx.run(
        ctx.migrator.add_index(
            "record", ("workflow", "created_at", "state", "organisation_id"), False
        ),
        ctx.migrator.add_index("transition_log", ("to_state", "record_id", "at"), False),
        ctx.migrator.add_index("transition_log", ("at", "record_id"), False),
    )
