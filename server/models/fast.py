"""Inserting rows on hot paths without building a peewee query each time.

peewee turns every query object into SQL anew, which costs several times the SQLite call
itself (measured: ~20 µs for the statement, far more for generating it). Audit entries,
history rows and due dates are written on every transition, so their INSERT statements are
generated once per table and database and reused; values still pass through each field's
``db_value``, so JSON, dates and foreign keys are stored exactly as ``Model.create`` would.
"""

from __future__ import annotations

from typing import Any

import peewee

from .base import database

_statements: dict[tuple, tuple[str, list[peewee.Field]]] = {}


def insert_row(model: type[peewee.Model], **values: Any) -> None:
    """INSERT one row of ``model``; fields not given get their defaults."""
    db = database.obj
    key = (model, id(db))
    compiled = _statements.get(key)
    if compiled is None:
        fields = [f for f in model._meta.sorted_fields if not isinstance(f, peewee.AutoField)]
        left, right = db.quote  # the database's identifier quotes, e.g. '""'
        columns = ", ".join(f"{left}{f.column_name}{right}" for f in fields)
        marks = ", ".join(db.param for _ in fields)
        table = f"{left}{model._meta.table_name}{right}"
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        compiled = _statements[key] = (sql, fields)
    sql, fields = compiled
    params = []
    for field in fields:
        if field.name in values:
            value = values[field.name]
        elif callable(field.default):
            value = field.default()
        else:
            value = field.default
        params.append(field.db_value(value))
    db.execute_sql(sql, params)
