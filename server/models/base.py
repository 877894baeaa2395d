"""The database handle and the base model every table inherits.

``database`` is a peewee ``DatabaseProxy``: the app factory, the CLI and the worker choose
SQLite or PostgreSQL at run time with :func:`open_database`.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import peewee
from playhouse.db_url import connect

from .. import clock

database = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    # writers wait for each other instead of failing at once with "database is locked"
    "busy_timeout": 10000,
    "foreign_keys": 1,
    "synchronous": "normal",
}


def utcnow() -> dt.datetime:
    """Now in UTC, naive; every timestamp in the database is naive UTC.

    Read from :mod:`server.clock`, so a test that freezes the clock freezes the database's
    timestamps too (retention counts from them).
    """
    return clock.now().astimezone(dt.UTC).replace(tzinfo=None)


def open_database(url: str) -> peewee.Database:
    """Open ``url`` (sqlite:///path or postgresql://...) and bind the proxy to it."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # IMMEDIATE: a transaction takes the write lock when it starts, so read-modify-write
        # transactions queue behind each other instead of failing on lock upgrade.
        db = peewee.SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE")
    else:
        db = connect(url)
    database.initialize(db)
    return db


def is_sqlite() -> bool:
    return isinstance(database.obj, peewee.SqliteDatabase)


def unindexed(field: peewee.Field) -> peewee.ColumnBase:
    """``field`` as SQLite's planner may not answer from an index (``+column``).

    SQLite here has no table statistics (nobody runs ANALYZE), so for an ordered, limited
    query it prefers walking an index in sort order and testing every row over looking up
    the few rows a condition names and sorting them. Where a query knows the second is
    right (a person's few records, their own reminders), the condition that would tempt the
    planner is written with this. PostgreSQL plans with statistics: the field as it is."""
    if not is_sqlite():
        return field
    return peewee.NodeList((peewee.SQL("+"), field), glue="")


def unindexed_on_postgresql(field: peewee.Field) -> peewee.ColumnBase:
    """A text ``field`` as PostgreSQL's planner may not use it as an index condition
    (``field || ''``); on SQLite the field as it is.

    For a condition PostgreSQL's statistics misjudge, when another index answers the query
    better: the planner estimated one meeting in states "planned" or "invited" among a
    million records (264 in truth) and preferred ``(workflow, state, …)`` – then read the
    JSON of each – to the date index of the start page (6.3 → 0.3 ms)."""
    if is_sqlite():
        return field
    return field.concat("")


_after_commit = threading.local()


@contextmanager
def transaction():
    """A write transaction (on SQLite BEGIN IMMEDIATE, see :func:`open_database`).

    The outermost one runs what :func:`on_commit` registered once it has committed.
    """
    outermost = not database.in_transaction()
    if outermost:
        _after_commit.callbacks = []
    try:
        with database.atomic() as txn:
            yield txn
        callbacks = getattr(_after_commit, "callbacks", None) if outermost else None
    finally:
        if outermost:
            _after_commit.callbacks = None
    for callback in callbacks or ():
        callback()


def on_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current :func:`transaction` has committed (now, outside one).

    For effects outside the database (enqueueing a job): a job that ran before the commit
    would not find its rows. Inside a transaction opened otherwise (a bare ``atomic()``) the
    callback is dropped; callers keep a sweep for that case (e.g. e-mails, jobs/mail.py).
    """
    if not database.in_transaction():
        callback()
        return
    callbacks = getattr(_after_commit, "callbacks", None)
    if callbacks is not None:
        callbacks.append(callback)


SHORT_WAIT_MS = 1500  # bookkeeping writes on reads (audit, "last seen") wait this long at most


_single_write = threading.local()


def single_write_prefix() -> str:
    """What the statement of a ``short_write(single=True)`` block sends before itself on
    PostgreSQL (its ``SET LOCAL``), once; "" otherwise. Read by
    :func:`~server.models.fast.insert_row`."""
    prefix = getattr(_single_write, "prefix", "")
    if prefix:
        _single_write.prefix = ""
    return prefix


@contextmanager
def short_write(wait_ms: int = SHORT_WAIT_MS, *, single: bool = False):
    """A write transaction that waits at most ``wait_ms`` for its locks.

    ``single``: the block sends one statement, an :func:`~server.models.fast.insert_row`; it
    then runs without ``BEGIN`` and ``COMMIT`` (one statement is its own transaction; issue
    21: the read audit of every record page sent both). On PostgreSQL the lock timeout goes
    in the same round trip (:func:`single_write_prefix`).

    For writes a read performs on the side (its audit entry, a token's "last used"): the
    read must not wait the full ``busy_timeout`` behind another process's long transaction
    or fail with it. SQLite: ``busy_timeout`` for this transaction only (restored after);
    PostgreSQL: ``SET LOCAL lock_timeout``. A lock not had in time raises
    ``peewee.OperationalError`` and nothing is written; the caller decides what then.
    """
    if not is_sqlite():
        if single and not database.in_transaction():
            # one round trip instead of four (BEGIN, SET, the statement, COMMIT): the
            # setting travels with the statement, and the two are one transaction
            _single_write.prefix = f"SET LOCAL lock_timeout = {int(wait_ms)}; "
            try:
                yield
            finally:
                _single_write.prefix = ""
            return
        with database.atomic():
            database.execute_sql(f"SET LOCAL lock_timeout = {int(wait_ms)}")
            yield
        return
    database.execute_sql(f"PRAGMA busy_timeout = {int(wait_ms)}")
    try:
        if single:
            yield
        else:
            with database.atomic():
                yield
    finally:
        database.execute_sql(f"PRAGMA busy_timeout = {SQLITE_PRAGMAS['busy_timeout']}")


class JSONField(peewee.TextField):
    """JSON kept as text, so SQLite and PostgreSQL store it the same way."""

    def db_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def python_value(self, value: Any) -> Any:
        if value is None or isinstance(value, (dict, list)):
            return value
        return json.loads(value)


class BaseModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False
