"""Demo meetings for ``verbund init --demo``: Lenkungskreis and Think Tank, with decisions.

Made through the same services the Gremien-Geschäftsführung uses, so every meeting passed the
form's validation and the workflow's guards, and the decision register has something to show:
an approved Lenkungskreis with decisions and measures (one overdue, one with financial
impact and the political bodies involved), Think-Tank minutes in progress, and two meetings
coming up.
"""

from __future__ import annotations

import datetime as dt

from .demo_tools import RecordMaker
from .models import User
from .schema.definitions import Definitions

PLACE = "Rathaus, Marktplatz 2, Düsseldorf"
CHAIRS = {"lenkungskreis": "Dezernentin für Integration", "think_tank": "KIM-Koordination"}
PEOPLE = [
    {"name": "Dezernentin für Integration", "institution": "Stadt Düsseldorf",
     "function": "Vorsitz", "presence": "anwesend"},
    {"name": "Leitung Amt für Migration und Integration", "institution": "Stadt Düsseldorf",
     "presence": "anwesend"},
    {"name": "Leitung Amt für Soziales und Jugend", "institution": "Stadt Düsseldorf",
     "presence": "anwesend"},
    {"name": "Sprecher*in liga wohlfahrt", "institution": "liga wohlfahrt düsseldorf",
     "presence": "vertreten", "note": "vertreten durch die Caritas"},
    {"name": "Industrie- und Handelskammer", "institution": "IHK Düsseldorf",
     "presence": "anwesend"},
    {"name": "Handwerkskammer", "institution": "HWK Düsseldorf", "presence": "entschuldigt"},
    {"name": "Jobcenter Düsseldorf", "institution": "Jobcenter", "presence": "anwesend"},
    {"name": "Agentur für Arbeit", "institution": "Agentur für Arbeit",
     "presence": "entschuldigt"},
]  # fmt: skip
THINK_TANK = [
    {"name": "KIM-Koordination", "institution": "Amt für Migration und Integration",
     "function": "Moderation", "presence": "anwesend"},
    {"name": "Case Management AWO", "institution": "AWO Düsseldorf", "presence": "anwesend"},
    {"name": "Case Management Amt", "institution": "Amt für Migration und Integration",
     "presence": "anwesend"},
    {"name": "IQ Netzwerk", "institution": "IQ Netzwerk NRW", "function": "Expertin",
     "presence": "gast"},
]  # fmt: skip


def _lenkungskreis_1(today: dt.date, proposals: dict[str, int]) -> list[dict]:
    return [
        {"no": "1", "topic": "Genehmigung des Protokolls der letzten Sitzung",
         "decision": "Das Protokoll wird ohne Änderungen genehmigt."},
        {"no": "2", "topic": "Erweiterung des Pools der Sprach- und Kulturmittler*innen",
         "proposal": proposals.get("pool"), "presenter": "Think Tank AG Zugang",
         "discussion": "Wartezeiten auf Sprachmittlung verzögern Termine bei Jobcenter und "
         "Ausländerbehörde.\nDie AG schlägt vor, den Pool um weitere Sprachen zu erweitern.",
         "decision": "Der Lenkungskreis befürwortet die Erweiterung und legt sie dem "
         "Integrationsrat vor.",
         "measure": "Ausschreibung für zusätzliche Sprachmittler*innen vorbereiten",
         "owner": "Amt für Migration und Integration",
         "due": (today - dt.timedelta(days=14)).isoformat(),
         "indicator": "Wartezeit auf Sprachmittlung unter 10 Arbeitstagen",
         "status": "in_arbeit", "financial_impact": True, "escalation": True},
        {"no": "3", "topic": "Schnittstelle Jobcenter – Case Management",
         "decision": "Eine Kooperationsvereinbarung wird erarbeitet.",
         "measure": "Entwurf der Kooperationsvereinbarung vorlegen", "owner": "KIM-Koordination",
         "due": (today - dt.timedelta(days=40)).isoformat(),
         "indicator": "Vereinbarung unterzeichnet", "status": "erledigt"},
        {"no": "4", "topic": "Mehrsprachige Online-Terminbuchung",
         "proposal": proposals.get("online"),
         "decision": "Der Vorschlag wird beschlossen.",
         "measure": "Terminbuchung in drei weiteren Sprachen anbieten", "owner": "Bürgerbüros",
         "due": (today + dt.timedelta(days=20)).isoformat(),
         "indicator": "Anteil mehrsprachiger Buchungen", "status": "offen"},
        {"no": "5", "topic": "Verschiedenes"},
    ]  # fmt: skip


def load_demo_meetings(
    defs: Definitions, secretary: User, proposals: dict[str, int] | None = None
) -> dict[str, int]:
    """Create five meetings (approved, minutes in progress, planned); returns their ids."""
    if "meeting" not in defs.workflows or "meeting" not in defs.forms:
        return {}
    from . import clock

    today = clock.today()
    proposals = proposals or {}
    meetings = [
        ("lk1", "lenkungskreis", "1. Sitzung 2026", -75, "approved", PEOPLE,
         _lenkungskreis_1(today, proposals)),
        ("tt_arbeit", "think_tank", "AG Zugang zum Arbeitsmarkt, 2. Treffen", -20, "held",
         THINK_TANK,
         [{"no": "1", "topic": "Anerkennung ausländischer Abschlüsse",
           "discussion": "Lange Wege zwischen Beratung und Anerkennungsstelle.",
           "measure": "Leitfaden für Case Manager*innen zur Anerkennungsberatung",
           "owner": "IQ Netzwerk", "due": (today + dt.timedelta(days=30)).isoformat(),
           "indicator": "Leitfaden liegt vor", "status": "offen"},
          {"no": "2", "topic": "Lotsenstelle für den Rechtskreiswechsel",
           "proposal": proposals.get("lotsen"),
           "decision": "Die AG legt den Vorschlag dem Lenkungskreis vor."}]),
        ("tt_sprache", "think_tank", "AG Sprache und Verständigung, 3. Treffen", 8, "planned",
         THINK_TANK,
         [{"no": "1", "topic": "Stand der Erweiterung des Sprachmittlungspools"},
          {"no": "2", "topic": "Kinderbetreuung während der Sprachkurse"}]),
        ("lk2", "lenkungskreis", "2. Sitzung 2026", 21, "planned", PEOPLE,
         [{"no": "1", "topic": "Genehmigung des Protokolls"},
          {"no": "2", "topic": "Lotsenstelle für den Rechtskreiswechsel",
           "proposal": proposals.get("lotsen"), "presenter": "Think Tank AG Arbeitsmarkt"},
          {"no": "3", "topic": "Bericht der KIM-Koordination zu Barrieren"}]),
        ("cancelled", "think_tank", "AG Wohnen, 1. Treffen", -30, "cancelled", THINK_TANK, []),
    ]  # fmt: skip
    ids = {}
    for key, committee, title, days, target, people, agenda in meetings:
        day = today + dt.timedelta(days=days)
        maker = RecordMaker(defs, secretary, "meeting", min(day, today) - dt.timedelta(days=21))
        data = {
            "committee": committee,
            "title": title,
            "date": day.isoformat(),
            "start_time": "14:00",
            "end_time": "16:00",
            "place": PLACE,
            "chair": CHAIRS[committee],
            "minute_taker": "Sina Sekretariat",
            "attendance": people,
            "agenda": [{k: v for k, v in item.items() if v is not None} for item in agenda],
        }  # fmt: skip
        if committee == "think_tank":
            data["working_group"] = title.split(",")[0].removeprefix("AG ")
        maker.save("meeting", data)
        steps = {"planned": [], "cancelled": ["cancelled"], "held": ["held"]}
        maker.on(day + dt.timedelta(days=1)).move(*steps.get(target, ["held", "approved"]))
        ids[key] = maker.id
    return ids
