"""Filling a statistics dimension in the background (issue 21), and no value too long for
the counting index.

``record_dimension.fill_after``: NULL when the dimension's values are complete; otherwise
the background fill has written the values of every record with an id up to this number
(records written since the dimension was declared have theirs from the triggers). Existing
dimensions were filled when they were added (m0009), so they start as NULL.

A value longer than 1,000 bytes (a long free text in a choice-like field, or a hostile API
value) broke the B-tree index ``record_value_counting`` on PostgreSQL (an index row holds at
most about 2.7 KB) and with it the save of the record. The triggers now store such a value
as the JSON string ``"(zu lang)"``, so it is counted in a bucket of that name; values
already stored (SQLite took them) are rewritten the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import peewee

from . import m0009_record_values as m0009

if TYPE_CHECKING:
    from .runner import Context

TITLE = "Statistik-Dimensionen im Hintergrund füllen; zu lange Werte als „(zu lang)“"

LIMIT = 1000  # bytes of a stored value's JSON text
TOO_LONG = "'\"(zu lang)\"'"


def _sqlite_guard(expression: str) -> str:
    return (
        f"CASE WHEN length(CAST({expression} AS BLOB)) > {LIMIT} THEN {TOO_LONG} "
        f"ELSE {expression} END"
    )


def _pg_guard(expression: str) -> str:
    return f"CASE WHEN octet_length({expression}) > {LIMIT} THEN {TOO_LONG} ELSE {expression} END"


def _replace(text: str, old: str, new: str) -> str:
    if old not in text:  # m0009 is frozen; this would mean it was edited
        raise RuntimeError(f"m0009 trigger text not found: {old}")
    return text.replace(old, new)


def _sqlite_statements() -> list[str]:
    field = f"new.data -> ({m0009._SQLITE_PATH})"
    column = f"u.value -> ({m0009._SQLITE_COLUMN})"
    out = ["DROP TRIGGER record_value_insert", "DROP TRIGGER record_value_rewrite"]
    for statement in (m0009.SQLITE[0], m0009.SQLITE[2]):
        statement = _replace(statement, field, _sqlite_guard(f"({field})"))
        out.append(_replace(statement, column, _sqlite_guard(f"({column})")))
    return out


def _pg_statements() -> list[str]:
    function = m0009.POSTGRESQL[0]
    for old in ("(j.v -> d.form_id -> d.field)::text", "(u.e -> d.column_name)::text"):
        function = _replace(function, old, _pg_guard(old))
    return [function]


def upgrade(ctx: Context) -> None:
    ctx.run(
        ctx.migrator.add_column("record_dimension", "fill_after", peewee.IntegerField(null=True))
    )
    sqlite = ctx.dialect == "sqlite"
    for statement in _sqlite_statements() if sqlite else _pg_statements():
        ctx.execute(statement)
    length = "length(CAST(value AS BLOB))" if sqlite else "octet_length(value)"
    ctx.execute(f"UPDATE record_value SET value = {TOO_LONG} WHERE {length} > {LIMIT}")
    ctx.note("Spalte record_dimension.fill_after; Trigger speichern lange Werte als „(zu lang)“")
