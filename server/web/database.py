"""The database within a request: connected before it, anything an error left open undone."""

from __future__ import annotations

from flask import Flask

from ..models import database, is_sqlite


def init_database(app: Flask) -> None:
    """Connect for every request (screens, API, metrics) and clean up after it.

    The database itself was opened by :func:`server.runtime.start_runtime`.
    """

    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _end_request(exc):
        if database.is_closed():
            return
        if database.in_transaction():
            database.rollback()  # left open by an error
        # A SQLite connection stays open for this thread's next request: a fresh one starts
        # with an empty page cache and re-reads the schema, which made list pages slower the
        # larger the database grew. PostgreSQL keeps its cache in the server; closing there
        # means a restarted server never leaves a thread with a dead connection.
        if not is_sqlite():
            database.close()
