"""Counting the SQL statements a request sends: the guard against N+1 queries.

peewee logs every statement it executes at DEBUG on the ``peewee`` logger; the counter listens
there for the length of a ``with`` block. Tests of pages and API routes assert an upper bound
(issue 21: no page over ~20 statements), so a loop that queries per row cannot come back
unnoticed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

PAGE_BUDGET = 20  # statements a page may send, whatever the number of records


class StatementLog(logging.Handler):
    """The statements peewee executed while the handler was attached (SQL text, shortened)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.msg
        sql = message[0] if isinstance(message, tuple) else str(message)
        self.statements.append(str(sql)[:300])

    def __len__(self) -> int:
        return len(self.statements)

    def report(self) -> str:
        """The statements, numbered, for an assertion message."""
        return "\n".join(f"{n:3}: {s}" for n, s in enumerate(self.statements, 1))


@contextmanager
def counted_statements() -> Iterator[StatementLog]:
    """Collect the statements executed inside the block (any thread of this process)."""
    logger = logging.getLogger("peewee")
    log = StatementLog()
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(log)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False  # keep the statements out of the test's captured log output
    try:
        yield log
    finally:
        logger.removeHandler(log)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


@contextmanager
def sqlite_steps() -> Iterator[list[int]]:
    """Count the virtual-machine instructions SQLite runs inside the block (its work, not
    its time: the same on a busy machine). Yields a one-item list holding the count, in
    tens of instructions; SQLite only, on this thread's connection."""
    from server.models import database

    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0  # go on

    connection = database.connection()
    connection.set_progress_handler(tick, 10)
    try:
        yield steps
    finally:
        connection.set_progress_handler(None, 10)
