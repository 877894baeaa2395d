"""Demo data for ``verbund init --demo``: the Kooperationsverbund, a person per role, and a
few months of work – services, barriers, about thirty cases in every phase, meetings with
decisions, Think-Tank proposals, cooperation agreements, case conferences, ABH and EBH.

Everything is made through the same services staff use (server/demo_tools.py), so every
demo record passed the forms' validation and the workflows' guards. Workflows a
configuration does not have are skipped, so the demo also loads into a trimmed
configuration.
"""

from __future__ import annotations

import datetime as dt

from .models import User, database
from .runtime import Runtime
from .services.accounts import create_user, get_or_create_organisation

DEMO_PASSWORD = "Verbund-Demo-2026"

ORGANISATIONS = [
    ("amt", "Amt für Migration und Integration"),
    ("awo", "AWO Düsseldorf"),
    ("caritas", "Caritasverband Düsseldorf"),
    ("diakonie", "Diakonie Düsseldorf"),
    ("drk", "DRK Kreisverband Düsseldorf"),
    ("jgd", "Jüdische Gemeinde Düsseldorf"),
    ("paritaet", "Der Paritätische Düsseldorf"),
]

# username, display name, roles, organisation
PEOPLE = [
    ("verwaltung", "Vera Verwaltung", ["admin"], "amt"),
    ("koordination", "Kim Koordination", ["coordination"], "amt"),
    ("sekretariat", "Sina Sekretariat", ["secretary"], "amt"),
    ("teamleitung", "Tarek Teamleitung", ["team_lead"], "amt"),
    ("teamleitung.caritas", "Tom Caritas", ["team_lead"], "caritas"),
    ("cm.amt", "Clara Amt", ["case_manager"], "amt"),
    ("cm.amt2", "Cem Amt", ["case_manager"], "amt"),
    ("cm.amt3", "Carla Amt", ["case_manager"], "amt"),
    ("cm.awo", "Anna AWO", ["case_manager"], "awo"),
    ("cm.caritas", "Carlos Caritas", ["case_manager"], "caritas"),
    ("cm.caritas2", "Cora Caritas", ["case_manager"], "caritas"),
    ("cm.diakonie", "Dana Diakonie", ["case_manager"], "diakonie"),
    ("cm.drk", "David DRK", ["case_manager"], "drk"),
    ("cm.jgd", "Jakob Gemeinde", ["case_manager"], "jgd"),
    ("cm.paritaet", "Paula Paritätischer", ["case_manager"], "paritaet"),
    ("abh", "Ayla Ausländerbehörde", ["abh_staff"], "amt"),
    ("ebh", "Emil Einbürgerung", ["ebh_staff"], "amt"),
    ("datenschutz", "Dora Datenschutz", ["dpo"], "amt"),
]


def demo_usernames() -> list[str]:
    return [p[0] for p in PEOPLE]


def demo_logins() -> list[str]:
    """Lines naming the demo logins present in the database (empty without demo data).

    Uses the open connection; call it inside one."""
    query = User.select(User.username).where(User.username.in_(demo_usernames()))
    present = {u.username for u in query}
    if not present:
        return []
    lines = [f"Demo-Zugänge (Passwort für alle: {DEMO_PASSWORD}):"]
    for username, name, roles, org in PEOPLE:
        if username in present:
            lines.append(f"  {username:<22} {name:<24} {', '.join(roles)} · {org}")
    return lines


def demo_banner(url: str) -> str:
    """What ``verbund serve`` prints: the address and, if demo data is loaded, the logins."""
    try:
        with database.connection_context():
            logins = demo_logins()
    except Exception:  # noqa: BLE001 - the banner must never stop the server
        logins = []
    lines = ["", f"Verbund läuft: {url}", "", *logins, *([""] if logins else [])]
    lines.append("Beenden mit Strg-C.")
    return "\n".join(lines)


def load_demo(runtime: Runtime) -> str:
    """Create the demo organisations, people and records (once); returns a summary."""
    from . import clock
    from .demo_cases import load_cases
    from .demo_directory import load_agreements, load_barriers, load_services
    from .demo_meetings import load_demo_meetings
    from .demo_system import (
        decide_proposals,
        load_baustein_3,
        load_case_conferences,
        start_proposals,
    )

    defs = runtime.definitions
    if User.select().where(User.username.in_(demo_usernames())).exists():
        return "Demo-Daten sind bereits geladen."
    orgs = {name: get_or_create_organisation(name, label) for name, label in ORGANISATIONS}
    users = {}
    for username, name, roles, org in PEOPLE:
        roles = [r for r in roles if r in defs.roles]
        users[username] = create_user(username, DEMO_PASSWORD, roles, orgs[org], name)
    today = clock.today()
    start = today - dt.timedelta(days=120)
    coordination, secretary = users["koordination"], users["sekretariat"]
    managers = [u for u in users.values() if "case_manager" in (u.roles or [])]

    count = 0
    services = load_services(defs, coordination, start)
    barriers = load_barriers(defs, coordination, start)
    count += len(services) + len(barriers)
    count += load_cases(defs, managers, services, barriers)
    proposals = start_proposals(defs, coordination, barriers, today)
    meetings = load_demo_meetings(defs, secretary, proposals)
    decide_proposals(defs, coordination, proposals, meetings, today)
    count += len(proposals) + len(meetings)
    count += load_agreements(defs, coordination, today)
    count += load_case_conferences(defs, managers, today) if managers else 0
    count += load_baustein_3(defs, users.get("abh"), users.get("ebh"), today)
    summary = (
        f"Demo-Daten geladen: {len(orgs)} Organisationen, {len(users)} Personen, "
        f"{count} Datensätze."
    )
    return "\n".join([summary, *demo_logins()])
