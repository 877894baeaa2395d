"""Demo data for ``verbund init --demo``: the Kooperationsverbund, a person per role, cases.

Cases are filled in and moved on through the same services staff use, so every demo record
passed the forms' validation and the workflow's guards.
"""

from __future__ import annotations

import datetime as dt
import random

from .models import Record, User, database
from .runtime import Runtime
from .services.accounts import create_user, get_or_create_organisation
from .services.records import apply_transition, create_record, save_form

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
    ("koordination", "Kim Koordination", ["coordination"], "amt"),
    ("verwaltung", "Vera Verwaltung", ["admin"], "amt"),
    ("teamleitung", "Tarek Teamleitung", ["team_lead"], "amt"),
    ("cm.amt", "Clara Amt", ["case_manager"], "amt"),
    ("cm.amt2", "Cem Amt", ["case_manager"], "amt"),
    ("cm.awo", "Anna AWO", ["case_manager"], "awo"),
    ("cm.caritas", "Carlos Caritas", ["case_manager"], "caritas"),
    ("cm.diakonie", "Dana Diakonie", ["case_manager"], "diakonie"),
    ("teamleitung.caritas", "Tom Caritas", ["team_lead"], "caritas"),
    ("abh", "Ayla Ausländerbehörde", ["abh_staff"], "amt"),
    ("ebh", "Emil Einbürgerung", ["ebh_staff"], "amt"),
    ("sekretariat", "Sina Sekretariat", ["secretary"], "amt"),
]

NAMES = [
    "A. Haddad",
    "M. Kovalenko",
    "S. Rahimi",
    "F. Okafor",
    "L. Petrova",
    "J. Alvarez",
    "R. Nasser",
    "T. Bekele",
    "N. Yilmaz",
    "O. Horvath",
    "D. Mensah",
    "I. Sarkisian",
]
SERVICES = [
    ("Pool Sprach- und Kulturmittler*innen", "Amt für Migration und Integration", "sprache"),
    ("Niederschwellige Sprachkurse", "Träger im Stadtgebiet", "sprache"),
    ("Atrium – Anlaufstelle bei Traumatisierung", "Gesundheitsamt und LVR", "gesundheit"),
    ("Migrationsberatung für Erwachsene (MBE)", "Wohlfahrtsverbände", "migrationsberatung"),
    ("Jugendmigrationsdienst (JMD)", "Wohlfahrtsverbände", "migrationsberatung"),
    ("IQ Netzwerk – Anerkennungsberatung", "IQ Netzwerk NRW", "arbeit"),
    ("Schuldnerberatung", "Wohlfahrtsverbände", "finanzen"),
    ("Frauenberatungsstelle", "Frauenberatungsstelle Düsseldorf", "frauen"),
]
PHASES = ["intake", "assessment", "goals", "planning", "monitoring", "evaluation", "closed"]


def demo_usernames() -> list[str]:
    return [p[0] for p in PEOPLE]


def demo_banner(url: str) -> str:
    """What ``verbund serve`` prints: the address and, if demo data is loaded, the logins."""
    lines = ["", f"Verbund läuft: {url}", ""]
    try:
        with database.connection_context():
            present = {
                u.username: u for u in User.select().where(User.username.in_(demo_usernames()))
            }
    except Exception:  # noqa: BLE001 - the banner must never stop the server
        present = {}
    if present:
        lines.append(f"Demo-Zugänge (Passwort für alle: {DEMO_PASSWORD}):")
        for username, name, roles, org in PEOPLE:
            if username in present:
                lines.append(f"  {username:<22} {name:<24} {', '.join(roles)} · {org}")
        lines.append("")
    lines.append("Beenden mit Strg-C.")
    return "\n".join(lines)


def load_demo(runtime: Runtime) -> str:
    """Create the demo organisations, people and records (once); returns a summary."""
    defs = runtime.definitions
    if User.select().where(User.username.in_(demo_usernames())).exists():
        return "Demo-Daten sind bereits geladen."
    orgs = {name: get_or_create_organisation(name, label) for name, label in ORGANISATIONS}
    users = {}
    for username, name, roles, org in PEOPLE:
        roles = [r for r in roles if r in defs.roles]
        users[username] = create_user(username, DEMO_PASSWORD, roles, orgs[org], name)
    count = 0
    if "service_directory" in defs.workflows and "service" in defs.forms:
        for name, provider, category in SERVICES:
            record = create_record(defs, users["koordination"], "service_directory")
            save_form(
                defs,
                users["koordination"],
                record.id,
                "service",
                {"name": name, "provider": provider, "category": category},
                record.version,
            )
            count += 1
    if "case_management" in defs.workflows:
        rng = random.Random(2026)
        managers = [u for u in users.values() if "case_manager" in (u.roles or [])]
        for i, name in enumerate(NAMES):
            target = PHASES[i % len(PHASES)]
            _demo_case(defs, managers[i % len(managers)], name, target, rng)
            count += 1
    if "sekretariat" in users:
        from .demo_meetings import load_demo_meetings

        count += load_demo_meetings(defs, users["sekretariat"])
    return (
        f"Demo-Daten geladen: {len(orgs)} Organisationen, {len(users)} Personen, "
        f"{count} Datensätze. Passwort aller Demo-Zugänge: {DEMO_PASSWORD}"
    )


def _demo_case(defs, user: User, name: str, target: str, rng: random.Random) -> Record:
    today = dt.date.today()
    record = create_record(defs, user, "case_management")

    def save(form_id: str, data: dict) -> None:
        nonlocal record
        record = save_form(defs, user, record.id, form_id, data, record.version)

    def move(to: str) -> None:
        nonlocal record
        record = apply_transition(defs, user, record.id, to, record.version)

    save(
        "intake",
        {
            "name": name,
            "birth_year": rng.randint(1965, 2005),
            "consent": True,
            "consent_date": (today - dt.timedelta(days=rng.randint(10, 200))).isoformat(),
            "access_channel": rng.choice(
                ["welcome_point", "aufsuchend", "verweisung", "selbstmelder"]
            ),
            "district": f"sb{rng.randint(1, 10):02d}",
            "target_group": rng.choice(
                ["neuzugewandert", "laenger_hier", "duldung_18_27", "teilhabemanagement"]
            ),
            "residence_status": rng.choice(["aufenthaltserlaubnis", "duldung", "gestattung", "eu"]),
            "languages": rng.sample(["ar", "fa", "uk", "ru", "tr", "en"], 2),
            "agencies": [
                {"agency": "Jobcenter Düsseldorf", "topic": "Leistungen SGB II"},
                {"agency": "Ausländerbehörde", "topic": "Aufenthalt"},
            ],
        },
    )
    from .privacy.consent import record_consent

    given = record.data["intake"].get("consent_date") or today.isoformat()
    record_consent(defs, user, record.id, "fallarbeit", given)
    record = Record.get_by_id(record.id)
    steps = {
        "assessment": (
            "assessment",
            {
                "life_areas": [
                    {
                        "area": "sprache",
                        "problems": "Deutschkenntnisse A1",
                        "resources": "motiviert",
                    },
                    {"area": "wohnen", "problems": "Wohnungssuche", "resources": "Familie vor Ort"},
                ]
            },
        ),
        "goals": (
            "goals",
            {"goals": [{"goal": "Sprachkurs B1 beginnen", "indicator": "Anmeldung liegt vor"}]},
        ),
        "planning": (
            "planning",
            {
                "measures": [
                    {
                        "measure": "Anmeldung Integrationskurs",
                        "service": "Niederschwellige Sprachkurse",
                    }
                ]
            },
        ),
        "monitoring": ("monitoring", {"referral_status": "vermittelt"}),
        "evaluation": (
            "evaluation",
            {
                "goal_attainment": "erreicht",
                "closing_reason": "ziele_erreicht",
                "closing_date": today.isoformat(),
            },
        ),
    }
    for phase in PHASES[1:]:
        if PHASES.index(phase) > PHASES.index(target):
            break
        previous = PHASES[PHASES.index(phase) - 1]
        if previous in steps:
            form_id, data = steps[previous]
            save(form_id, data)
        move(phase)
    return record
