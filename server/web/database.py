"""The database within a request: connected before it, anything an error left open undone."""

from __future__ import annotations

import select

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
        # found by the next request (:func:`_alive`) and replaced.


def _alive() -> bool:
    """Whether this thread's PostgreSQL connection is still open, without a round trip.

    Between requests the server has nothing to say on a healthy connection. A server that
    ends the session (a restart, ``idle_session_timeout``, ``pg_terminate_backend``) first
    sends its reason and closes the socket: then there is something to read. Asking the
    socket costs microseconds; ``SELECT 1`` cost a round trip on every request (issue 21).
    """
    connection = database.connection()
    if connection.closed:
        return False
    try:
        readable, _, _ = select.select([connection.fileno()], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable


def _discard() -> None:
    try:
        database.close()
    except (peewee.OperationalError, peewee.InterfaceError):
        pass  # nothing to tell a server that is gone
    if not database.is_closed():
        database.obj._state.reset()  # peewee's own record of this thread's connection
