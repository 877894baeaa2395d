"""Derived data for durations and time in each phase (issue 17, migration m0018): one row per
stay of a record in a phase, kept by triggers on ``transition_log`` and ``record``.

A stay begins with a transition (its id is the row's key) and ends with the record's next
transition (ordered by time, then id; NULL while the record is still there). ``entry`` counts
the record's entries into that phase (1: the first). The record's workflow and creation time
are copied, so the durations of a period are one range of an index: „first entered the
assessment in 2025“ is ``(workflow, state, entry = 1, entered_at)`` with the creation time in
the same index entry; „stays that ended in 2025“ is ``(workflow, left_at, …)`` with the
stay's days and how often the record entered that phase (``entries``: only a record that
came back needs its stays summed).

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
    # days from entering to leaving, rounded to a tenth as the report counts them (NULL: still
    # there); numeric on PostgreSQL, so summing and rounding stay exact as before
    days = peewee.DecimalField(max_digits=12, decimal_places=1, null=True)
    entries = peewee.IntegerField()  # how often the record entered this phase in all
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
        PhaseStay.entries,
        PhaseStay.days,
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

COLUMNS = (
    "transition_id, record_id, workflow, state, entry, entries, entered_at, left_at, days, "
    "created_at"
)


def stays_select(where: str, sqlite: bool) -> str:
    """The stays of the transitions ``t`` matching ``where`` (whole records), as rows of
    :data:`COLUMNS` (the same text in migration m0018, the triggers and the rebuild)."""
    if sqlite:
        days = "ROUND(julianday(w.left_at) - julianday(w.at), 1)"
    else:
        days = "ROUND(CAST(EXTRACT(EPOCH FROM (w.left_at - w.at)) / 86400 AS numeric), 1)"
    return (
        "SELECT w.id, w.record_id, w.workflow, w.to_state, w.entry, w.entries, w.at, "
        f"w.left_at, {days}, w.created_at FROM (SELECT t.id, t.record_id, r.workflow, "
        "t.to_state, t.at, r.created_at, "
        "ROW_NUMBER() OVER (PARTITION BY t.record_id, t.to_state ORDER BY t.at, t.id) AS entry, "
        "COUNT(*) OVER (PARTITION BY t.record_id, t.to_state) AS entries, "
        "LEAD(t.at) OVER (PARTITION BY t.record_id ORDER BY t.at, t.id) AS left_at "
        'FROM "transition_log" AS t JOIN "record" AS r ON r.id = t.record_id '
        f"WHERE {where}) AS w"
    )


@derived_data("phase_stay")
def rebuild_phase_stays() -> None:
    """Rewrite every stay from the transitions (after a bulk load around the triggers)."""
    database.execute_sql("DELETE FROM phase_stay")
    sqlite = is_sqlite()
    database.execute_sql(f"INSERT INTO phase_stay ({COLUMNS}) {stays_select('1 = 1', sqlite)}")
    if not is_sqlite():
        database.execute_sql("ANALYZE phase_stay")
