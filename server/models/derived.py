"""Derived data: tables and columns the app keeps in step with records, and how to rebuild them.

Some data is computed from records on every change, in the same transaction: a search index,
counters for statistics, expression indexes' helper columns. Whatever writes records *around*
the services – the bulk generator of ``bench/bench_pages.py``, an import that inserts rows
directly – leaves that data stale. Each kind of derived data registers a rebuild function
here (at import of the module that maintains it); :func:`rebuild_derived_data` runs them all.

A rebuild function takes no arguments, runs on the open connection inside the caller's
transaction, recomputes its data from the records in bulk (set-based SQL, not row by row)
and must be idempotent: running it twice leaves the same state as running it once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .base import database, is_sqlite

_REBUILDERS: dict[str, Callable[[], None]] = {}


def derived_data(name: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register the decorated function as the rebuild of the derived data ``name``."""

    def register(rebuild: Callable[[], None]) -> Callable[[], None]:
        _REBUILDERS[name] = rebuild
        return rebuild

    return register


def derived_names() -> list[str]:
    """The derived data registered so far, in registration order."""
    return list(_REBUILDERS)


def rebuild_derived_data() -> list[str]:
    """Rebuild every registered kind of derived data from the records, in one transaction.

    Returns the names rebuilt (empty when nothing is registered)."""
    with database.atomic():
        for rebuild in _REBUILDERS.values():
            rebuild()
    return derived_names()


@contextmanager
def sqlite_set_aside(kind: str, tables: tuple[str, ...]) -> Iterator[None]:
    """SQLite: without the ``kind`` objects (``index`` or ``trigger``) of ``tables`` for a
    while, then each created again from the SQL SQLite kept of it (``sqlite_master``).
    Objects SQLite made itself (indexes of constraints, without SQL) stay. Inside the
    caller's transaction."""
    marks = ", ".join("?" for _ in tables)
    found = database.execute_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = ? AND tbl_name IN ({marks}) "
        "AND sql IS NOT NULL",
        [kind, *tables],
    ).fetchall()
    for name, _sql in found:
        database.execute_sql(f'DROP {kind.upper()} "{name}"')
    yield
    for _name, sql in found:
        database.execute_sql(sql)


@contextmanager
def indexes_set_aside(table: str) -> Iterator[None]:
    """Without the secondary indexes of ``table`` while it is refilled in bulk, then each
    created again from its own definition.

    Filling millions of rows into a table with indexes inserts every row into each index at
    a random place; SQLite's page cache then writes the same index pages out again and
    again (a million records: ~28 million values, over 100 GB written, not done after 40
    minutes). Building an index afterwards sorts once. Indexes that back a constraint (the
    primary key, unique constraints) stay. Inside the caller's transaction."""
    if is_sqlite():
        with sqlite_set_aside("index", (table,)):
            yield
        return
    found = database.execute_sql(
        "SELECT i.indexname, i.indexdef FROM pg_indexes AS i WHERE i.tablename = %s "
        "AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint "
        "AS c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || "
        "quote_ident(i.indexname))::regclass)",
        [table],
    ).fetchall()
    for name, _definition in found:
        database.execute_sql(f'DROP INDEX "{name}"')
    yield
    for _name, definition in found:
        database.execute_sql(definition)
