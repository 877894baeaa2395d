"""Thirty demo cases of the KIM case management, spread over every phase and every end.

Each case starts some weeks ago and moves on about every twelve days, so the histories,
deadlines (some overdue) and the team overview look like real work. About half the cases
record barriers; the categories are chosen so that the coordination's start page shows some
counts and suppresses the small ones (fewer than five).
"""

from __future__ import annotations

import datetime as dt
import random

from .demo_tools import RecordMaker, clock_at
from .models import User
from .privacy.consent import record_consent, withdraw_consent
from .schema.definitions import Definitions

PHASES = ["intake", "assessment", "goals", "planning", "monitoring", "evaluation", "closed"]
TARGETS = (
    ["intake"] * 5
    + ["assessment"] * 4
    + ["goals"] * 3
    + ["planning"] * 3
    + ["monitoring"] * 6
    + ["evaluation"] * 3
    + ["closed"] * 4
    + ["not_admitted", "withdrawn"]
)
SURNAMES = (
    "Haddad Kovalenko Rahimi Okafor Petrova Alvarez Nasser Bekele Yilmaz Horvath Mensah "
    "Sarkisian Popescu Ahmadi Ivanova Diallo Hosseini Kaya Tesfaye Morina Abdi Nowak Sahin "
    "Qasemi Bondarenko Osei Mahmoud Georgiev Rezai Tadesse"
).split()
AGENCIES = [
    ("Jobcenter Düsseldorf", "Leistungen SGB II"),
    ("Ausländerbehörde", "Aufenthalt"),
    ("Jugendamt", "Kinderbetreuung"),
    ("Schule", "Schulplatz der Kinder"),
    ("Agentur für Arbeit", "Ausbildung"),
    ("Wohnungsamt", "Wohnberechtigungsschein"),
    ("Sozialamt", "Leistungen AsylbLG"),
]
LIFE_AREAS = [
    ("sprache", "Deutschkenntnisse A1, kein Kursplatz", "lernt mit einer App, sehr motiviert"),
    ("wohnen", "Gemeinschaftsunterkunft, sucht Wohnung", "Familie in Düsseldorf hilft"),
    ("arbeit", "Berufsabschluss nicht anerkannt", "Berufserfahrung als Elektriker"),
    ("aufenthalt", "Duldung läuft in drei Monaten ab", "Ausbildungsplatz in Aussicht"),
    ("gesundheit", "Schlafstörungen", "nimmt ärztliche Hilfe an"),
    ("finanzen", "Mietschulden", "regelmäßiges Einkommen"),
]
GOALS = [
    ("sprache", "Integrationskurs B1 beginnen", "Anmeldung liegt vor", 60),
    ("wohnen", "Eigene Wohnung finden", "Mietvertrag unterschrieben", 180),
    ("arbeit", "Anerkennung des Berufsabschlusses beantragen", "Antrag gestellt", 90),
    ("aufenthalt", "Bleibeperspektive klären", "Beratung in der ABH hat stattgefunden", 45),
]
MEASURES = [
    ("Anmeldung zum Sprachkurs", "sprachkurse", "Case Management"),
    ("Erstberatung zur Anerkennung", "iq", "IQ Netzwerk"),
    ("Schuldnerberatung vermitteln", "schulden", "Case Management"),
    ("Sprachmittlung für den Termin beim Jobcenter", "sprachmittlung", "Case Management"),
    ("Termin im Atrium", "atrium", "Ratsuchende*r"),
]
# (category, institution, description, key of the barrier register or "")
BARRIERS = [
    ("sprache", "Jobcenter", "Termin ohne Sprachmittlung, Bescheid nicht verstanden",
     "sprachmittlung"),
    ("wartezeit", "Ausländerbehörde", "Wartezeit auf einen Termin über drei Monate", "termine"),
    ("zustaendigkeit", "Jobcenter / Sozialamt", "Leistungen beim Rechtskreiswechsel unterbrochen",
     "schnittstelle_jc"),
    ("sprache", "Wohnungsamt", "Formulare nur auf Deutsch", "sprachmittlung"),
    ("wartezeit", "Ausländerbehörde", "Fiktionsbescheinigung ausgelaufen, Arbeitgeber zögert",
     "termine"),
    ("digital", "Bürgerbüro", "Online-Terminbuchung ohne Hilfe nicht möglich", "online"),
    ("information", "Familienkasse", "Kindergeldanspruch nicht bekannt", ""),
]  # fmt: skip
# barrier indexes per case number (cases without an entry record none)
CASE_BARRIERS = {
    1: [0], 3: [1], 6: [0, 2], 8: [3], 9: [1, 5], 11: [2], 12: [0], 14: [4], 15: [2, 6],
    17: [3, 1], 19: [0, 5], 20: [4], 22: [2], 23: [6], 24: [1, 3], 26: [5], 27: [0, 2],
}  # fmt: skip


def load_cases(
    defs: Definitions, managers: list[User], services: dict[str, int], barriers: dict[str, int]
) -> int:
    """Create the demo cases; returns how many."""
    if "case_management" not in defs.workflows:
        return 0
    from . import clock

    today = clock.today()
    rng = random.Random(2026)
    for number, target in enumerate(TARGETS):
        name = f"{'ABCDEFGHIJKLMNOPRSTZ'[number % 20]}. {SURNAMES[number]}"
        depth = PHASES.index(target) if target in PHASES else (0 if target == "not_admitted" else 1)
        start = today - dt.timedelta(days=depth * 12 + rng.randint(3, 20))
        _case(
            defs,
            managers[number % len(managers)],
            name,
            target,
            start,
            rng,
            services,
            [BARRIERS[i] for i in CASE_BARRIERS.get(number, [])],
            barriers,
        )
    return len(TARGETS)


def _intake(name: str, rng: random.Random, start: dt.date, agencies: int) -> dict:
    languages = rng.sample(["ar", "fa", "uk", "ru", "tr", "ti", "en", "ps"], 2)
    channel = rng.choice(["welcome_point", "aufsuchend", "verweisung", "selbstmelder"])
    data = {
        "name": name,
        "birth_year": rng.randint(1965, 2006),
        "residence_status": rng.choice(
            ["aufenthaltserlaubnis", "duldung", "gestattung", "schutz_24", "niederlassung"]
        ),
        "languages": languages,
        "interpreter_needed": languages[0] in ("ar", "fa", "ti", "ps"),
        "consent": True,
        "consent_date": start.isoformat(),
        "access_channel": channel,
        "district": f"sb{rng.randint(1, 10):02d}",
        "target_group": rng.choice(
            [
                "neuzugewandert",
                "neuzugewandert",
                "laenger_hier",
                "duldung_18_27",
                "teilhabemanagement",
            ]
        ),
        "agencies": [{"agency": a, "topic": t} for a, t in rng.sample(AGENCIES, agencies)],
    }
    if data["interpreter_needed"]:
        data["interpreter_language"] = languages[0]
    if channel == "verweisung":
        data["referred_by"] = rng.choice(["Jobcenter", "Schule", "Welcome Point Garath"])
    return data


def _case(defs, user, name, target, start, rng, services, barriers, register) -> None:
    case = RecordMaker(defs, user, "case_management", start)
    case.save(
        "intake",
        _intake(name, rng, start, 1 if target == "not_admitted" else rng.choice([2, 2, 3])),
    )
    if target == "not_admitted":
        intake = dict(case.record.data["intake"], not_admitted_reason="anderes_fallmanagement")
        case.on(start + dt.timedelta(days=6)).save("intake", intake).move("not_admitted")
        return
    with clock_at(start, 12):
        record_consent(defs, user, case.id, "fallarbeit", start)
    case.reload()
    if barriers:
        entries = [
            {
                "category": category,
                "institution": institution,
                "description": description,
                "known_barrier": register.get(key),
                "system_level": True,
            }
            for category, institution, description, key in barriers
        ]
        case.save("barriers", {"entries": entries})
    day = start

    def step() -> RecordMaker:
        nonlocal day
        day = case.on(day + dt.timedelta(days=12)).day  # never after today
        return case

    if target == "intake":
        return
    step().move("assessment")
    areas = rng.sample(LIFE_AREAS, rng.choice([2, 3]))
    case.save(
        "assessment",
        {
            "assessment_date": day.isoformat(),
            "life_areas": [{"area": a, "problems": p, "resources": r} for a, p, r in areas],
            "summary": "Mehrere Stellen sind beteiligt; Sprache ist der Schlüssel.",
        },
    )
    if target == "withdrawn":
        with clock_at(day, 12):
            withdraw_consent(defs, user, case.id, "fallarbeit", day)
        case.reload().move("withdrawn")
        return
    if target == "assessment":
        return
    step().move("goals")
    goals = rng.sample(GOALS, rng.choice([1, 2, 3]))
    case.save(
        "goals",
        {
            "agreed_on": day.isoformat(),
            "goals": [
                {"area": a, "goal": g, "indicator": i,
                 "target_date": (day + dt.timedelta(days=d)).isoformat()}
                for a, g, i, d in goals
            ],
        },
    )  # fmt: skip
    if target == "goals":
        return
    step().move("planning")
    measures = rng.sample(MEASURES, rng.choice([1, 2, 3]))
    case.save(
        "planning",
        {
            "plan_date": day.isoformat(),
            "measures": [
                {
                    "measure": m,
                    "service": services.get(s),
                    "responsible": r,
                    "due": (day + dt.timedelta(days=21)).isoformat(),
                    "status": "vermittelt",
                }
                for m, s, r in measures
            ],
        },
    )
    if target == "planning":
        return
    step().move("monitoring")
    kinds = rng.sample(["telefon", "persoenlich", "begleitung", "schriftlich"], 3)
    contacts = [
        {"date": (day + dt.timedelta(days=k * 4)).isoformat(), "kind": kind, "notes": "Stand"}
        for k, kind in enumerate(kinds)
        if day + dt.timedelta(days=k * 4) <= case.day
    ]
    case.save(
        "monitoring",
        {
            "referral_status": rng.choice(["vermittelt", "in_anspruchnahme"]),
            "referrals": [
                {"service": services.get(s), "status": "in_anspruchnahme", "since": day.isoformat()}
                for _m, s, _r in measures
            ],
            "contacts": contacts,
            "next_contact": (day + dt.timedelta(days=14)).isoformat(),
        },
    )
    if target == "monitoring":
        return
    step().move("evaluation")
    evaluation = {
        "goal_attainment": rng.choice(["erreicht", "erreicht", "teilweise"]),
        "satisfaction": rng.choice(["sehr_zufrieden", "zufrieden", "zufrieden", "teils"]),
        "transfer_change": rng.choice(["verringert", "unveraendert", "kein_bezug"]),
        "summary": "Die vereinbarten Ziele wurden gemeinsam überprüft.",
    }
    if target == "closed":
        evaluation["closing_reason"] = rng.choice(["ziele_erreicht", "uebergabe"])
        evaluation["closing_date"] = case.day.isoformat()
    case.save("evaluation", evaluation)
    if target == "closed":
        case.move("closed")
