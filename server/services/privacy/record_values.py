"""Which dimensions ``record_value`` keeps, and filling them from the records.

The values themselves are written by triggers on ``record`` (migrations m0009, m0015) in the
statement that changes a record. What the triggers cannot know is which dimensions exist:
that comes from the definitions (only non-personal choice fields and columns). Here:

- :func:`sync_dimensions`: make ``record_dimension`` exactly the wanted set – a new
  dimension is only *declared* (``fill_after = 0``: not yet filled; from then on the
  triggers write its values for every record saved), a dimension no longer wanted (removed,
  or now personal) loses its values. Publishing runs it in its own transaction; the values
  of the records that existed are filled afterwards in short batches by a background job
  (:mod:`.dimension_fill`), never in the publishing transaction.
- :func:`unfilled`: before counting, declare what is missing and say what is not filled
  yet, so that a count is never taken from a dimension that is only partly filled
  (:func:`.dimension_fill.require_filled`).
- :func:`declare_dimensions`: at start, declare every wanted dimension not yet kept (an
  installation upgrading) and empty the unwanted ones; the worker then fills them.
- the registered rebuild (:mod:`server.models.derived`) refills every kept dimension.

A dimension key says where its value is: ``form.field`` is ``data[form][field]``,
``form.table.column`` is ``[column]`` of each object in the list ``data[form][table]``.
A value whose JSON text is longer than ``VALUE_LIMIT`` bytes is stored as ``"(zu lang)"``
(the counting index cannot hold it on PostgreSQL; migration m0015).
"""

from __future__ import annotations

from collections.abc import Iterable

from ...models import RecordDimension, RecordValue, ValueTally, database, is_sqlite
from ...models.derived import derived_data, indexes_set_aside
from ...models.stat_values import TOO_LONG, VALUE_LIMIT
from ..records.tallies import forget_pairs, values_rewritten

_COLUMNS = "record_id, workflow, state, organisation_id, created_at, dimension, row_index, value"
_TOO_LONG = "'\"" + TOO_LONG + "\"'"


def _sqlite_guard(expression: str) -> str:
    return (
        f"CASE WHEN length(CAST({expression} AS BLOB)) > {VALUE_LIMIT} THEN {_TOO_LONG} "
        f"ELSE {expression} END"
    )


def _pg_guard(expression: str) -> str:
    return (
        f"CASE WHEN octet_length({expression}) > {VALUE_LIMIT} THEN {_TOO_LONG} "
        f"ELSE {expression} END"
    )


# the same expressions as the triggers of m0009/m0015, over many records instead of one;
# {records} is a condition on the records (r), {where} one on the dimensions (d). SQLite:
# records outside (CROSS JOIN fixes the order), so that each record's JSON is parsed once
# for all its dimensions (SQLite keeps the last parsed JSON values): with the dimensions
# outside, 200 KIM records took 2.0 s
_SQLITE_PATH = (
    "'$.\"' || replace(d.form_id, '\"', '') || '\".\"' || replace(d.field, '\"', '') || '\"'"
)
_SQLITE_FILL = (
    f"INSERT INTO record_value ({_COLUMNS}) "
    "SELECT r.id, r.workflow, r.state, r.organisation_id, r.created_at, "
    f"d.dimension, -1, {_sqlite_guard(f'(r.data -> ({_SQLITE_PATH}))')} "
    "FROM record AS r CROSS JOIN record_dimension AS d "
    "WHERE r.workflow = d.workflow AND d.column_name = '' AND {where} AND {records}",
    f"INSERT INTO record_value ({_COLUMNS}) "
    "SELECT r.id, r.workflow, r.state, r.organisation_id, r.created_at, "
    "d.dimension, u.key, "
    + _sqlite_guard("(u.value -> ('$.\"' || replace(d.column_name, '\"', '') || '\"'))")
    + " FROM record AS r CROSS JOIN record_dimension AS d, "
    f"json_each(r.data, {_SQLITE_PATH}) AS u "
    "WHERE r.workflow = d.workflow AND d.column_name <> '' "
    f"AND json_type(r.data, {_SQLITE_PATH}) = 'array' "
    "AND u.type = 'object' AND {where} AND {records}",
)
# records outside, each cast to jsonb once (OFFSET 0 keeps the planner from inlining the
# cast); the dimensions inside (LATERAL). The other way round, PostgreSQL rescanned and
# re-cast every record once per dimension (1,000 records, 56 dimensions: 8.9 s).
_PG_RECORDS = (
    "(SELECT id, workflow, state, organisation_id, created_at, CAST(data AS jsonb) AS v "
    "FROM record AS r WHERE {records} AND workflow IN "
    "(SELECT d.workflow FROM record_dimension AS d WHERE {where}) OFFSET 0) AS r"
)
_PG_FILL = (
    f"INSERT INTO record_value ({_COLUMNS}) "
    "SELECT r.id, r.workflow, r.state, r.organisation_id, r.created_at, "
    f"d.dimension, -1, {_pg_guard('(r.v -> d.form_id -> d.field)::text')} "
    f"FROM {_PG_RECORDS} CROSS JOIN LATERAL (SELECT * FROM record_dimension AS d "
    "WHERE d.workflow = r.workflow AND d.column_name = '' AND {where}) AS d",
    f"INSERT INTO record_value ({_COLUMNS}) "
    "SELECT r.id, r.workflow, r.state, r.organisation_id, r.created_at, "
    f"d.dimension, (u.n - 1)::int, {_pg_guard('(u.e -> d.column_name)::text')} "
    f"FROM {_PG_RECORDS} CROSS JOIN LATERAL (SELECT * FROM record_dimension AS d "
    "WHERE d.workflow = r.workflow AND d.column_name <> '' AND {where}) AS d "
    "CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN "
    "jsonb_typeof(r.v -> d.form_id -> d.field) = 'array' THEN r.v -> d.form_id -> d.field "
    "ELSE '[]'::jsonb END) WITH ORDINALITY AS u(e, n) "
    "WHERE jsonb_typeof(u.e) = 'object'",
)


class StillFilling(Exception):
    """A count needs dimensions whose values are still being filled in the background:
    the figure would be partial, so none is shown (the pages show a notice instead)."""

    MESSAGE = "Diese Zahlen werden gerade aufgebaut …"

    def __init__(self, workflow: str, keys: list[str]):
        super().__init__(f"{workflow}: {', '.join(keys)}")
        self.workflow, self.keys = workflow, keys


def _parts(key: str) -> tuple[str, str, str]:
    parts = key.split(".")
    return parts[0], parts[1], parts[2] if len(parts) > 2 else ""


def fill_values(where: str, params: list, records: str = "1 = 1", record_params=()) -> None:
    """Insert the values of the dimensions ``where`` (a condition on ``d``, ``?`` for
    parameters) for the records ``records`` (a condition on ``r``)."""
    if is_sqlite():
        for statement in _SQLITE_FILL:
            sql = statement.format(where=where, records=records)
            database.execute_sql(sql, [*params, *record_params])
    else:  # the condition on d twice: the records' workflows and their dimensions
        where, records = where.replace("?", "%s"), records.replace("?", "%s")
        for statement in _PG_FILL:
            sql = statement.format(where=where, records=records)
            database.execute_sql(sql, [*record_params, *params, *params])


def _add(workflow: str, keys: list[str]) -> list[str]:
    """Declare ``keys`` not yet filled (``fill_after = 0``); returns those it added.

    Two processes adding the same dimension: the second inserts nothing (PostgreSQL waits
    on the first one's row; SQLite writes one at a time)."""
    added = []
    for key in keys:
        form_id, field, column = _parts(key)
        row = {
            "workflow": workflow,
            "dimension": key,
            "form_id": form_id,
            "field": field,
            "column_name": column,
            "fill_after": 0,
        }
        if RecordDimension.insert(row).on_conflict_ignore().execute():
            added.append(key)
    return added


def _remove(workflow: str, keys: list[str]) -> None:
    if keys:
        RecordValue.delete().where(
            (RecordValue.workflow == workflow) & RecordValue.dimension.in_(keys)
        ).execute()
        RecordDimension.delete().where(
            (RecordDimension.workflow == workflow) & RecordDimension.dimension.in_(keys)
        ).execute()
        # the deltas the delete appended and the counts before: the dimension is gone
        ValueTally.delete().where(
            (ValueTally.workflow == workflow) & ValueTally.dimension.in_(keys)
        ).execute()
        forget_pairs(workflow, keys)


def unfilled(workflow: str, keys: Iterable[str]) -> list[str]:
    """Those of ``keys`` that are not (completely) filled, declaring the ones not kept at
    all (one ``SELECT`` when everything is there)."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    kept = {
        d.dimension: d.fill_after
        for d in RecordDimension.select(RecordDimension.dimension, RecordDimension.fill_after)
        .where((RecordDimension.workflow == workflow) & RecordDimension.dimension.in_(keys))
        .namedtuples()
    }
    missing = [k for k in keys if k not in kept]
    if missing:
        with database.atomic():
            _add(workflow, missing)
    return [k for k in keys if k in missing or kept[k] is not None]


def sync_dimensions(wanted: dict[str, Iterable[str]]) -> tuple[int, int]:
    """Keep exactly the ``wanted`` dimensions (workflow id → keys); returns (added, removed).

    Workflows not named lose all their dimensions; new ones are declared, not filled (the
    background job fills them). Runs in one transaction, which stays short."""
    wanted_keys = {(w, k) for w, keys in wanted.items() for k in keys}
    with database.atomic():
        kept = {(d.workflow, d.dimension) for d in RecordDimension.select()}
        removed, added = kept - wanted_keys, wanted_keys - kept
        for workflow in sorted({w for w, _ in removed}):
            _remove(workflow, sorted(k for w, k in removed if w == workflow))
        for workflow in sorted({w for w, _ in added}):
            _add(workflow, sorted(k for w, k in added if w == workflow))
    return len(added), len(removed)


def declare_dimensions(wanted: dict[str, Iterable[str]]) -> tuple[int, int]:
    """At start: empty the dimensions that are not ``wanted`` (a field removed or made
    personal in the files while the server was down) and declare the wanted ones not kept
    (an installation upgrading) as not filled; returns (declared, removed). Fills nothing:
    the worker does, in the background, so a start never takes minutes."""
    return sync_dimensions(wanted)


def pending_workflows() -> list[str]:
    """The workflows with a dimension not yet completely filled."""
    query = (
        RecordDimension.select(RecordDimension.workflow)
        .where(RecordDimension.fill_after.is_null(False))
        .distinct()
    )
    return sorted(d.workflow for d in query)


@derived_data("record_value")
def rebuild_record_values() -> None:
    """Refill ``record_value`` from the records for every kept dimension (all filled)."""
    with values_rewritten():  # no delta per value: the tallies are counted anew after
        database.execute_sql("DELETE FROM record_value")
        with indexes_set_aside("record_value"):  # a million records: ~28 million rows
            fill_values("1 = 1", [])
    RecordDimension.update(fill_after=None).execute()
