"""Demo data for ``verbund init --demo``, read from the demo folder next to config.toml.

The demo is data (``[paths] demo``, default ``demo/``): organisations, people with one
password, and records with the steps that made them (server/demo/files.py reads and checks
them, server/demo/run.py makes them through the services). The KIM demo in the repository's
``demo/`` is one such folder; another office ships its own without code.
"""

from __future__ import annotations

from ..config import Settings
from ..models import User, database, transaction
from ..runtime import Runtime
from ..services.accounts.people import create_user, get_or_create_organisation
from .files import Demo, DemoError, read_demo
from .run import RecordRunner

__all__ = [
    "Demo",
    "DemoError",
    "demo_banner",
    "demo_logins",
    "load_demo",
    "read_demo",
    "read_demo_of",
]


def read_demo_of(settings: Settings) -> Demo:
    """The checked demo folder of an installation; raises :class:`DemoError`."""
    return read_demo(settings.demo_dir, settings.relative(settings.demo_dir))


def demo_logins(demo: Demo) -> list[str]:
    """Lines naming the demo logins present in the database (empty without demo data).

    Uses the open connection; call it inside one."""
    usernames = [p.username for p in demo.people]
    query = User.select(User.username).where(User.username.in_(usernames))
    present = {u.username for u in query}
    if not present:
        return []
    lines = [f"Demo-Zugänge (Passwort für alle: {demo.password}):"]
    for person in demo.people:
        if person.username in present:
            roles = ", ".join(person.roles)
            lines.append(
                f"  {person.username:<22} {person.name:<24} {roles} · {person.organisation}"
            )
    return lines


def demo_banner(url: str, settings: Settings) -> str:
    """What ``verbund serve`` prints: the address and, if demo data is loaded, the logins."""
    try:
        demo = read_demo_of(settings)
        with database.connection_context():
            logins = demo_logins(demo)
    except Exception:  # noqa: BLE001 - the banner must never stop the server
        logins = []
    lines = ["", f"Verbund läuft: {url}", "", *logins, *([""] if logins else [])]
    lines.append("Beenden mit Strg-C.")
    return "\n".join(lines)


def load_demo(runtime: Runtime) -> str:
    """Create the demo organisations, people and records (once); returns a summary.

    Raises :class:`DemoError` (``path:line: message`` lines) for a broken demo folder; the
    folder is checked completely before anything is written, and a step the services refuse
    rolls the whole demo back, so it can be fixed and loaded again."""
    demo = read_demo_of(runtime.settings)
    defs = runtime.definitions
    usernames = [p.username for p in demo.people]
    if User.select().where(User.username.in_(usernames)).exists():
        return "Demo-Daten sind bereits geladen."
    with transaction():
        orgs = {name: get_or_create_organisation(name, label) for name, label in demo.organisations}
        users = {}
        for person in demo.people:
            roles = [r for r in person.roles if r in defs.roles]
            users[person.username] = create_user(
                person.username, demo.password, roles, orgs[person.organisation], person.name
            )
        count = RecordRunner(defs, users, runtime.settings).run(demo.records)
    summary = (
        f"Demo-Daten geladen: {len(orgs)} Organisationen, {len(users)} Personen, "
        f"{count} Datensätze."
    )
    return "\n".join([summary, *demo_logins(demo)])
