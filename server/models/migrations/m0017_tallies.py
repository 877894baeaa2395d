"""Counters for the counting pages (issue 21): ``record_tally``, ``record_period_tally``,
``value_tally``, kept by triggers in the statement that changes a record or a value.

Each table holds *deltas*: a trigger appends ``+1`` for a key that gained a record (or a
table row) and ``-1`` for one that lost it; nothing is ever updated in place. A figure is
``SUM(n)`` per key; the services fold the deltas of a workflow into one row per key now and
then (:mod:`server.services.privacy.tallies`). Appending takes no row lock, so concurrent
saves of different records never wait for each other on a counter and cannot deadlock
(PostgreSQL), and no count is lost.

- ``record_tally``: records by workflow, state, organisation and owner (0 = none);
- ``record_period_tally``: records by workflow, state, organisation and creation bucket: the
  UTC day, with 22:00 and 23:00 UTC as buckets of their own (Berlin midnight is 22:00 or
  23:00 UTC, so a period of Berlin days is a whole number of buckets; SQLite knows no time
  zones, so the bucket is computed from the stored UTC text);
- ``value_tally``: ``record_value`` rows (records, or table rows for a column) by workflow,
  dimension, raw value ('' = NULL), state and organisation (0 = none).

Filled here from the existing records and values, in one grouped statement each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import peewee

from ..base import database

if TYPE_CHECKING:
    from .runner import Context

TITLE = "Zähler für Start- und Statistikseiten (record_tally, value_tally, Trigger)"


class _Frozen(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


class RecordTally(_Frozen):
    workflow = peewee.CharField(max_length=64)
    state = peewee.CharField(max_length=64)
    organisation_id = peewee.IntegerField(default=0)
    owner_id = peewee.IntegerField(default=0)
    n = peewee.IntegerField()
    folded = peewee.BooleanField(default=False, constraints=[peewee.SQL("DEFAULT FALSE")])

    class Meta:
        table_name = "record_tally"
        indexes = ((("workflow", "state", "organisation_id", "owner_id", "n"), False),)


class RecordPeriodTally(_Frozen):
    workflow = peewee.CharField(max_length=64)
    state = peewee.CharField(max_length=64)
    organisation_id = peewee.IntegerField(default=0)
    bucket = peewee.DateTimeField(null=True)
    n = peewee.IntegerField()
    folded = peewee.BooleanField(default=False, constraints=[peewee.SQL("DEFAULT FALSE")])

    class Meta:
        table_name = "record_period_tally"
        indexes = ((("workflow", "bucket", "state", "organisation_id", "n"), False),)


class ValueTally(_Frozen):
    workflow = peewee.CharField(max_length=64)
    dimension = peewee.CharField(max_length=200)
    value = peewee.TextField(default="")
    state = peewee.CharField(max_length=64)
    organisation_id = peewee.IntegerField(default=0)
    n = peewee.IntegerField()
    folded = peewee.BooleanField(default=False, constraints=[peewee.SQL("DEFAULT FALSE")])

    class Meta:
        table_name = "value_tally"
        indexes = ((("workflow", "dimension"), False),)


class TallyPair(_Frozen):
    workflow = peewee.CharField(max_length=64)
    dimension = peewee.CharField(max_length=200)
    other = peewee.CharField(max_length=200)

    class Meta:
        table_name = "tally_pair"
        primary_key = peewee.CompositeKey("workflow", "dimension", "other")


class PairTally(_Frozen):
    workflow = peewee.CharField(max_length=64)
    dimension = peewee.CharField(max_length=200)
    value = peewee.TextField(default="")
    other = peewee.CharField(max_length=200)
    other_value = peewee.TextField(default="")
    n = peewee.IntegerField()
    folded = peewee.BooleanField(default=False, constraints=[peewee.SQL("DEFAULT FALSE")])

    class Meta:
        table_name = "pair_tally"
        indexes = ((("workflow", "dimension", "other"), False),)


RECORD_KEY = "workflow, state, organisation_id, owner_id"
PAIR_KEY = "workflow, dimension, value, other, other_value"

# SQLite, per record_value row {r} (new/old) with sign {sign}: the declared pairs it is a
# member of, with the partner of the same record and row as it stands. Inserting, the
# partner written earlier in the statement is there and the later one not yet: each pair is
# counted once, by its member written last; deleting, likewise by the one deleted last.
_SQLITE_PAIR = (
    f"INSERT INTO pair_tally ({PAIR_KEY}, n) "
    "SELECT {r}.workflow, p.dimension, CASE WHEN p.dimension = {r}.dimension "
    "THEN COALESCE({r}.value, '') ELSE COALESCE(o.value, '') END, p.other, "
    "CASE WHEN p.dimension = {r}.dimension THEN COALESCE(o.value, '') "
    "ELSE COALESCE({r}.value, '') END, {sign} "
    "FROM tally_pair AS p JOIN record_value AS o ON o.record_id = {r}.record_id "
    "AND o.row_index = {r}.row_index AND o.dimension = CASE WHEN p.dimension = {r}.dimension "
    "THEN p.other ELSE p.dimension END "
    "WHERE p.workflow = {r}.workflow AND {r}.dimension IN (p.dimension, p.other);"
)


def _pg_pair_part(first: bool, rows: str, partners: str, sign: str, unseen: str = "") -> str:
    # x: a changed row as the pair's first (or second) member; o: its partner
    mine, theirs = ("dimension", "other") if first else ("other", "dimension")
    values = "COALESCE(x.value, ''), p.other, COALESCE(o.value, '')"
    if not first:
        values = "COALESCE(o.value, ''), p.other, COALESCE(x.value, '')"
    return (
        f"SELECT x.workflow, p.dimension, {values}, {sign} AS n FROM {rows} AS x "
        f"JOIN tally_pair AS p ON p.workflow = x.workflow AND p.{mine} = x.dimension "
        f"JOIN {partners} AS o ON o.record_id = x.record_id AND o.row_index = x.row_index "
        f"AND o.dimension = p.{theirs}{unseen}"
    )


def _pg_pair_function() -> str:
    """Statement level: pairs with a member among the rows inserted (deleted), each once."""
    unseen = (
        " WHERE NOT EXISTS (SELECT 1 FROM {rows} AS y WHERE y.record_id = o.record_id "
        "AND y.dimension = o.dimension AND y.row_index = o.row_index)"
    )
    inserted = " UNION ALL ".join(
        [
            _pg_pair_part(True, "new_rows", "record_value", "1"),
            _pg_pair_part(False, "new_rows", "record_value", "1", unseen.format(rows="new_rows")),
        ]
    )
    deleted = " UNION ALL ".join(
        [
            _pg_pair_part(True, "old_rows", "record_value", "-1"),
            _pg_pair_part(True, "old_rows", "old_rows", "-1"),
            _pg_pair_part(False, "old_rows", "record_value", "-1"),
        ]
    )
    body = (
        f"  INSERT INTO pair_tally ({PAIR_KEY}, n) SELECT {PAIR_KEY}, SUM(n)::int FROM "
        "({rows}) AS d({key}, n) GROUP BY {key} HAVING SUM(n) <> 0;\n"
    )
    return (
        "CREATE OR REPLACE FUNCTION pair_tally_append() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "  IF TG_OP = 'INSERT' THEN\n"
        + body.format(rows=inserted, key=PAIR_KEY)
        + "  ELSE\n"
        + body.format(rows=deleted, key=PAIR_KEY)
        + "  END IF;\n  RETURN NULL;\nEND\n$$"
    )


PERIOD_KEY = "workflow, state, organisation_id, bucket"
VALUE_KEY = "workflow, dimension, value, state, organisation_id"


def sqlite_bucket(column: str) -> str:
    """The creation bucket of a stored UTC text ``YYYY-MM-DD HH:MM:SS[.f]`` (SQLite)."""
    return (
        f"substr({column}, 1, 10) || CASE WHEN substr({column}, 12, 2) >= '22' "
        f"THEN ' ' || substr({column}, 12, 2) || ':00:00' ELSE ' 00:00:00' END"
    )


def pg_bucket(column: str) -> str:
    """The creation bucket of a naive UTC timestamp (PostgreSQL)."""
    return (
        f"date_trunc('day', {column}) + CASE WHEN extract(hour FROM {column}) >= 22 "
        f"THEN make_interval(hours => extract(hour FROM {column})::int) "
        "ELSE interval '0 hours' END"
    )


def _record_values(prefix: str, sign: str, sqlite: bool) -> tuple[str, str, str]:
    """(record key, period key, value key) expressions of one row (``new.``/``old.``)."""
    p = prefix
    record = f"{p}workflow, {p}state, COALESCE({p}organisation_id, 0), COALESCE({p}owner_id, 0)"
    bucket = sqlite_bucket(f"{p}created_at") if sqlite else pg_bucket(f"{p}created_at")
    period = f"{p}workflow, {p}state, COALESCE({p}organisation_id, 0), {bucket}"
    value = (
        f"{p}workflow, {p}dimension, COALESCE({p}value, ''), {p}state, "
        f"COALESCE({p}organisation_id, 0)"
    )
    return f"{record}, {sign}", f"{period}, {sign}", f"{value}, {sign}"


def sqlite_triggers() -> list[str]:
    """The SQLite triggers of this step (also re-created after a rebuild suspends them)."""
    new = _record_values("new.", "1", True)
    old = _record_values("old.", "-1", True)

    def add(values: tuple[str, str, str], record: bool) -> str:
        if record:
            return (
                f"INSERT INTO record_tally ({RECORD_KEY}, n) VALUES ({values[0]}); "
                f"INSERT INTO record_period_tally ({PERIOD_KEY}, n) VALUES ({values[1]});"
            )
        return f"INSERT INTO value_tally ({VALUE_KEY}, n) VALUES ({values[2]});"

    moved = (
        "old.workflow IS NOT new.workflow OR old.state IS NOT new.state OR "
        "old.organisation_id IS NOT new.organisation_id OR old.owner_id IS NOT new.owner_id "
        "OR old.created_at IS NOT new.created_at"
    )
    value_moved = (
        "old.workflow IS NOT new.workflow OR old.dimension IS NOT new.dimension OR "
        "old.value IS NOT new.value OR old.state IS NOT new.state OR "
        "old.organisation_id IS NOT new.organisation_id"
    )
    return [
        f"CREATE TRIGGER record_tally_insert AFTER INSERT ON record BEGIN {add(new, True)} END",
        f"CREATE TRIGGER record_tally_delete AFTER DELETE ON record BEGIN {add(old, True)} END",
        "CREATE TRIGGER record_tally_update AFTER UPDATE OF workflow, state, organisation_id, "
        f"owner_id, created_at ON record WHEN {moved} BEGIN {add(old, True)} {add(new, True)} END",
        "CREATE TRIGGER value_tally_insert AFTER INSERT ON record_value "
        f"BEGIN {add(new, False)} {_SQLITE_PAIR.format(r='new', sign='1')} END",
        "CREATE TRIGGER value_tally_delete AFTER DELETE ON record_value "
        f"BEGIN {add(old, False)} {_SQLITE_PAIR.format(r='old', sign='-1')} END",
        f"CREATE TRIGGER value_tally_update AFTER UPDATE ON record_value WHEN {value_moved} "
        f"BEGIN {add(old, False)} {add(new, False)} END",
    ]


def _pg_function(name: str, table: str, key: str, index: int) -> str:
    """A statement-level trigger function: the rows changed, grouped, appended as deltas
    (``HAVING``: an update that moved nothing appends nothing)."""
    expressions = _split(_record_values("r.", "1", False)[index].rsplit(", ", 1)[0])
    # the same expressions for old and new rows, named as the table's key columns
    named = ", ".join(
        f"{expr} AS {col}" for expr, col in zip(expressions, key.split(", "), strict=True)
    )
    body = (
        "  INSERT INTO {table} ({key}, n)\n"
        "  SELECT {key}, SUM(n)::int FROM ({rows}) AS d GROUP BY {key} HAVING SUM(n) <> 0;\n"
    )
    select_new = f"SELECT {named}, 1 AS n FROM new_rows AS r"
    select_old = f"SELECT {named}, -1 AS n FROM old_rows AS r"
    parts = []
    for op, rows in (
        ("INSERT", select_new),
        ("DELETE", select_old),
        ("UPDATE", f"{select_old} UNION ALL {select_new}"),
    ):
        parts.append(
            f"  IF TG_OP = '{op}' THEN\n"
            + body.format(table=table, key=key, rows=rows)
            + "  END IF;\n"
        )
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n" + "".join(parts) + "  RETURN NULL;\nEND\n$$"
    )


def _split(expressions: str) -> list[str]:
    """The top-level comma-separated expressions (parentheses respected)."""
    out, depth, current = [], 0, ""
    for char in expressions:
        if char == "," and depth == 0:
            out.append(current.strip())
            current = ""
            continue
        depth += char == "("
        depth -= char == ")"
        current += char
    out.append(current.strip())
    return out


def _pg_triggers() -> list[str]:
    out = [
        _pg_function("record_tally_append", "record_tally", RECORD_KEY, 0),
        _pg_function("record_period_tally_append", "record_period_tally", PERIOD_KEY, 1),
        _pg_function("value_tally_append", "value_tally", VALUE_KEY, 2),
    ]
    for table, function in (
        ("record", "record_tally_append"),
        ("record", "record_period_tally_append"),
        ("record_value", "value_tally_append"),
    ):
        for op, refs in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ):
            out.append(
                f"CREATE TRIGGER {function}_{op.lower()} AFTER {op} ON {table} "
                f"REFERENCING {refs} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    out.append(_pg_pair_function())
    for op, refs in (("INSERT", "NEW TABLE AS new_rows"), ("DELETE", "OLD TABLE AS old_rows")):
        out.append(
            f"CREATE TRIGGER pair_tally_append_{op.lower()} AFTER {op} ON record_value "
            f"REFERENCING {refs} FOR EACH STATEMENT EXECUTE FUNCTION pair_tally_append()"
        )
    return out


def fill_sql(sqlite: bool) -> list[str]:
    """Statements that fill the empty tallies from the records and values (grouped)."""
    record = _record_values("r.", "", sqlite)
    return [
        f"INSERT INTO record_tally ({RECORD_KEY}, n, folded) SELECT {record[0]} COUNT(*), "
        f"TRUE FROM record AS r GROUP BY {_group(4)}",
        f"INSERT INTO record_period_tally ({PERIOD_KEY}, n, folded) SELECT {record[1]} "
        f"COUNT(*), TRUE FROM record AS r GROUP BY {_group(4)}",
        f"INSERT INTO value_tally ({VALUE_KEY}, n, folded) SELECT {record[2]} COUNT(*), TRUE "
        f"FROM record_value AS r GROUP BY {_group(5)}",
    ]


def pair_fill_sql() -> str:
    """The statement that counts the declared pairs ``p`` matching a condition ``{where}``
    from ``record_value`` (a pair's two members of one record and row).

    ``CROSS JOIN`` keeps SQLite's join order (pairs, then each value, then its partner by
    the index): without statistics and without a condition on ``p`` its planner put ``b``
    second, looked it up by workflow alone, and a rebuild of 10,000 records ran for more
    than ten minutes. PostgreSQL orders the joins itself either way."""
    return (
        f"INSERT INTO pair_tally ({PAIR_KEY}, n, folded) SELECT a.workflow, a.dimension, "
        "COALESCE(a.value, ''), b.dimension, COALESCE(b.value, ''), COUNT(*), TRUE "
        "FROM tally_pair AS p CROSS JOIN record_value AS a CROSS JOIN record_value AS b "
        "WHERE a.workflow = p.workflow AND a.dimension = p.dimension "
        "AND b.workflow = p.workflow AND b.dimension = p.other AND b.record_id = a.record_id "
        "AND b.row_index = a.row_index AND {where} GROUP BY 1, 2, 3, 4, 5"
    )


def _group(count: int) -> str:
    return ", ".join(str(i) for i in range(1, count + 1))


def upgrade(ctx: Context) -> None:
    for model in (RecordTally, RecordPeriodTally, ValueTally, TallyPair, PairTally):
        model.create_table(safe=False)
    sqlite = ctx.dialect == "sqlite"
    for statement in sqlite_triggers() if sqlite else _pg_triggers():
        ctx.execute(statement)
    for statement in fill_sql(sqlite):
        ctx.execute(statement)
    ctx.note("Zählertabellen und Trigger angelegt, aus den Datensätzen gefüllt")
