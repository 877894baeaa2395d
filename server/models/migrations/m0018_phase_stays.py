"""The stays of records in phases (issue 17): table ``phase_stay``, its triggers, filled.

A report's durations and time in each phase looked up each record of the period in
``transition_log`` (the first entry into a phase, the next transition after each one): at
100,000 cases most of a year's report. ``phase_stay`` holds one row per transition – the
stay it begins, when it ended, whether it is the record's first entry into that phase, the
record's workflow and creation time – under indexes that answer each measure as one range
(see ``server/models/phase_stays.py``).

Triggers keep it in the statement that writes a transition or a record: all stays of the
records touched are written anew from their transitions (a record has a handful).
SQLite: row triggers. PostgreSQL: statement triggers with transition tables, so a bulk
insert of transitions rewrites each record once, set-based; their statements run by
``EXECUTE``, planned for the rows at hand. Each stay carries its days (rounded to a tenth,
as the report counts) and how often the record entered that phase. This step creates the table,
indexes and triggers and fills the table from the transitions there are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import peewee

from ..base import database

if TYPE_CHECKING:
    from .runner import Context

TITLE = "Aufenthalte je Datensatz und Phase (phase_stay, Trigger) für Dauern im Bericht"


class _Frozen(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


class PhaseStay(_Frozen):
    transition_id = peewee.IntegerField(primary_key=True)
    record_id = peewee.IntegerField()
    workflow = peewee.CharField(max_length=64)
    state = peewee.CharField(max_length=64)
    entry = peewee.IntegerField()
    entered_at = peewee.DateTimeField()
    left_at = peewee.DateTimeField(null=True)
    days = peewee.DecimalField(max_digits=12, decimal_places=1, null=True)
    entries = peewee.IntegerField()
    created_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "phase_stay"


INDEXES = (
    'CREATE INDEX "phase_stay_entered" ON "phase_stay" ("workflow", "state", "entry", '
    '"entered_at", "created_at", "record_id")',
    'CREATE INDEX "phase_stay_left" ON "phase_stay" ("workflow", "left_at", "state", '
    '"entries", "days", "record_id")',
    'CREATE INDEX "phase_stay_record" ON "phase_stay" ("record_id", "state", "entry", '
    '"entered_at")',
)

COLUMNS = (
    "transition_id, record_id, workflow, state, entry, entries, entered_at, left_at, days, "
    "created_at"
)
_DAYS = {
    "sqlite": "ROUND(julianday(w.left_at) - julianday(w.at), 1)",
    "postgresql": "ROUND(CAST(EXTRACT(EPOCH FROM (w.left_at - w.at)) / 86400 AS numeric), 1)",
}


def _stays(where: str, dialect: str) -> str:
    return (
        f"INSERT INTO phase_stay ({COLUMNS}) "
        "SELECT w.id, w.record_id, w.workflow, w.to_state, w.entry, w.entries, w.at, "
        f"w.left_at, {_DAYS[dialect]}, w.created_at FROM (SELECT t.id, t.record_id, "
        "r.workflow, t.to_state, t.at, r.created_at, "
        "ROW_NUMBER() OVER (PARTITION BY t.record_id, t.to_state ORDER BY t.at, t.id) AS entry, "
        "COUNT(*) OVER (PARTITION BY t.record_id, t.to_state) AS entries, "
        "LEAD(t.at) OVER (PARTITION BY t.record_id ORDER BY t.at, t.id) AS left_at "
        'FROM "transition_log" AS t JOIN "record" AS r ON r.id = t.record_id '
        f"WHERE {where}) AS w"
    )


def _sqlite_rewrite(record: str) -> str:
    insert = _stays(f"t.record_id = {record}", "sqlite")
    return f"DELETE FROM phase_stay WHERE record_id = {record}; {insert};"


SQLITE = (
    "CREATE TRIGGER phase_stay_insert AFTER INSERT ON transition_log BEGIN "
    f"{_sqlite_rewrite('new.record_id')} END",
    "CREATE TRIGGER phase_stay_delete AFTER DELETE ON transition_log BEGIN "
    f"{_sqlite_rewrite('old.record_id')} END",
    "CREATE TRIGGER phase_stay_update AFTER UPDATE OF record_id, to_state, at "
    f"ON transition_log BEGIN {_sqlite_rewrite('old.record_id')} "
    f"{_sqlite_rewrite('new.record_id')} END",
    "CREATE TRIGGER phase_stay_record_delete AFTER DELETE ON record BEGIN "
    "DELETE FROM phase_stay WHERE record_id = old.id; END",
    "CREATE TRIGGER phase_stay_record_move AFTER UPDATE OF workflow, created_at ON record "
    "WHEN old.workflow IS NOT new.workflow OR old.created_at IS NOT new.created_at BEGIN "
    "UPDATE phase_stay SET workflow = new.workflow, created_at = new.created_at "
    "WHERE record_id = new.id; END",
)


def _pg_rewrite(ids: str) -> str:
    # EXECUTE: planned for each statement with the real number of rows changed (a cached
    # plan made for a bulk insert would scan the whole table for every single transition)
    delete = f"DELETE FROM phase_stay WHERE record_id IN ({ids})"
    insert = _stays(f"t.record_id IN ({ids})", "postgresql")
    return f"    EXECUTE '{delete}';\n    EXECUTE '{insert}';\n"


_CHANGED = "SELECT record_id FROM changed"
_GONE = "SELECT record_id FROM gone"

POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION phase_stay_refresh() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  IF TG_OP = 'INSERT' THEN\n"
    f"{_pg_rewrite(_CHANGED)}"
    "  ELSIF TG_OP = 'DELETE' THEN\n"
    f"{_pg_rewrite(_GONE)}"
    "  ELSE\n"
    f"{_pg_rewrite(f'{_CHANGED} UNION {_GONE}')}"
    "  END IF;\n"
    "  RETURN NULL;\n"
    "END\n"
    "$$",
    "CREATE TRIGGER phase_stay_insert AFTER INSERT ON transition_log "
    "REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION phase_stay_refresh()",
    "CREATE TRIGGER phase_stay_delete AFTER DELETE ON transition_log "
    "REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION phase_stay_refresh()",
    "CREATE TRIGGER phase_stay_update AFTER UPDATE ON transition_log "
    "REFERENCING OLD TABLE AS gone NEW TABLE AS changed "
    "FOR EACH STATEMENT EXECUTE FUNCTION phase_stay_refresh()",
    "CREATE OR REPLACE FUNCTION phase_stay_record() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    "  IF TG_OP = 'DELETE' THEN\n"
    "    DELETE FROM phase_stay WHERE record_id = OLD.id;\n"
    "  ELSE\n"
    "    UPDATE phase_stay SET workflow = NEW.workflow, created_at = NEW.created_at\n"
    "    WHERE record_id = NEW.id;\n"
    "  END IF;\n"
    "  RETURN NULL;\n"
    "END\n"
    "$$",
    "CREATE TRIGGER phase_stay_record_delete AFTER DELETE ON record "
    "FOR EACH ROW EXECUTE FUNCTION phase_stay_record()",
    "CREATE TRIGGER phase_stay_record_move AFTER UPDATE OF workflow, created_at ON record "
    "FOR EACH ROW WHEN (OLD.workflow IS DISTINCT FROM NEW.workflow "
    "OR OLD.created_at IS DISTINCT FROM NEW.created_at) "
    "EXECUTE FUNCTION phase_stay_record()",
)


def upgrade(ctx: Context) -> None:
    PhaseStay.create_table(safe=False)
    # filled before the indexes exist: one sort per index, not an index update per row
    ctx.execute(_stays("1 = 1", ctx.dialect))
    for statement in INDEXES:
        ctx.execute(statement)
    for statement in SQLITE if ctx.dialect == "sqlite" else POSTGRESQL:
        ctx.execute(statement)
    ctx.note("Tabelle, Indizes und Trigger angelegt, aus dem Übergangsprotokoll gefüllt")
