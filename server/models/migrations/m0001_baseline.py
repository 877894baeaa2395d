"""Baseline: the schema of Verbund when versioned migrations began (commit ecf0c45).

On an empty database it creates every table and index from ``baseline.<dialect>.sql``
(the DDL peewee wrote from that commit's models, frozen) and the audit log's triggers.

A database made by an earlier release (tables, no ``schema_version``) is adopted: missing
tables and indexes are created the same way, columns the release lacked are added – what
every start did before, now once – and then every column of the baseline must be there,
or the migration fails and nothing is changed.
"""

from __future__ import annotations

import sqlite3
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..audit_lock import lock_audit_table
from ..base import database

if TYPE_CHECKING:
    from .runner import Context

TITLE = "Ausgangsstand: alle Tabellen, Indizes und die Sperre des Protokolls"

_HERE = Path(__file__).parent


def statements(dialect: str) -> list[str]:
    """The frozen DDL of the baseline for ``dialect`` ("sqlite" or "postgresql")."""
    text = (_HERE / f"baseline.{dialect}.sql").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip().rstrip(";")]


@cache
def baseline_columns() -> dict[str, tuple[str, ...]]:
    """Every table of the baseline with its columns (read from the SQLite DDL, in memory)."""
    conn = sqlite3.connect(":memory:")
    try:
        for statement in statements("sqlite"):
            conn.execute(statement.rstrip(";"))
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            table: tuple(row[1] for row in conn.execute(f'PRAGMA table_info("{table}")'))
            for table in tables
        }
    finally:
        conn.close()


def upgrade(ctx: Context) -> None:
    ddl = [s.rstrip(";") for s in statements(ctx.dialect)]
    existing = set(database.get_tables())
    created = [t for t in baseline_columns() if t not in existing]
    for statement in ddl:
        if statement.startswith("CREATE TABLE"):
            ctx.execute(statement)
    # an earlier release's database may lack columns; a new one has them all
    added = _add_missing_columns(ctx) if existing else []
    for statement in ddl:  # after the columns: an index may cover a column just added
        if not statement.startswith("CREATE TABLE"):
            ctx.execute(statement)
    if existing:
        _check_columns()
    lock_audit_table()
    ctx.note("vorhandene Datenbank übernommen" if existing else "neu angelegt")
    if existing and created:
        ctx.note("Tabellen angelegt: " + ", ".join(created))
    if added:
        ctx.note("Spalten ergänzt: " + ", ".join(added))


def _add_missing_columns(ctx: Context) -> list[str]:
    """Add the baseline columns an older database lacks, defined as the models define them
    (as every start did before migrations; the baseline's columns are fixed, their
    definitions come from the models, which a later migration changing a baseline column
    must keep in mind)."""
    fields = {
        (model._meta.table_name, f.column_name): f
        for model in ctx.models
        for f in model._meta.sorted_fields
    }
    added = []
    for table, columns in baseline_columns().items():
        present = {c.name for c in database.get_columns(table)}
        for column in columns:
            if column in present:
                continue
            field = fields.get((table, column))
            if field is None or (not field.null and field.default is None):
                raise RuntimeError(f"Spalte {table}.{column} fehlt und kann nicht ergänzt werden")
            ctx.run(ctx.migrator.add_column(table, column, field))
            added.append(f"{table}.{column}")
    return added


def _check_columns() -> None:
    for table, columns in baseline_columns().items():
        present = {c.name for c in database.get_columns(table)}
        missing = [c for c in columns if c not in present]
        if missing:
            raise RuntimeError(f"Tabelle {table}: es fehlen die Spalten {', '.join(missing)}")
