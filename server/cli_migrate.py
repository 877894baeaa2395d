"""``verbund migrate``: bring the database to this version's schema.

``--check`` and ``--dry-run`` list what is pending and change nothing (``--check`` ends with
exit code 1 when something is pending, for scripts and monitoring). Without them every
pending migration runs in one transaction: all are applied, or none
(:mod:`server.models.migrations`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import click
import peewee

from .config import Settings
from .german import local_time
from .models import MODELS, database
from .models.migrations import (
    MIGRATIONS,
    Migration,
    MigrationFailed,
    SchemaState,
    apply_pending,
    newer_text,
    pending_text,
    read_state,
)
from .runtime import start_runtime


def describe_database(url: str) -> str:
    """Which database, without the password."""
    if url.startswith("sqlite:///"):
        return f"SQLite {url[len('sqlite:///') :]}"
    rest = url.split("://", 1)[-1]
    return f"PostgreSQL {rest.rsplit('@', 1)[-1]}"


def unreachable(settings: Settings, exc: peewee.OperationalError) -> click.ClickException:
    """The German message for a database that does not answer (no traceback, no password)."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    where = describe_database(settings.database_url)
    return click.ClickException(f"Keine Verbindung zur Datenbank ({where}): {first}")


def _stand(state: SchemaState) -> str:
    if state.kind == "empty":
        return "leer (neue Installation)"
    if state.kind == "unversioned":
        return "Verbund-Version vor den versionierten Migrationen"
    row = state.applied[state.current]
    return f"Migration {row.version:04d}, angewendet am {local_time(row.applied_at)}"


def migrate_database(settings: Settings) -> tuple[SchemaState, list[Migration]]:
    """Apply every pending migration to the database of ``settings`` (for ``migrate`` and
    ``restore``); raises :class:`click.ClickException` with a German message on failure."""
    start_runtime(settings, schema_check=False)
    try:
        with database.connection_context():
            state = read_state(MODELS)
            if state.unknown:
                raise click.ClickException(newer_text(state))
            return apply_pending(MODELS)
    except MigrationFailed as exc:
        raise click.ClickException(str(exc)) from None
    except peewee.OperationalError as exc:
        raise unreachable(settings, exc) from None


def applied_text(applied: list[Migration]) -> str:
    if not applied:
        return "Die Datenbank ist auf dem neuesten Stand; keine Migration nötig."
    last = max(m.number for m in applied)
    return (
        f"{len(applied)} Migration(en) angewendet:\n"
        + "\n".join(f"  {m.label}" for m in applied)
        + f"\nDie Datenbank ist jetzt auf Stand {last:04d}."
    )


def register(main: click.Group, settings_of: Callable[[click.Context], Settings]) -> None:
    """Add ``verbund migrate`` to the ``verbund`` group."""

    @main.command()
    @click.option(
        "--check",
        is_flag=True,
        help="ausstehende Migrationen auflisten, nichts ändern; Rückgabewert 1, wenn welche "
        "ausstehen",
    )
    @click.option(
        "--dry-run", is_flag=True, help="ausstehende Migrationen auflisten, nichts ändern"
    )
    @click.pass_context
    def migrate(ctx: click.Context, check: bool, dry_run: bool) -> None:
        """Die Datenbank auf den Stand dieser Version bringen (vorher „verbund backup“)."""
        settings = settings_of(ctx)
        click.echo(f"Datenbank: {describe_database(settings.database_url)}")
        if check or dry_run:
            start_runtime(settings, schema_check=False)
            try:
                with database.connection_context():
                    state = read_state(MODELS)
            except peewee.OperationalError as exc:
                raise unreachable(settings, exc) from None
            click.echo(f"Stand: {_stand(state)}")
            if state.unknown:
                click.echo(newer_text(state))
            if not state.pending:
                click.echo(
                    f"Keine Migration ausstehend (neueste dieser Version: "
                    f"{MIGRATIONS[-1].number:04d})."
                )
                return
            click.echo(pending_text(state))
            click.echo("Nichts geändert. Anwenden mit „verbund migrate“.")
            if check:
                sys.exit(1)
            return
        _state, applied = migrate_database(settings)
        click.echo(applied_text(applied))
