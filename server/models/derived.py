"""Derived data: tables and columns the app keeps in step with records, and how to rebuild them.

Some data is computed from records on every change, in the same transaction: a search index,
counters for statistics, expression indexes' helper columns. Whatever writes records *around*
the services – the bulk generator of ``bench/bench_pages.py``, an import that inserts rows
directly – leaves that data stale. Each kind of derived data registers a rebuild function
here (at import of the module that maintains it); :func:`rebuild_derived_data` runs them all.

A rebuild function takes no arguments, runs on the open connection inside the caller's
transaction, recomputes its data from the records in bulk (set-based SQL, not row by row)
and must be idempotent: running it twice leaves the same state as running it once.
"""

from __future__ import annotations

from collections.abc import Callable

from .base import database

_REBUILDERS: dict[str, Callable[[], None]] = {}


def derived_data(name: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register the decorated function as the rebuild of the derived data ``name``."""

    def register(rebuild: Callable[[], None]) -> Callable[[], None]:
        _REBUILDERS[name] = rebuild
        return rebuild

    return register


def derived_names() -> list[str]:
    """The derived data registered so far, in registration order."""
    return list(_REBUILDERS)


def rebuild_derived_data() -> list[str]:
    """Rebuild every registered kind of derived data from the records, in one transaction.

    Returns the names rebuilt (empty when nothing is registered)."""
    with database.atomic():
        for rebuild in _REBUILDERS.values():
            rebuild()
    return derived_names()
