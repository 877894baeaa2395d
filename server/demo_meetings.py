"""Demo meetings for ``verbund init --demo``: Lenkungskreis and Think Tank, with decisions.

Made through the same services the Gremien-Geschäftsführung uses, so every meeting passed the
form's validation and the workflow's guards, and the decision register has something to show.
"""

from __future__ import annotations

import datetime as dt

from .models import User
from .schema.definitions import Definitions
from .services.records import apply_transition, create_record, save_form


def _agenda(today: dt.date) -> list[dict]:
    return [
        {
            "no": "1",
            "topic": "Genehmigung des Protokolls der letzten Sitzung",
            "decision": "Das Protokoll wird ohne Änderungen genehmigt.",
        },
        {
            "no": "2",
            "topic": "Pool der Sprach- und Kulturmittler*innen",
            "presenter": "Think Tank AG Zugang",
            "discussion": "Wartezeiten auf Sprachmittlung verzögern Termine bei Jobcenter und "
            "Ausländerbehörde.\nDie AG schlägt vor, den Pool um weitere Sprachen zu erweitern.",
            "decision": "Der Lenkungskreis stimmt der Erweiterung des Pools zu.",
            "measure": "Ausschreibung für zusätzliche Sprachmittler*innen vorbereiten",
            "owner": "Amt für Migration und Integration",
            "due": (today - dt.timedelta(days=14)).isoformat(),
            "indicator": "Wartezeit auf Sprachmittlung unter 10 Arbeitstagen",
            "status": "in_arbeit",
            "escalation": True,
        },
        {
            "no": "3",
            "topic": "Schnittstelle Jobcenter – Case Management",
            "decision": "Eine Kooperationsvereinbarung wird erarbeitet.",
            "measure": "Entwurf der Kooperationsvereinbarung vorlegen",
            "owner": "KIM-Koordination",
            "due": (today + dt.timedelta(days=45)).isoformat(),
            "indicator": "Vereinbarung unterzeichnet",
            "status": "offen",
        },
        {"no": "4", "topic": "Verschiedenes"},
    ]


def load_demo_meetings(defs: Definitions, secretary: User) -> int:
    """Create three meetings (approved, minutes in progress, planned); returns how many."""
    if "meeting" not in defs.workflows or "meeting" not in defs.forms:
        return 0
    today = dt.date.today()
    people = [
        {
            "name": "Dezernentin für Integration",
            "institution": "Stadt Düsseldorf",
            "function": "Vorsitz",
            "presence": "anwesend",
        },
        {
            "name": "Leitung Amt für Migration und Integration",
            "institution": "Stadt Düsseldorf",
            "presence": "anwesend",
        },
        {
            "name": "Sprecher*in liga wohlfahrt",
            "institution": "liga wohlfahrt düsseldorf",
            "presence": "vertreten",
            "note": "vertreten durch die Caritas",
        },
        {"name": "Jobcenter Düsseldorf", "institution": "Jobcenter", "presence": "anwesend"},
        {
            "name": "Agentur für Arbeit",
            "institution": "Agentur für Arbeit",
            "presence": "entschuldigt",
        },
    ]
    meetings = [
        ("lenkungskreis", "1. Sitzung", -60, "approved", _agenda(today)),
        (
            "think_tank",
            "AG Zugang zum Arbeitsmarkt, 2. Treffen",
            -7,
            "held",
            [
                {
                    "no": "1",
                    "topic": "Anerkennung ausländischer Abschlüsse",
                    "discussion": "Lange Wege zwischen Beratung und Anerkennungsstelle.",
                    "measure": "Leitfaden für Case Manager*innen zur Anerkennungsberatung",
                    "owner": "IQ Netzwerk",
                    "due": (today + dt.timedelta(days=30)).isoformat(),
                    "indicator": "Leitfaden liegt vor",
                    "status": "offen",
                },
            ],
        ),
        (
            "lenkungskreis",
            "2. Sitzung",
            30,
            "planned",
            [
                {"no": "1", "topic": "Genehmigung des Protokolls"},
                {"no": "2", "topic": "Bericht der KIM-Koordination zu Barrieren"},
            ],
        ),
    ]
    for committee, title, days, target, agenda in meetings:
        record = create_record(defs, secretary, "meeting")
        data = {
            "committee": committee,
            "title": title,
            "date": (today + dt.timedelta(days=days)).isoformat(),
            "start_time": "14:00",
            "end_time": "16:00",
            "place": "Rathaus, Marktplatz 2, Düsseldorf",
            "chair": "Dezernentin für Integration",
            "minute_taker": "Sina Sekretariat",
            "attendance": people,
            "agenda": agenda,
        }
        if committee == "think_tank":
            data["working_group"] = "Zugang zum Arbeitsmarkt"
        record = save_form(defs, secretary, record.id, "meeting", data, record.version)
        for step in {"planned": [], "held": ["held"], "approved": ["held", "approved"]}[target]:
            record = apply_transition(defs, secretary, record.id, step, record.version)
    return len(meetings)
