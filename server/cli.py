"""The ``verbund`` command: init, serve, worker, check, user …, token, import, backup, restore,
migrate."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import click
import peewee

from . import cli_backup, cli_import, cli_migrate
from .config import ConfigError, Settings, load_settings
from .models import User, database
from .models.migrations import SchemaOutdated
from .runtime import Runtime, start_runtime
from .services.errors import ServiceError

# Each command imports what only it needs inside its function: `verbund check` need not load
# gunicorn or the demo data, `verbund serve` not the template checker. The CLI is the top
# layer (docs/architecture.md), so these imports hide no cycle; lint-imports sees them.


def _settings(ctx: click.Context) -> Settings:
    try:
        return load_settings(ctx.obj.get("config"))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _runtime(ctx: click.Context) -> Runtime:
    """The process's runtime; an empty database is created, an outdated one refused (German
    message naming ``verbund migrate``, exit code 1) before anything else starts."""
    settings = _settings(ctx)
    try:
        runtime = start_runtime(settings)
    except SchemaOutdated as exc:
        raise click.ClickException(str(exc)) from None
    except peewee.OperationalError as exc:
        raise cli_migrate.unreachable(settings, exc) from None
    database.connect(reuse_if_open=True)
    return runtime


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False),
    help="config.toml (sonst VERBUND_CONFIG oder ./config.toml)",
)
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """Verbund – Formulare, Abläufe und Word-Dokumente aus TOML."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config


@main.command()
@click.option("--demo", is_flag=True, help="Beispieldaten (Organisationen, Personen, Fälle) laden")
@click.option(
    "--services",
    "services_file",
    type=click.Path(dir_okay=False),
    help="Angebotsverzeichnis aus .csv/.xlsx laden (z. B. data/kim-angebote.csv)",
)
@click.pass_context
def init(ctx: click.Context, demo: bool, services_file: str | None) -> None:
    """Datenbank anlegen und den Benutzer „admin“ erstellen."""
    from .services.accounts.people import create_user, get_or_create_organisation

    runtime = _runtime(ctx)
    if User.get_or_none(User.username == "admin") is None:
        password = os.environ.get("VERBUND_ADMIN_PASSWORD")
        printed = not password
        password = password or secrets.token_urlsafe(12)
        org = get_or_create_organisation("verwaltung", "Systemverwaltung")
        try:
            create_user("admin", password, ["admin"], org, "Administration")
        except ServiceError as exc:
            raise click.ClickException(_service_text(exc)) from None
        click.echo("Benutzer „admin“ angelegt.")
        if printed:
            click.echo(f"Passwort für „admin“ (wird nur jetzt angezeigt): {password}")
    else:
        click.echo("Die Datenbank ist bereits eingerichtet; „admin“ existiert.")
    if demo:
        from .demo import DemoError, load_demo

        try:
            created = load_demo(runtime)
        except DemoError as exc:
            raise click.ClickException(f"Demo-Daten nicht geladen:\n{exc}") from None
        click.echo(created)
    if services_file:
        try:
            summary = cli_import.run_import(runtime, "services", Path(services_file))
        except cli_import.ImportProblems as exc:
            cli_import.fail(exc.problems)
        cli_import.echo_result(summary)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
@click.option("--workers", default=2, type=int, show_default=True, help="Web-Prozesse")
@click.option(
    "--no-worker",
    is_flag=True,
    help="nur den Webserver starten (Worker laufen getrennt als „verbund worker“)",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int, no_worker: bool) -> None:
    """Webserver, Worker und (ohne externes Redis) den eingebetteten Redis starten."""
    from .demo import demo_banner
    from .serve import serve as run

    runtime = _runtime(ctx)
    database.close()
    url = f"http://{'localhost' if host in ('0.0.0.0', '127.0.0.1') else host}:{port}/"
    banner = demo_banner(url, runtime.settings)
    sys.exit(run(runtime.settings, host, port, workers, banner=banner, with_worker=not no_worker))


@main.command()
@click.option("--burst", is_flag=True, help="beenden, sobald die Warteschlange leer ist")
@click.option("--name", default=None, help="Name des Workers (Standard: zufällig, eindeutig)")
@click.pass_context
def worker(ctx: click.Context, burst: bool, name: str | None) -> None:
    """Dokument-Aufträge aus der Warteschlange abarbeiten (beliebig viele, auch auf
    mehreren Rechnern, mit demselben Redis)."""
    from .jobs.worker import run_worker

    runtime = _runtime(ctx)
    database.close()
    run_worker(
        runtime,
        burst=burst,
        worker_class=runtime.settings.section("queue").get("worker_class", "simple"),
        name=name,
    )


@main.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Formulare, Abläufe, Rollen und Vorlagen prüfen; jedes Problem als pfad:zeile: meldung."""
    from .documents.checking import check_revisions, check_templates
    from .documents.docx_check import template_limits
    from .services.configuration.report_check import report_check
    from .services.configuration.start_check import start_problems
    from .services.documents.templates import special_templates
    from .services.register.decisions import register_problems

    try:
        settings = load_settings(ctx.obj.get("config"))
    except ConfigError as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        click.echo(f"{len(exc.problems)} Fehler in {exc.path.name}.", err=True)
        sys.exit(1)
    runtime = Runtime(settings)
    defs, problems = runtime.load()
    special = special_templates(runtime.settings)
    settings = runtime.settings
    problems = list(problems) + list(
        check_templates(
            defs,
            settings.exports_dir,
            base_dir=settings.base_dir,
            special=special,
            workflows_dir=settings.workflows_dir,
            unpack_limits=template_limits(settings),
        )
    )
    # what renders is the current revision in the database: check those that differ from
    # the files (uploaded in the browser), if there is a database to look into
    problems += check_revisions(
        defs, _stored_revisions(runtime), special, template_limits(settings)
    )
    problems += register_problems(defs, settings)
    problems += start_problems(defs, settings)
    problems += report_check(defs, settings)
    for problem in problems:
        click.echo(str(problem))
    warnings = [p for p in problems if p.warning]
    errors = [p for p in problems if not p.warning] + _demo_problems(settings)
    if errors:
        click.echo(f"{len(errors)} Fehler, {len(warnings)} Warnung(en).", err=True)
        sys.exit(1)
    click.echo(
        f"In Ordnung: {len(defs.forms)} Formulare, {len(defs.workflows)} Abläufe, "
        f"{len(defs.roles)} Rollen."
    )


def _demo_problems(settings) -> list[str]:
    """Problems of the demo folder (printed here), if the installation has one."""
    from .demo import DemoError, read_demo_of

    if not settings.demo_dir.is_dir():
        return []
    try:
        read_demo_of(settings)
    except DemoError as exc:
        for problem in exc.problems:
            click.echo(problem)
        return exc.problems
    return []


def _stored_revisions(runtime: Runtime) -> dict[str, tuple[bytes, str]]:
    """Current template revisions that differ from the files in exports/ (empty when there
    is no database yet, or it cannot be reached)."""
    from .documents.store import current_revisions, sha256

    url = runtime.settings.database_url
    if url.startswith("sqlite:///") and not os.path.exists(url[len("sqlite:///") :]):
        return {}
    try:
        runtime.open_database()
        with database.connection_context():
            stored = current_revisions()
    except Exception:  # noqa: BLE001 - check works without a database, too
        return {}
    out = {}
    for name, (content, shown) in stored.items():
        file = runtime.settings.exports_dir / name
        if not file.is_file() or sha256(file.read_bytes()) != sha256(content):
            out[name] = (content, shown)
    return out


@main.group()
def user() -> None:
    """Benutzer verwalten."""


@user.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, help="Rolle (mehrfach möglich)")
@click.option("--org", required=True, help="Organisation (wird angelegt, wenn neu)")
@click.option("--display-name", default="", help="Angezeigter Name")
@click.option("--password-stdin", is_flag=True, help="Passwort von der Standardeingabe lesen")
@click.pass_context
def user_add(
    ctx: click.Context,
    name: str,
    roles: tuple[str, ...],
    org: str,
    display_name: str,
    password_stdin: bool,
) -> None:
    """Einen Benutzer anlegen."""
    from .services.accounts.people import create_user, get_or_create_organisation

    runtime = _runtime(ctx)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        printed = False
    else:
        password, printed = secrets.token_urlsafe(12), True
    try:
        with database.atomic():
            organisation = get_or_create_organisation(org)
            create_user(
                name,
                password,
                list(roles),
                organisation,
                display_name,
                known_roles=set(runtime.definitions.roles),
            )
    except ServiceError as exc:
        raise click.ClickException(_service_text(exc)) from None
    click.echo(f"Benutzer „{name.strip().lower()}“ angelegt ({', '.join(roles)}, {org}).")
    if printed:
        click.echo(f"Passwort (wird nur jetzt angezeigt): {password}")


@user.command("grant")
@click.argument("name")
@click.argument("role")
@click.pass_context
def user_grant(ctx: click.Context, name: str, role: str) -> None:
    """Dem Benutzer NAME die Rolle ROLE sofort geben (auch Datenschutz-Rollen; protokolliert)."""
    from .services.accounts.role_grants import grant_from_command_line

    runtime = _runtime(ctx)
    try:
        account = grant_from_command_line(name, role, set(runtime.definitions.roles))
    except ServiceError as exc:
        raise click.ClickException(_service_text(exc)) from None
    click.echo(f"„{account.username}“ hat jetzt die Rollen: {', '.join(account.roles)}.")


@user.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Passwort von der Standardeingabe lesen")
@click.pass_context
def user_password(ctx: click.Context, name: str, password_stdin: bool) -> None:
    """Ein neues Passwort für NAME setzen (auch für Datenschutz-Rollen) und ihn abmelden."""
    from .services.accounts.people import set_password

    _runtime(ctx)
    if password_stdin:
        password, printed = sys.stdin.readline().rstrip("\r\n"), False
    else:
        password, printed = secrets.token_urlsafe(12), True
    try:
        account = set_password(name, password)
    except ServiceError as exc:
        raise click.ClickException(_service_text(exc)) from None
    click.echo(f"Passwort von „{account.username}“ gesetzt; alle Sitzungen beendet.")
    if printed:
        click.echo(f"Passwort (wird nur jetzt angezeigt): {password}")


@user.command("deactivate")
@click.argument("name")
@click.pass_context
def user_deactivate(ctx: click.Context, name: str) -> None:
    """Den Benutzer NAME deaktivieren: abmelden, API-Tokens widerrufen (nie den letzten Admin)."""
    from .services.accounts.management import deactivate

    _runtime(ctx)
    try:
        change = deactivate(name)
    except ServiceError as exc:
        raise click.ClickException(_service_text(exc)) from None
    if not change.changed:
        click.echo(f"„{name.strip().lower()}“ war bereits deaktiviert.")
        return
    click.echo(
        f"„{name.strip().lower()}“ deaktiviert; {change.sessions_ended} Sitzung(en) beendet, "
        f"{change.tokens_revoked} API-Token(s) widerrufen."
    )


@user.command("reset-2fa")
@click.argument("name")
@click.pass_context
def user_reset_second_factor(ctx: click.Context, name: str) -> None:
    """Den zweiten Faktor des Benutzers NAME entfernen (Gerät verloren) und ihn abmelden."""
    from .services.accounts.people import end_all_sessions
    from .services.accounts.second_factor import remove

    _runtime(ctx)
    account = User.get_or_none(User.username == name.strip().lower())
    if account is None:
        raise click.ClickException(f"Den Benutzer „{name}“ gibt es nicht.")
    if not remove(account):
        raise click.ClickException(f"„{name}“ hat keinen zweiten Faktor eingerichtet.")
    end_all_sessions(account)
    click.echo(f"Zweiter Faktor von „{account.username}“ entfernt; alle Sitzungen beendet.")


@main.command()
@click.argument("name")
@click.option("--label", default="", help="wofür der Token ist")
@click.pass_context
def token(ctx: click.Context, name: str, label: str) -> None:
    """Einen API-Token für den Benutzer NAME ausgeben."""
    from .services.accounts.people import issue_token

    _runtime(ctx)
    account = User.get_or_none(User.username == name.strip().lower())
    if account is None:
        raise click.ClickException(f"Den Benutzer „{name}“ gibt es nicht.")
    if not account.active:
        raise click.ClickException(f"Der Benutzer „{name}“ ist deaktiviert.")
    click.echo(issue_token(account, label))


cli_import.register(main, _runtime)
cli_backup.register(main, _settings, _runtime)
cli_migrate.register(main, _settings)


def _service_text(exc: ServiceError) -> str:
    if isinstance(exc.errors, dict):
        return "; ".join(m for messages in exc.errors.values() for m in messages)
    return exc.message


if __name__ == "__main__":
    main()
