"""``verbund backup FILE``, ``verbund restore FILE`` and ``verbund backup-key``.

The work is done by :mod:`server.services.backup`; this is only the command. Every failure
ends with a German message and exit code 1, never a traceback.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import click
import peewee

from .cli_migrate import applied_text, migrate_database
from .config import Settings
from .german import zahl
from .runtime import Runtime, start_runtime
from .services.backup import (
    KEY_VARIABLE,
    BackupError,
    BackupSummary,
    make_backup,
    new_key,
    note_backup,
    note_restore,
    restore,
)


def _key() -> str | None:
    return os.environ.get(KEY_VARIABLE) or None


def _audited(note: Callable[[BackupSummary], None], summary: BackupSummary, done: str) -> None:
    """Write the audit entry; if the database refuses, say what was done and what is missing."""
    try:
        note(summary)
    except peewee.DatabaseError as exc:
        raise click.ClickException(
            f"{done}, aber der Protokolleintrag konnte nicht geschrieben werden "
            f"({type(exc).__name__}). Bitte den Befehl wiederholen oder den Vorgang "
            "von Hand dokumentieren."
        ) from None


def register(
    main: click.Group,
    settings_of: Callable[[click.Context], Settings],
    runtime_of: Callable[[click.Context], Runtime],
) -> None:
    """Add the backup commands to the ``verbund`` group."""

    @main.command()
    @click.argument("file", type=click.Path(dir_okay=False))
    @click.option(
        "--unencrypted",
        is_flag=True,
        help=f"ohne Verschlüsselung sichern (sonst ist {KEY_VARIABLE} nötig)",
    )
    @click.pass_context
    def backup(ctx: click.Context, file: str, unencrypted: bool) -> None:
        """Eine konsistente Sicherung nach FILE schreiben, auch während der Server läuft."""
        started = time.monotonic()
        try:
            summary = make_backup(settings_of(ctx), Path(file), _key(), unencrypted)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None
        seconds = time.monotonic() - started
        # the database, for the audit entry: also one that still awaits `verbund migrate`
        # (the backup before an upgrade is the one that matters most)
        start_runtime(settings_of(ctx), schema_check=False)
        _audited(note_backup, summary, "Die Sicherung ist geschrieben")
        click.echo(summary.describe("geschrieben") + f" Dauer: {zahl(seconds, 1)} s.")

    @main.command("restore")
    @click.argument("file", type=click.Path(dir_okay=False))
    @click.pass_context
    def restore_command(ctx: click.Context, file: str) -> None:
        """Die Sicherung FILE in diese (leere) Installation zurückspielen; Server vorher
        anhalten."""
        try:
            summary = restore(settings_of(ctx), Path(file), _key())
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(summary.describe("wiederhergestellt"))
        # a backup of an older version is brought to this version's schema right away: the
        # backup it came from is at hand, and the server refuses an outdated database
        _state, applied = migrate_database(settings_of(ctx))
        if applied:
            click.echo(applied_text(applied))
        runtime_of(ctx)  # the restored database, for the audit entry
        _audited(note_restore, summary, "Die Sicherung ist wiederhergestellt")

    @main.command("backup-key")
    def backup_key() -> None:
        """Einen neuen Schlüssel für VERBUND_BACKUP_KEY ausgeben."""
        click.echo(new_key())
