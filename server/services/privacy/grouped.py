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
from collections.abc import Callable, Iterator, Sequence
from types import SimpleNamespace
from typing import Any

from ...models import database, is_sqlite
from ...models.stat_values import RECORD_ROW, TOO_LONG, VALUE_LIMIT
from .dimension_fill import require_filled
from .periods import CountingDate, Period
from .tallied import tallied_by_period, tallied_units

# (sqlite?, column prefix) -> (condition, parameters): a further condition on the records
Filter = Callable[[bool, str], tuple[str, list[Any]]]

RECORD_COLUMNS = {"state": "state", "organisation": "organisation_id"}
# several periods counted at once: by which date, and the periods
Buckets = tuple[CountingDate, Sequence[Period]]


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
            # phase and organisation alone: no JSON read (the cast parsed every record's)
            parsed = self.table or any("r.j" in c for c in self.columns)
            cast = ", CAST(data AS jsonb) AS j" if parsed else ""
            source = (
                f'(SELECT state, organisation_id{cast} FROM "record" '
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


def _values_sql(
    workflow_id: str,
    keys: list[str],
    table: str | None,
    where: Filter | None = None,
    buckets: Buckets | None = None,
) -> tuple[str, list]:
    """The grouped statement over ``record_value``: one alias per JSON dimension, joined on
    the record (and on the table row between columns of the same table); with ``where``,
    joined to the record itself for the condition (e.g. a period by a date field).

    ``buckets``: several periods in one statement, the period's index the first column. By
    the day of creation the condition is on ``record_value``'s own copy of ``created_at``
    (index ``record_value_period``, migration 0014: no join to the wide record rows); by a
    date field the record is joined for its JSON."""
    mark = "?" if is_sqlite() else "%s"
    json_keys = [k for k in keys if k not in RECORD_COLUMNS]
    # the units counted: the table's rows when a column is chosen, else the records
    base = next((k for k in json_keys if k.count(".") == 2), json_keys[0])
    aliases = {base: "v0"}
    joins, params = [], []
    for key in json_keys:
        if key in aliases:
            continue
        alias = aliases[key] = f"v{len(aliases)}"
        row = "v0.row_index" if key.count(".") == 2 else str(RECORD_ROW)
        # the workflow too, so the lookup is answered by the covering index alone
        joins.append(
            f"JOIN record_value AS {alias} ON {alias}.workflow = v0.workflow "
            f"AND {alias}.dimension = {mark} AND {alias}.record_id = v0.record_id "
            f"AND {alias}.row_index = {row}"
        )
        params.append(key)
    if where is not None:
        extra, extra_params = where(is_sqlite(), "r.")
        joins.append(f'JOIN "record" AS r ON r.id = v0.record_id AND {extra}')
        params += extra_params
    columns = [
        f"v0.{RECORD_COLUMNS[k]}" if k in RECORD_COLUMNS else f"{aliases[k]}.value" for k in keys
    ]
    conditions = f"v0.workflow = {mark} AND v0.dimension = {mark}"
    condition_params = [workflow_id, base]
    select_params: list = []
    if buckets is not None:
        date, periods = buckets
        prefix = "v0." if date.key == "created" else "r."
        (case, case_params), (span, span_params) = date.buckets_sql(is_sqlite(), prefix, periods)
        columns.insert(0, case)
        select_params = case_params
        if date.key == "created":
            conditions += f" AND {span}"
            condition_params += span_params
        else:
            joins.append(f'JOIN "record" AS r ON r.id = v0.record_id AND {span}')
            params += span_params
    if base.count(".") != 2:
        conditions += f" AND v0.row_index = {RECORD_ROW}"
    group = ", ".join(str(n) for n in range(1, len(columns) + 1))
    sql = (
        f"SELECT {', '.join(columns)}, COUNT(*) FROM record_value AS v0 {' '.join(joins)} "
        f"WHERE {conditions} GROUP BY {group}"
    )
    return sql, [*select_params, *params, *condition_params]


def _record_sql(workflow_id: str, keys: list[str], buckets: Buckets) -> tuple[str, list]:
    """Phase and organisation (record columns) by period: one statement on the record's
    index (workflow, created_at, state, organisation_id), the JSON never read by the day of
    creation."""
    sqlite = is_sqlite()
    date, periods = buckets
    (case, case_params), (span, span_params) = date.buckets_sql(sqlite, "r.", periods)
    columns = [case, *(f"r.{RECORD_COLUMNS[k]}" for k in keys)]
    group = ", ".join(str(n) for n in range(1, len(columns) + 1))
    mark = "?" if sqlite else "%s"
    sql = (
        f'SELECT {", ".join(columns)}, COUNT(*) FROM "record" AS r '
        f"WHERE r.workflow = {mark} AND {span} GROUP BY {group}"
    )
    return sql, [*case_params, workflow_id, *span_params]


def _kinds(keys: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    kinds: list[tuple[str, tuple[str, ...]]] = []
    for key in keys:
        parts = tuple(key.split("."))
        if key in RECORD_COLUMNS:
            kinds.append(("record", (key,)))
        elif len(parts) == 2:
            kinds.append(("field", parts))
        else:
            kinds.append(("column", parts))
    return kinds


def _stand_ins(kinds, values, table: str | None) -> tuple[Any, dict | None, int]:
    """A group's raw values as a record and a table row stand-in, with its count."""
    record = SimpleNamespace(state=None, organisation_id=None, data={})
    row: dict | None = {} if table else None
    for (kind, parts), value in zip(kinds, values[:-1], strict=True):
        if kind == "record":
            setattr(record, RECORD_COLUMNS[parts[0]], value)
        elif kind == "field":
            record.data.setdefault(parts[0], {})[parts[1]] = _loads(value)
        elif row is not None:
            row[parts[2]] = _loads(value)
    return record, row, int(values[-1])


def grouped_by_period(
    workflow_id: str,
    keys: list[str],
    table: str | None,
    date: CountingDate,
    periods: Sequence[Period],
    *,
    from_json: bool = False,
) -> list[list[tuple[Any, dict | None, int]]]:
    """:func:`grouped_units` for each of ``periods`` (e.g. a quarter and the one before),
    counted in one statement: per period the list of ``(record, row, count)``.

    ``from_json``: one statement per period over the records' JSON (the baseline)."""
    keys = list(dict.fromkeys(keys))
    if from_json:
        return [
            list(
                grouped_units(
                    workflow_id,
                    keys,
                    table,
                    lambda sqlite, prefix, period=period: date.sql(sqlite, prefix, period),
                    from_json=True,
                )
            )
            for period in periods
        ]
    if _overlapping(periods):
        # one statement gives each record to one period (the first it lies in): periods
        # that overlap – a year and a stretch inside it – are counted one by one
        return [
            grouped_by_period(workflow_id, keys, table, date, [period])[0] for period in periods
        ]
    json_keys = [k for k in keys if k not in RECORD_COLUMNS]
    kinds = _kinds(keys)
    if json_keys:
        require_filled(workflow_id, json_keys)  # StillFilling: never a partial count
        sql, params = _values_sql(workflow_id, keys, table, buckets=(date, periods))
    else:
        tallied = tallied_by_period(
            workflow_id, keys, date, periods, kinds, lambda k, v: _stand_ins(k, v, table)
        )
        if tallied is not None:
            return tallied
        sql, params = _record_sql(workflow_id, keys, (date, periods))
    out: list[list[tuple[Any, dict | None, int]]] = [[] for _ in periods]
    for values in database.execute_sql(sql, params):
        if values[0] is not None:  # NULL: in the span, but between two periods
            out[int(values[0])].append(_stand_ins(kinds, values[1:], table))
    return out


def _overlapping(periods: Sequence[Period]) -> bool:
    spans = sorted((p.start, p.end) for p in periods)
    return any(later[0] <= earlier[1] for earlier, later in zip(spans, spans[1:], strict=False))


def grouped_units(
    workflow_id: str,
    keys: list[str],
    table: str | None,
    where: Filter | None = None,
    *,
    from_json: bool = False,
) -> Iterator[tuple[Any, dict | None, int]]:
    """``(record stand-in, table row stand-in or None, count)`` per distinct combination.

    ``keys`` are dimension keys of :func:`.statistics.dimension_keys`: ``state``,
    ``organisation``, ``form.field`` or ``form.table.column`` (the latter only of ``table``,
    whose rows are then the units counted). Choice fields and columns are read from
    ``record_value`` (kept by the database in step with the records, see
    :mod:`.record_values`); state and organisation alone from the record's own columns.
    ``where(sqlite, prefix)`` gives a further condition on the record's columns, e.g. a
    period (:mod:`.periods`). ``from_json``: read every record's JSON instead, as before
    ``record_value`` (the baseline of ``bench/bench_statistics.py``). Raises
    :class:`.record_values.StillFilling` while a dimension needed is not completely filled
    (a partial count is never handed out)."""
    keys = list(dict.fromkeys(keys))  # each key once, in order
    kinds = _kinds(keys)
    json_keys = [k for k in keys if k not in RECORD_COLUMNS]
    if json_keys and not from_json:
        require_filled(workflow_id, json_keys)
    if where is None and not from_json:
        # the counters answer one dimension (with phase/organisation) at any size
        tallied = tallied_units(workflow_id, keys, kinds, lambda k, v: _stand_ins(k, v, table))
        if tallied is not None:
            yield from tallied
            return
    if json_keys and not from_json:
        sql, params = _values_sql(workflow_id, keys, table, where)
    else:
        query = _Query(table if json_keys else None, where)
        for (kind, parts), key in zip(kinds, keys, strict=True):
            if kind == "record":
                query.record_column(key)
            elif kind == "field":
                query.field(*parts)
            else:
                query.column(parts[2])
        sql, params = query.sql(workflow_id)
    # the statement's text holds only quoted ids from the definitions; values are parameters
    for values in database.execute_sql(sql, params):
        yield _stand_ins(kinds, values, table)


def _loads(text: str | None) -> Any:
    if text is None:
        return None
    # what the triggers store for a value too long for the index (read from JSON: the same)
    if len(text.encode()) > VALUE_LIMIT:
        return TOO_LONG
    return json.loads(text)
