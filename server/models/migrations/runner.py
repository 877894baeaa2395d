"""Finding, reading and applying the numbered migrations.

A migration is a module ``mNNNN_<name>.py`` in this package with a German ``TITLE`` and a
function ``upgrade(ctx)``; :class:`Context` gives it playhouse's schema migrator. Pending
migrations run in one transaction, so they are applied all or not at all (SQLite and
PostgreSQL both roll DDL back). The transaction starts with a lock – ``BEGIN IMMEDIATE``
on SQLite, an advisory lock on PostgreSQL – and reads the applied migrations again under
it: processes starting together on an empty database, or two ``verbund migrate`` at once,
apply each migration once.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import peewee
from playhouse.migrate import SchemaMigrator

from ..base import database, is_sqlite
from . import history

log = logging.getLogger(__name__)

_MODULE_NAME = re.compile(r"^m(\d{4})_(\w+)$")
_ADVISORY_KEY = 0x76626D6967  # any constant: serialises migrating processes on PostgreSQL


@dataclass(frozen=True)
class Migration:
    """One numbered migration."""

    number: int
    name: str  # the module name without the number, e.g. "baseline"
    title: str  # German, shown by ``verbund migrate``
    upgrade: Callable[[Context], None]

    @property
    def label(self) -> str:
        return f"{self.number:04d} {self.title}"


@dataclass
class Context:
    """What a migration's ``upgrade`` works with.

    ``migrator``: playhouse's :class:`~playhouse.migrate.SchemaMigrator` for this database
    (``add_column``, ``add_index``, ``rename_column`` …; run its operations with :meth:`run`).
    ``models``: the models of *this* version – for the baseline only; a later migration
    names its tables and columns itself, because the models will have moved on.
    """

    migrator: SchemaMigrator
    models: Sequence[type[peewee.Model]]
    notes: list[str] = field(default_factory=list)

    @property
    def dialect(self) -> Literal["sqlite", "postgresql"]:
        return "sqlite" if is_sqlite() else "postgresql"

    def run(self, *operations) -> None:
        """Run playhouse migrator operations (lists of operations are flattened)."""
        for operation in operations:
            if isinstance(operation, list | tuple):
                self.run(*operation)
            else:
                operation.run()

    def execute(self, sql: str, params: Sequence = ()) -> None:
        """Run one SQL statement as it is (for what the migrator does not offer)."""
        database.execute_sql(sql, params)

    def note(self, text: str) -> None:
        """Say what was done (stored with the migration in ``schema_version``)."""
        self.notes.append(text)


def discover() -> list[Migration]:
    """Every migration module of this package, by number; numbers must not repeat."""
    found: dict[int, Migration] = {}
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        match = _MODULE_NAME.match(info.name)
        if not match:
            continue
        module = importlib.import_module(f"{__package__}.{info.name}")
        number = int(match.group(1))
        if number in found:
            raise RuntimeError(f"migration number {number:04d} is used twice")
        found[number] = Migration(number, match.group(2), module.TITLE, module.upgrade)
    return [found[n] for n in sorted(found)]


MIGRATIONS = discover()


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands.

    ``kind``: ``empty`` (no Verbund table: a new installation), ``unversioned`` (tables of a
    Verbund release before versioned migrations, no ``schema_version``: the baseline adopts
    it), ``versioned``. ``unknown``: applied migrations this version does not know (the
    database was migrated by a newer version).
    """

    kind: Literal["empty", "unversioned", "versioned"]
    applied: dict[int, history.SchemaVersion]
    pending: list[Migration]
    unknown: list[int]

    @property
    def current(self) -> int | None:
        return max(self.applied) if self.applied else None


def read_state(
    models: Sequence[type[peewee.Model]], migrations: Sequence[Migration] | None = None
) -> SchemaState:
    """The state of the connected database against ``migrations`` (default: all)."""
    migrations = MIGRATIONS if migrations is None else migrations
    tables = set(database.get_tables())
    if history.VERSION_TABLE in tables:
        kind = "versioned"
    elif tables & {model._meta.table_name for model in models}:
        kind = "unversioned"
    else:
        kind = "empty"
    done = history.applied()
    known = {m.number for m in migrations}
    return SchemaState(
        kind=kind,
        applied=done,
        pending=[m for m in migrations if m.number not in done],
        unknown=sorted(set(done) - known),
    )


def _lock() -> None:
    """Serialise migrating processes (SQLite: the IMMEDIATE transaction already does)."""
    if not is_sqlite():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_KEY,))


class MigrationFailed(Exception):
    """A migration raised; the transaction was rolled back, nothing was changed."""

    def __init__(self, migration: Migration, reason: str, current: int | None):
        stand = f"Stand {current:04d}" if current else "ihrem bisherigen Stand"
        super().__init__(
            f"Migration {migration.label} ist fehlgeschlagen: {reason}. Nichts wurde "
            f"geändert; die Datenbank ist weiter auf {stand}."
        )
        self.migration = migration


@contextmanager
def _triggers_kept_on_rebuild() -> Iterator[None]:
    """SQLite: a table rebuild (drop, then rename the new table to the old name) leaves a
    trigger on another table that names the rebuilt one (``phase_stay`` on
    ``transition_log`` reads ``record``) pointing at a missing table for a moment, which
    the rename's schema check refuses. The legacy rename does no such check; the trigger
    names the table, so it reads the rebuilt one afterwards."""
    if not is_sqlite():
        yield
        return
    database.execute_sql("PRAGMA legacy_alter_table = ON")
    try:
        yield
    finally:
        database.execute_sql("PRAGMA legacy_alter_table = OFF")


def apply_pending(
    models: Sequence[type[peewee.Model]],
    migrations: Sequence[Migration] | None = None,
    *,
    only_if_empty: bool = False,
) -> tuple[SchemaState, list[Migration]]:
    """Apply every pending migration in one transaction; returns the state found before
    (read under the lock) and the migrations applied.

    ``only_if_empty``: do nothing unless the database is empty (a new installation is
    created at start; an existing one waits for ``verbund migrate``).
    """
    migrator = SchemaMigrator.from_database(database)
    # SQLite: foreign keys off *before* the transaction, so a table rebuild (column changes
    # other than ADD COLUMN) cannot cascade deletes; on for every other connection
    with migrator.migration_context(), _triggers_kept_on_rebuild():
        _lock()
        state = read_state(models, migrations)
        if only_if_empty and state.kind != "empty":
            return state, []
        for migration in state.pending:
            ctx = Context(migrator, models)
            try:
                with database.atomic():  # a savepoint: the error names this migration
                    migration.upgrade(ctx)
            except (peewee.DatabaseError, ValueError, RuntimeError) as exc:
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                raise MigrationFailed(migration, reason, state.current) from exc
            history.record(migration.number, migration.name, "; ".join(ctx.notes))
            log.info("migration %s applied", migration.label)
        return state, list(state.pending)
