"""Bringing an existing database up to the models: new tables and new columns.

Verbund only ever *adds* tables and columns (with defaults or NULL), so an older database is
upgraded by creating what is missing; nothing is dropped or rewritten. Anything beyond that
would get an explicit, numbered migration here.
"""

from __future__ import annotations

import logging

import peewee
from playhouse.migrate import SchemaMigrator, migrate

from .base import database

log = logging.getLogger(__name__)


def add_missing_columns(models: list[type[peewee.Model]]) -> list[str]:
    """Add every model column the database lacks; returns ``table.column`` for each."""
    db = database.obj
    migrator = SchemaMigrator.from_database(db)
    added: list[str] = []
    operations = []
    for model in models:
        table = model._meta.table_name
        existing = {c.name for c in db.get_columns(table)}
        for field in model._meta.sorted_fields:
            if field.column_name in existing:
                continue
            if not field.null and field.default is None:
                raise RuntimeError(f"cannot add {table}.{field.column_name}: no default")
            operations.append(migrator.add_column(table, field.column_name, field))
            added.append(f"{table}.{field.column_name}")
    if operations:
        migrate(*operations)
        log.info("database upgraded: %s", ", ".join(added))
    return added
