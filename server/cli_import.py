"""``verbund import users|organisations|services FILE [--dry-run]`` and ``init --services``.

The imports themselves are services (server/services/imports/); this is only the command.
Every bad line is printed as ``file:line: message`` and the command exits with 1 without
having changed anything.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from .models import User
from .runtime import Runtime
from .services.imports import (
    ImportProblems,
    ImportSummary,
    import_organisations,
    import_services,
    import_users,
    read_table,
)

KINDS = ("users", "organisations", "services")


def run_import(
    runtime: Runtime,
    kind: str,
    path: Path,
    dry_run: bool = False,
    as_user: str = "admin",
    workflow: str = "service_directory",
) -> ImportSummary:
    """Read ``path`` and import it; raises ImportProblems (also for an unknown ``--as``)."""
    actor = User.get_or_none(User.username == as_user.strip().lower())
    if actor is None or not actor.active:
        raise ImportProblems([f"--as: den aktiven Benutzer „{as_user}“ gibt es nicht"])
    table = read_table(path, str(path))
    if kind == "organisations":
        return import_organisations(table, dry_run, actor)
    if kind == "users":
        roles = {role_id: role.label for role_id, role in runtime.definitions.roles.items()}
        return import_users(table, dry_run, actor, roles)
    return import_services(table, dry_run, actor, runtime.definitions, workflow)


def echo_result(summary: ImportSummary) -> None:
    if summary.dry_run:
        for change in summary.changes:
            click.echo(f"  {change}")
    click.echo(summary.text())


def fail(problems: list[str]) -> None:
    for problem in problems:
        click.echo(problem)
    click.echo(f"{len(problems)} Fehler; nichts importiert. Bitte die Datei korrigieren.", err=True)
    raise SystemExit(1)


def register(group: click.Group, make_runtime: Callable[[click.Context], Runtime]) -> None:
    """Add ``verbund import`` to the command group (the CLI's way to open the runtime)."""

    @group.command("import")
    @click.argument("kind", type=click.Choice(KINDS))
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="nur prüfen und zeigen, was sich änderte")
    @click.option(
        "--as",
        "as_user",
        default="admin",
        show_default=True,
        help="in wessen Namen importiert wird (Protokoll, Eigentümer neuer Angebote)",
    )
    @click.option(
        "--workflow",
        default="service_directory",
        show_default=True,
        help="der Ablauf des Angebotsverzeichnisses (nur für services)",
    )
    @click.pass_context
    def import_(
        ctx: click.Context, kind: str, file: Path, dry_run: bool, as_user: str, workflow: str
    ) -> None:
        """Personen, Organisationen oder Angebote aus einer .csv- oder .xlsx-Datei
        anlegen oder aktualisieren – alle Zeilen oder keine."""
        runtime = make_runtime(ctx)
        try:
            summary = run_import(runtime, kind, file, dry_run, as_user, workflow)
        except ImportProblems as exc:
            fail(exc.problems)
        echo_result(summary)
