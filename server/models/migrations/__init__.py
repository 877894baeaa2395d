"""Versioned schema migrations (playhouse.migrate), applied by ``verbund migrate``.

Numbered modules ``mNNNN_<name>.py`` (see :mod:`.runner`); ``schema_version`` records each
applied one with its time (:mod:`.history`). 0001 is the baseline: it creates a new
database and adopts one made by a release before versioned migrations.

At start every process calls :func:`ensure_current`: an empty database is created at once
(nothing in it to lose), a database with pending migrations is refused with
:class:`SchemaOutdated` until an administrator has made a backup and run
``verbund migrate`` (docs/betrieb.md, „Aktualisieren (Upgrade)“).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import peewee

from .history import VERSION_TABLE, SchemaVersion
from .runner import (
    MIGRATIONS,
    Context,
    Migration,
    MigrationFailed,
    SchemaState,
    apply_pending,
    read_state,
)

log = logging.getLogger(__name__)

__all__ = [
    "MIGRATIONS",
    "VERSION_TABLE",
    "Context",
    "Migration",
    "MigrationFailed",
    "SchemaOutdated",
    "SchemaState",
    "SchemaVersion",
    "apply_pending",
    "ensure_current",
    "newer_text",
    "pending_text",
    "read_state",
]


def pending_text(state: SchemaState) -> str:
    """The pending migrations in German, one per line, for messages and ``--check``."""
    lines = []
    if state.kind == "unversioned":
        lines.append(
            "Die Datenbank stammt von einer Verbund-Version vor den versionierten Migrationen; "
            "sie wird als Ausgangsstand (0001) übernommen, fehlende Spalten werden ergänzt."
        )
    lines.append(f"Ausstehende Migrationen ({len(state.pending)}):")
    lines += [f"  {m.label}" for m in state.pending]
    return "\n".join(lines)


def newer_text(state: SchemaState) -> str:
    numbers = ", ".join(f"{n:04d}" for n in state.unknown)
    return (
        f"Die Datenbank wurde bereits mit einer neueren Verbund-Version migriert (Migration "
        f"{numbers} ist dieser Version unbekannt). Bitte diese Maschine auf dieselbe "
        "Version aktualisieren."
    )


class SchemaOutdated(Exception):
    """The database needs migrations this process will not apply by itself."""

    def __init__(self, state: SchemaState):
        super().__init__(
            f"Die Datenbank ist nicht auf dem Stand dieser Verbund-Version.\n"
            f"{pending_text(state)}\nBitte zuerst sichern („verbund backup "
            "DATEI“), dann „verbund migrate“ ausführen und Verbund neu starten."
        )
        self.state = state


def ensure_current(models: Sequence[type[peewee.Model]]) -> list[Migration]:
    """Create an empty database; refuse one with pending migrations.

    Returns the migrations applied (all of them for a new database, else none). Raises
    :class:`SchemaOutdated` for an existing database that ``verbund migrate`` must bring
    up to date first. A database migrated by a *newer* version is only warned about: during a
    rolling update older processes keep working on it (migrations add, they do not break
    the previous version, docs/architecture.md).
    """
    state = read_state(models)
    if state.kind == "empty":
        state, applied = apply_pending(models, only_if_empty=True)
        if applied:
            log.warning("new database: schema created (migrations %s)", _numbers(applied))
            return applied
    if state.pending:
        raise SchemaOutdated(state)
    if state.unknown:
        log.warning("%s", newer_text(state))
    return []


def _numbers(migrations: Sequence[Migration]) -> str:
    return ", ".join(f"{m.number:04d}" for m in migrations)
