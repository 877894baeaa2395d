"""Indexes on the dates that start pages look up (PostgreSQL), built in the background.

An ``upcoming`` block of a start page (``[[start]] widget = "upcoming"``, e.g. the KIM
coordination's "Anstehende Sitzungen") asks for the records of a workflow whose date field
lies in the next days (:func:`.figures.dated_between`). The date sits in the record's JSON;
on PostgreSQL every candidate record's JSON text was parsed as ``jsonb`` to read it: at a
million cases with 374 meetings not yet final, 6.5 ms of the coordination's start page, and
growing with the meetings (issue 21: a page at 1M at most 1.5x its time at 1k).

So the dates an installation declares get an expression index, partial to their workflow:
``(data::jsonb -> form ->> field) WHERE workflow = '…'``, the very expression the query
uses (PostgreSQL matches indexes to expressions structurally). The index is only a faster
way to the same answer: until it exists (a new installation, a block added), the query
reads the JSON as before. It is built by the worker (periodic job "date-indexes" and at its
start) with ``CREATE INDEX CONCURRENTLY``, which does not block saving; an index whose
build was interrupted is left invalid by PostgreSQL and is built anew; an index no block
asks for any more is dropped. All carry the prefix :data:`PREFIX`, so nothing else is
ever touched.

SQLite gets none: ``json_extract`` reads the field without parsing the whole document into
a tree (the coordination's start page 12.5 → 12.9 ms from 1k to 1M), and SQLite cannot use
a partial index for a query whose workflow is a bound parameter.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from ...config import Settings
from ...models import database, is_sqlite
from ...start_page import read_widgets

log = logging.getLogger(__name__)

PREFIX = "record_date_"
# every index is written by each save of its workflow: a configuration with a great many
# upcoming blocks must not slow every save without end; past this many (in file order) a
# block reads the JSON as without an index
MOST_DATE_INDEXES = 10


@dataclass(frozen=True)
class DateIndex:
    workflow: str
    form: str
    field: str

    @property
    def name(self) -> str:
        """A stable name within PostgreSQL's 63 characters, whatever the ids."""
        digest = hashlib.sha1(f"{self.workflow}\0{self.form}\0{self.field}".encode())
        return PREFIX + digest.hexdigest()[:16]

    def statement(self) -> str:
        """``CREATE INDEX CONCURRENTLY`` for this date, ids passed as quoted literals."""
        workflow, form, field = (_literal(v) for v in (self.workflow, self.form, self.field))
        return (
            f'CREATE INDEX CONCURRENTLY "{self.name}" ON "record" '
            f'(((("data")::jsonb -> {form}) ->> {field}), "id") WHERE "workflow" = {workflow}'
        )


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def wanted_date_indexes(settings: Settings) -> dict[str, DateIndex]:
    """The indexes the ``upcoming`` blocks of ``[[start]]`` ask for, by name: the first
    :data:`MOST_DATE_INDEXES` different dates in file order."""
    wanted: dict[str, DateIndex] = {}
    for widget in read_widgets(settings.raw.get("start") or []):
        form, _, field = widget.date.partition(".")
        if widget.widget == "upcoming" and widget.workflow and form and field:
            index = DateIndex(widget.workflow, form, field)
            if index.name not in wanted and len(wanted) >= MOST_DATE_INDEXES:
                log.warning("no date index for %s.%s: at most %d", form, field, len(wanted))
                continue
            wanted[index.name] = index
    return wanted


def _present() -> dict[str, bool]:
    """The date indexes in the database, by name, with whether each is valid."""
    rows = database.execute_sql(
        "SELECT c.relname, i.indisvalid FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_class t ON t.oid = i.indrelid "
        "WHERE t.relname = 'record' AND t.relnamespace = to_regnamespace(current_schema()) "
        "AND c.relname LIKE %s",
        [PREFIX + "%"],
    ).fetchall()
    return {name: valid for name, valid in rows}


def ensure_date_indexes(settings: Settings) -> dict[str, int]:
    """Build the wanted date indexes that are missing or invalid, drop those no block asks
    for; returns the counts. Nothing on SQLite. Runs outside any transaction (CONCURRENTLY
    refuses one)."""
    if is_sqlite():
        return {"created": 0, "dropped": 0}
    wanted = wanted_date_indexes(settings)
    present = _present()
    dropped = created = 0
    for name, valid in present.items():
        if name not in wanted or not valid:
            database.execute_sql(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')
            dropped += 1
    for name, index in wanted.items():
        if not present.get(name):
            database.execute_sql(index.statement())
            log.info("date index %s built for %s.%s", name, index.workflow, index.form)
            created += 1
    return {"created": created, "dropped": dropped}
