"""Which dimensions ``record_value`` keeps, and filling them from the records in bulk.

The values themselves are written by triggers on ``record`` (migration m0009) in the
statement that changes a record. What the triggers cannot know is which dimensions exist:
that comes from the definitions (only non-personal choice fields and columns). Here:

- :func:`sync_dimensions`: make ``record_dimension`` exactly the wanted set – a new
  dimension is filled for every existing record in one statement, a dimension no longer
  wanted (removed, or now personal) loses its values. Publishing a configuration runs it in
  its own transaction, so no statistic ever sees a configuration with stale values.
- :func:`ensure_dimensions`: before counting, add what is missing (a database migrated
  while the configuration came from files, a test's definitions); so a count is never
  taken from a dimension that was not filled.
- the registered rebuild (:mod:`server.models.derived`) refills every kept dimension.

A dimension key says where its value is: ``form.field`` is ``data[form][field]``,
``form.table.column`` is ``[column]`` of each object in the list ``data[form][table]``.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...models import RecordDimension, RecordValue, database, is_sqlite
from ...models.derived import derived_data

_COLUMNS = "record_id, workflow, state, organisation_id, created_at, dimension, row_index, value"

# the same expressions as the triggers of m0009, over every record instead of one
_SQLITE_PATH = (
    "'$.\"' || replace(d.form_id, '\"', '') || '\".\"' || replace(d.field, '\"', '') || '\"'"
)
_SQLITE_FILL = (
    f"INSERT INTO record_value ({_COLUMNS}) "
    "SELECT r.id, r.workflow, r.state, r.organisation_id, r.created_at, "
    f"d.dimension, -1, r.data -> ({_SQLITE_PATH}) "
    "FROM record_dimension AS d JOIN record AS r ON r.workflow = d.workflow "
    "WHERE d.column_name = '' AND {where}",
    f"INSERT INTO record_value ({_COLUMNS}) "
    "SELECT r.id, r.workflow, r.state, r.organisation_id, r.created_at, "
    "d.dimension, u.key, u.value -> ('$.\"' || replace(d.column_name, '\"', '') || '\"') "
    f"FROM record_dimension AS d JOIN record AS r ON r.workflow = d.workflow, "
    f"json_each(r.data, {_SQLITE_PATH}) AS u "
    f"WHERE d.column_name <> '' AND json_type(r.data, {_SQLITE_PATH}) = 'array' "
    "AND u.type = 'object' AND {where}",
)
# records outside, each cast to jsonb once (OFFSET 0 keeps the planner from inlining the
# cast); the dimensions inside (LATERAL). The other way round, PostgreSQL rescanned and
# re-cast every record once per dimension (1,000 records, 56 dimensions: 8.9 s).
_PG_RECORDS = (
    "(SELECT id, workflow, state, organisation_id, created_at, CAST(data AS jsonb) AS v "
    "FROM record WHERE workflow IN (SELECT d.workflow FROM record_dimension AS d WHERE {where}) "
    "OFFSET 0) AS r"
)
_PG_FILL = (
    f"INSERT INTO record_value ({_COLUMNS}) "
    "SELECT r.id, r.workflow, r.state, r.organisation_id, r.created_at, "
    "d.dimension, -1, (r.v -> d.form_id -> d.field)::text "
    f"FROM {_PG_RECORDS} CROSS JOIN LATERAL (SELECT * FROM record_dimension AS d "
    "WHERE d.workflow = r.workflow AND d.column_name = '' AND {where}) AS d",
    f"INSERT INTO record_value ({_COLUMNS}) "
    "SELECT r.id, r.workflow, r.state, r.organisation_id, r.created_at, "
    "d.dimension, (u.n - 1)::int, (u.e -> d.column_name)::text "
    f"FROM {_PG_RECORDS} CROSS JOIN LATERAL (SELECT * FROM record_dimension AS d "
    "WHERE d.workflow = r.workflow AND d.column_name <> '' AND {where}) AS d "
    "CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN "
    "jsonb_typeof(r.v -> d.form_id -> d.field) = 'array' THEN r.v -> d.form_id -> d.field "
    "ELSE '[]'::jsonb END) WITH ORDINALITY AS u(e, n) "
    "WHERE jsonb_typeof(u.e) = 'object'",
)


def _parts(key: str) -> tuple[str, str, str]:
    parts = key.split(".")
    return parts[0], parts[1], parts[2] if len(parts) > 2 else ""


def _fill(where: str, params: list) -> None:
    """Insert the values of the dimensions ``where`` (a condition on ``d``) for every record."""
    if is_sqlite():
        for statement in _SQLITE_FILL:
            database.execute_sql(statement.format(where=where), params)
    else:
        for statement in _PG_FILL:  # the condition twice: records and their dimensions
            database.execute_sql(statement.format(where=where.replace("?", "%s")), params * 2)


def _add(workflow: str, keys: list[str]) -> None:
    if not keys:
        return
    rows = [
        {"workflow": workflow, "dimension": k, "form_id": f, "field": n, "column_name": c}
        for k in keys
        for f, n, c in [_parts(k)]
    ]
    # two processes adding the same dimension: the second inserts nothing and fills nothing
    # (PostgreSQL waits on the first one's row; SQLite writes one at a time)
    added = []
    for row in rows:
        inserted = RecordDimension.insert(row).on_conflict_ignore().execute()
        if inserted:
            added.append(row["dimension"])
    if added:
        mark = ", ".join("?" for _ in added)
        _fill(f"d.workflow = ? AND d.dimension IN ({mark})", [workflow, *added])


def _remove(workflow: str, keys: list[str]) -> None:
    if keys:
        RecordValue.delete().where(
            (RecordValue.workflow == workflow) & RecordValue.dimension.in_(keys)
        ).execute()
        RecordDimension.delete().where(
            (RecordDimension.workflow == workflow) & RecordDimension.dimension.in_(keys)
        ).execute()


def ensure_dimensions(workflow: str, keys: Iterable[str]) -> None:
    """Make sure ``record_value`` holds the dimensions ``keys`` of ``workflow`` (one
    ``SELECT`` when they are there; otherwise they are added and filled first)."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return
    kept = {
        d.dimension
        for d in RecordDimension.select(RecordDimension.dimension).where(
            (RecordDimension.workflow == workflow) & RecordDimension.dimension.in_(keys)
        )
    }
    missing = [k for k in keys if k not in kept]
    if missing:
        with database.atomic():
            _add(workflow, missing)


def sync_dimensions(wanted: dict[str, Iterable[str]]) -> tuple[int, int]:
    """Keep exactly the ``wanted`` dimensions (workflow id → keys); returns (added, removed).

    Workflows not named lose all their dimensions. Runs in one transaction."""
    wanted_keys = {(w, k) for w, keys in wanted.items() for k in keys}
    with database.atomic():
        kept = {(d.workflow, d.dimension) for d in RecordDimension.select()}
        removed, added = kept - wanted_keys, wanted_keys - kept
        for workflow in sorted({w for w, _ in removed}):
            _remove(workflow, sorted(k for w, k in removed if w == workflow))
        for workflow in sorted({w for w, _ in added}):
            _add(workflow, sorted(k for w, k in added if w == workflow))
    return len(added), len(removed)


def forget_unwanted(wanted: dict[str, Iterable[str]]) -> int:
    """Empty the dimensions that are not ``wanted`` (a field removed or made personal in the
    files while the server was down); returns how many. Adds nothing: that waits for the
    first count (:func:`ensure_dimensions`), so a start never fills for minutes."""
    wanted_keys = {(w, k) for w, keys in wanted.items() for k in keys}
    kept = {(d.workflow, d.dimension) for d in RecordDimension.select()}
    removed = kept - wanted_keys
    if removed:
        with database.atomic():
            for workflow in sorted({w for w, _ in removed}):
                _remove(workflow, sorted(k for w, k in removed if w == workflow))
    return len(removed)


@derived_data("record_value")
def rebuild_record_values() -> None:
    """Refill ``record_value`` from the records for every kept dimension."""
    database.execute_sql("DELETE FROM record_value")
    _fill("1 = 1", [])
