"""The database within a request: connected before it, anything an error left open undone."""

from __future__ import annotations

import peewee
from flask import Flask

from ..models import database, is_sqlite


def init_database(app: Flask) -> None:
    """Connect for every request (screens, API, metrics) and clean up after it.

    The database itself was opened by :func:`server.runtime.start_runtime`.
    """

    @app.before_request
    def _connect():
        if not is_sqlite() and not database.is_closed() and not _alive():
            _discard()  # the server restarted, or ended an idle session: connect anew
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _end_request(exc):
        if database.is_closed():
            return
        if database.in_transaction():
            database.rollback()  # left open by an error
        # The connection stays open for this thread's next request. SQLite: a fresh one
        # starts with an empty page cache and re-reads the schema, which made list pages
        # slower the larger the database grew. PostgreSQL: a new connection is a new server
        # process with cold caches – 9 ms of a 17 ms case page; one that died meanwhile is
        # found by the next request's one-row query and replaced (:func:`_alive`).


def _alive() -> bool:
    """Whether this thread's PostgreSQL connection still answers (one round trip)."""
    try:
        database.execute_sql("SELECT 1").fetchone()
    except (peewee.OperationalError, peewee.InterfaceError):
        return False
    return True


def _discard() -> None:
    try:
        database.close()
    except (peewee.OperationalError, peewee.InterfaceError):
        pass  # nothing to tell a server that is gone
    if not database.is_closed():
        database.obj._state.reset()  # peewee's own record of this thread's connection
