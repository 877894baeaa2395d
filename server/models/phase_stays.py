"""Derived data for durations and time in each phase (issue 17, migration m0018): one row per
stay of a record in a phase, kept by triggers on ``transition_log`` and ``record``.

A stay begins with a transition (its id is the row's key) and ends with the record's next
transition (ordered by time, then id; NULL while the record is still there). ``entry`` counts
the record's entries into that phase (1: the first). The record's workflow and creation time
are copied, so the durations of a period are one range of an index: „first entered the
assessment in 2025“ is ``(workflow, state, entry = 1, entered_at)`` with the creation time in
the same index entry; „stays that ended in 2025“ is ``(workflow, left_at, …)``.

Triggers rewrite all stays of a record whenever one of its transitions is written, changed
or deleted – in the same statement, so in the same transaction, whoever writes (services,
imports, restores) – and follow the record's workflow and creation time; deleting a record
deletes its stays. Anonymisation keeps the transitions, so it keeps the stays (no personal
data: ids, phase names, times). A record has a handful of transitions: rewriting them all is
cheap and is right even when a transition is written with an earlier time than the last.
"""

from __future__ import annotations

import peewee

from .base import BaseModel, database, is_sqlite
from .derived import derived_data


class PhaseStay(BaseModel):
    """One stay of a record in a phase: entered by transition ``transition_id``."""

    transition_id = peewee.IntegerField(primary_key=True)
    record_id = peewee.IntegerField()
    workflow = peewee.CharField(max_length=64)
    state = peewee.CharField(max_length=64)
    entry = peewee.IntegerField()  # 1: the record's first entry into this phase
    entered_at = peewee.DateTimeField()
    left_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(null=True)  # the record's

    class Meta:
        table_name = "phase_stay"


# named: generated names would be long. Each covers what one statement of durations.py reads.
PhaseStay.add_index(
    PhaseStay.index(
        PhaseStay.workflow,
        PhaseStay.state,
        PhaseStay.entry,
        PhaseStay.entered_at,
        PhaseStay.created_at,
        PhaseStay.record_id,
        name="phase_stay_entered",
    )
)
PhaseStay.add_index(
    PhaseStay.index(
        PhaseStay.workflow,
        PhaseStay.left_at,
        PhaseStay.state,
        PhaseStay.entered_at,
        PhaseStay.record_id,
        name="phase_stay_left",
    )
)
PhaseStay.add_index(
    PhaseStay.index(
        PhaseStay.record_id,
        PhaseStay.state,
        PhaseStay.entry,
        PhaseStay.entered_at,
        name="phase_stay_record",
    )
)

COLUMNS = "transition_id, record_id, workflow, state, entry, entered_at, left_at, created_at"


def stays_select(where: str) -> str:
    """The stays of the transitions ``t`` matching ``where`` (whole records), as rows of
    :data:`COLUMNS` (the same text in migration m0018, the triggers and the rebuild)."""
    return (
        "SELECT t.id, t.record_id, r.workflow, t.to_state, "
        "ROW_NUMBER() OVER (PARTITION BY t.record_id, t.to_state ORDER BY t.at, t.id), t.at, "
        "LEAD(t.at) OVER (PARTITION BY t.record_id ORDER BY t.at, t.id), r.created_at "
        'FROM "transition_log" AS t JOIN "record" AS r ON r.id = t.record_id '
        f"WHERE {where}"
    )


@derived_data("phase_stay")
def rebuild_phase_stays() -> None:
    """Rewrite every stay from the transitions (after a bulk load around the triggers)."""
    database.execute_sql("DELETE FROM phase_stay")
    database.execute_sql(f"INSERT INTO phase_stay ({COLUMNS}) {stays_select('1 = 1')}")
    if not is_sqlite():
        database.execute_sql("ANALYZE phase_stay")
