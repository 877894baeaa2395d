"""PostgreSQL: statements built once are prepared once per connection and then executed.

psycopg2 sends every statement as text, and PostgreSQL parses and plans it anew each time.
For the short statements every page sends (the session, the record, its consents,
deadlines, documents; the audit entry) planning was about half of the server's time: the
record page's nine SELECTs took 2.2 ms, 1.4 ms as prepared statements (issue 21, measured
on the shared machine). The statements :mod:`server.models.fast` builds once per table or
query shape are therefore sent as text on a connection's first use, as ``PREPARE`` on its
second and as ``EXECUTE`` after that; PostgreSQL keeps the parsed statement and, where its
parameters do not change the best plan, the plan.

A statement PostgreSQL cannot prepare (a parameter whose type it cannot work out) is
remembered and sent as text from then on. A connection pooler that hands one client
several server sessions (PgBouncer in transaction mode) loses prepared statements between
transactions: ``[database] prepared_statements = false`` turns this off. SQLite keeps its
own statement cache; nothing changes there.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

import peewee

_names: dict[tuple, str] = {}  # statement key → name of its prepared statement
_unpreparable: set[tuple] = set()
_lock = threading.Lock()
_counter = itertools.count(1)
# .connection, .prepared, .seen: what this thread's connection has prepared and has sent
_local = threading.local()
_settings = {"enabled": True}
_PLACEHOLDER = re.compile(r"%s")


def enable(enabled: bool) -> None:
    """Prepare statements on PostgreSQL (the default) or send every statement as text."""
    _settings["enabled"] = bool(enabled)


def execute(db: peewee.Database, key: tuple, sql: str, params: Sequence[Any], prefix: str = ""):
    """Run ``sql`` with ``params`` on ``db``; on PostgreSQL as a prepared statement.

    ``key`` names the statement (the same key, the same SQL); ``prefix``: statements sent
    in the same round trip before it (``SET LOCAL …;``), outside a transaction they and the
    statement form one. Returns the cursor.
    """
    if isinstance(db, peewee.SqliteDatabase) or not _settings["enabled"] or key in _unpreparable:
        return db.execute_sql(prefix + sql, params)
    name = _prepared_name(db, key, sql, len(params), prefix)
    if name is None:
        return db.execute_sql(prefix + sql, params)
    if params:
        marks = ", ".join(["%s"] * len(params))
        return db.execute_sql(f"{prefix}EXECUTE {name} ({marks})", params)
    return db.execute_sql(f"{prefix}EXECUTE {name}", params)


def _prepared_name(
    db: peewee.Database, key: tuple, sql: str, count: int, prefix: str
) -> str | None:
    """The name under which this thread's connection knows ``sql``, preparing it first if
    needed; None if PostgreSQL cannot prepare it.

    ``PREPARE`` takes the locks of the statement's tables already, so it carries ``prefix``
    too (a lock timeout must hold for it as well); a lock not had raises, as the statement
    itself would."""
    connection = db.connection()
    if getattr(_local, "connection", None) is not connection:
        # a new connection (or a replaced one) starts without prepared statements
        _local.connection, _local.prepared, _local.seen = connection, set(), set()
    name = _names.get(key)
    if name is None:
        with _lock:
            name = _names.setdefault(key, f"verbund_{next(_counter)}")
    if name in _local.prepared:
        return name
    if name not in _local.seen:
        # the first use goes as text: preparing costs a round trip more, which only pays
        # when the connection sends the statement again (a job's connection often does not)
        _local.seen.add(name)
        return None
    numbered = _numbered(sql)
    if numbered is None or numbered[1] != count:
        _unpreparable.add(key)
        return None
    try:
        # inside a transaction a failed PREPARE would abort it: a savepoint keeps it apart
        with db.atomic() if db.in_transaction() else nullcontext():
            _prepare(db, name, numbered[0], prefix)
    except (peewee.ProgrammingError, peewee.DataError, peewee.NotSupportedError):
        _unpreparable.add(key)  # e.g. a parameter of a type PostgreSQL cannot work out
        return None
    _local.prepared.add(name)
    return name


# parameter types prepared wider than PostgreSQL infers them from their column (_prepare)
_WIDER = {"integer": "bigint", "smallint": "bigint"}


def _prepare(db: peewee.Database, name: str, sql: str, prefix: str) -> None:
    """``PREPARE`` ``sql``; an integer parameter as ``bigint``.

    PostgreSQL gives ``$1`` in ``id = $1`` the column's type, ``integer``: an id beyond it
    (the routes take any up to 2**63 - 1, SQLite's largest) then failed with "integer out
    of range" where the statement as text had simply found no row. As ``bigint`` it
    compares as before, and the index on the column still serves.
    """
    found = db.execute_sql(
        f"{prefix}PREPARE {name} AS {sql}; "
        f"SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = '{name}'"
    ).fetchone()
    types = list(found[0] or []) if found else []
    if any(t in _WIDER for t in types):
        wide = ", ".join(_WIDER.get(t, t) for t in types)
        db.execute_sql(f"{prefix}DEALLOCATE {name}; PREPARE {name} ({wide}) AS {sql}")


def _numbered(sql: str) -> tuple[str, int] | None:
    """``sql`` with psycopg2's ``%s`` placeholders as ``$1, $2, …``, and their count; None
    when it holds a literal ``%`` (written ``%%``) that the renumbering could misread."""
    if "%%" in sql:
        return None
    numbers = itertools.count(1)
    text = _PLACEHOLDER.sub(lambda _match: f"${next(numbers)}", sql)
    return text, next(numbers) - 1
