"""The raw values the statistics count, grouped and counted by the database (issue 21).

The statistics used to read every record's JSON into Python and count there (95 s and 11 GB
at a million records). Here one ``GROUP BY`` statement returns each distinct combination of
the *raw* values of the chosen dimensions with how many records (or table rows) have it: the
state, the organisation, and a choice field's stored JSON value (a multi-select's whole list).
There are as many groups as distinct combinations, not as records.

What a raw value means – its label, „(keine Angabe)“, „Ja“/„Nein“, a multi-select counted
once per chosen label – stays in Python (:mod:`.statistics`), applied to each group as it was
applied to each record: :func:`grouped_units` hands back stand-ins shaped like a record and
a table row, carrying only the grouped values, with the group's count. So the counting
rules cannot drift apart between the two ways of counting.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

from ...models import database, is_sqlite

# (sqlite?, column prefix) -> (condition, parameters): a further condition on the records
Filter = Callable[[bool, str], tuple[str, list[Any]]]

RECORD_COLUMNS = {"state": "state", "organisation": "organisation_id"}


def _sqlite_path(*names: str) -> str:
    # keys quoted, so that ids with hyphens or dots are read as one key
    return "$" + "".join('."' + name.replace('"', "") + '"' for name in names)


class _Query:
    """One grouped statement, written for SQLite or PostgreSQL."""

    def __init__(self, table: str | None, where: Filter | None = None) -> None:
        self.sqlite = is_sqlite()
        self.table = table
        self.where = where
        self.columns: list[str] = []
        self.params: list[Any] = []

    def record_column(self, key: str) -> None:
        self.columns.append(f"r.{RECORD_COLUMNS[key]}")

    def field(self, form_id: str, name: str) -> None:
        """The JSON text of ``data[form_id][name]`` (NULL where it is missing)."""
        if self.sqlite:
            self.columns.append("r.data -> ?")
            self.params.append(_sqlite_path(form_id, name))
        else:
            self.columns.append("(r.j -> %s -> %s)::text")
            self.params += [form_id, name]

    def column(self, name: str) -> None:
        """The JSON text of ``row[name]`` of the table row being counted."""
        if self.sqlite:
            self.columns.append("u.value -> ?")
            self.params.append(_sqlite_path(name))
        else:
            self.columns.append("(u.v -> %s)::text")
            self.params.append(name)

    def sql(self, workflow_id: str) -> tuple[str, list[Any]]:
        select = ", ".join([*self.columns, "COUNT(*)"])
        group = ", ".join(str(n) for n in range(1, len(self.columns) + 1))
        params = list(self.params)
        if self.sqlite:
            source, where = '"record" AS r', "r.workflow = ?"
            if self.table:
                path = _sqlite_path(*self.table.split("."))
                source += ", json_each(r.data, ?) AS u"
                where += " AND json_type(r.data, ?) = 'array' AND u.type = 'object'"
                params += [path, workflow_id, path]
            else:
                params.append(workflow_id)
            if self.where is not None:
                extra, extra_params = self.where(True, "r.")
                where += f" AND {extra}"
                params += extra_params
        else:
            # the text column read as jsonb once per record, in the inner query (OFFSET 0
            # keeps the planner from folding it in and parsing the JSON once per field)
            extra, extra_params = self.where(False, "") if self.where else ("TRUE", [])
            source = (
                '(SELECT state, organisation_id, CAST(data AS jsonb) AS j FROM "record" '
                f"WHERE workflow = %s AND {extra} OFFSET 0) AS r"
            )
            where = "TRUE"
            params += [workflow_id, *extra_params]
            if self.table:
                form_id, name = self.table.split(".")
                source += (
                    " CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN "
                    "jsonb_typeof(r.j -> %s -> %s) = 'array' THEN r.j -> %s -> %s "
                    "ELSE '[]'::jsonb END) AS u(v)"
                )
                params += [form_id, name, form_id, name]
                where = "jsonb_typeof(u.v) = 'object'"
        sql = f"SELECT {select} FROM {source} WHERE {where}"
        return (sql + f" GROUP BY {group}" if group else sql), params


def grouped_units(
    workflow_id: str, keys: list[str], table: str | None, where: Filter | None = None
) -> Iterator[tuple[Any, dict | None, int]]:
    """``(record stand-in, table row stand-in or None, count)`` per distinct combination.

    ``keys`` are dimension keys of :func:`.statistics.dimension_keys`: ``state``,
    ``organisation``, ``form.field`` or ``form.table.column`` (the latter only of ``table``,
    whose rows are then the units counted). ``where(sqlite, prefix)`` gives a further
    condition on the record's columns, e.g. a period (:mod:`.periods`)."""
    query = _Query(table, where)
    kinds: list[tuple[str, tuple[str, ...]]] = []
    for key in dict.fromkeys(keys):  # each key once, in order
        parts = tuple(key.split("."))
        if key in RECORD_COLUMNS:
            query.record_column(key)
            kinds.append(("record", (key,)))
        elif len(parts) == 2:
            query.field(*parts)
            kinds.append(("field", parts))
        else:
            query.column(parts[2])
            kinds.append(("column", parts))
    sql, params = query.sql(workflow_id)
    # the statement's text holds only quoted ids from the definitions; values are parameters
    for values in database.execute_sql(sql, params):
        record = SimpleNamespace(state=None, organisation_id=None, data={})
        row: dict | None = {} if table else None
        for (kind, parts), value in zip(kinds, values[:-1], strict=True):
            if kind == "record":
                setattr(record, RECORD_COLUMNS[parts[0]], value)
            elif kind == "field":
                record.data.setdefault(parts[0], {})[parts[1]] = _loads(value)
            elif row is not None:
                row[parts[2]] = _loads(value)
        yield record, row, int(values[-1])


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
