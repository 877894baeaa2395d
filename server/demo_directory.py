"""Demo data without people: the service directory (Handlungskonzept 2.3), the barrier
register of the KIM coordination and the cooperation agreements (3.3)."""

from __future__ import annotations

import datetime as dt

from .demo_tools import RecordMaker
from .models import User
from .schema.definitions import Definitions

# key, name, provider, category, district, languages, contact
SERVICES = [
    ("sprachmittlung", "Pool Sprach- und Kulturmittler*innen", "Amt für Migration und Integration",
     "sprache", "stadtweit", ["ar", "fa", "ps", "ti", "uk", "ru", "tr"],
     "Vermittlungsstelle, 0211 89-21001"),
    ("sprachkurse", "Niederschwellige Sprachkurse", "Träger im ganzen Stadtgebiet",
     "sprache", "stadtweit", ["de"], "Kursberatung, 0211 89-21002"),
    ("tandem", "Ehrenamtliche Sprachtandems", "Wohlfahrtsverbände",
     "sprache", "stadtweit", ["de", "en"], "Tandemvermittlung, 0211 89-21003"),
    ("atrium", "Atrium – Anlaufstelle bei Traumatisierung", "Gesundheitsamt und LVR",
     "gesundheit", "sb01", ["de", "ar", "fa", "en"], "Anmeldung, 0211 89-21004"),
    ("wp_mitte", "Welcome Point Stadtmitte", "Amt für Migration und Integration",
     "orientierung", "sb01", ["de", "en", "ar", "uk"], "Team Welcome Point, 0211 89-21005"),
    ("wp_garath", "Welcome Point Garath", "Diakonie Düsseldorf",
     "orientierung", "sb10", ["de", "ru", "tr"], "Team Welcome Point, 0211 600-1001"),
    ("startklar", "Startklar fürs Gymnasium", "Amt für Migration und Integration",
     "bildung", "stadtweit", ["de", "ar", "tr"], "Projektbüro, 0211 89-21006"),
    ("mbe", "Migrationsberatung für Erwachsene (MBE)", "Caritasverband Düsseldorf",
     "migrationsberatung", "stadtweit", ["de", "ar", "fa", "ru", "pl"], "Beratung, 0211 160-2001"),
    ("jmd", "Jugendmigrationsdienst (JMD)", "AWO Düsseldorf",
     "migrationsberatung", "stadtweit", ["de", "en", "ar", "tr"], "Beratung, 0211 600-2002"),
    ("expat", "Expat Service Desk", "Wirtschaftsförderung, Kreis Mettmann und IHK",
     "arbeit", "stadtweit", ["de", "en", "ja", "zh"], "Service Desk, 0211 89-21007"),
    ("iq", "IQ Netzwerk – Anerkennungsberatung", "IQ Netzwerk NRW",
     "arbeit", "stadtweit", ["de", "en", "ar", "ru"], "Erstberatung, 0211 300-3003"),
    ("frauen", "Frauenberatungsstelle", "Frauenberatungsstelle Düsseldorf",
     "frauen", "sb03", ["de", "en", "tr"], "Beratungstelefon, 0211 68-4004"),
    ("verbraucher", "Verbraucherzentrale – Beratungsstelle", "Verbraucherzentrale NRW",
     "finanzen", "sb01", ["de", "en"], "Terminvergabe, 0211 38-5005"),
    ("sucht", "Suchtberatung", "Diakonie Düsseldorf",
     "sucht", "stadtweit", ["de", "ru", "pl"], "Offene Sprechstunde, 0211 73-6006"),
    ("schulden", "Schuldnerberatung", "Der Paritätische Düsseldorf",
     "finanzen", "stadtweit", ["de", "tr", "ar"], "Terminvergabe, 0211 64-7007"),
]  # fmt: skip

# key, title, category, institution, description, reports, state
BARRIERS = [
    (
        "sprachmittlung",
        "Wartezeiten auf Sprachmittlung bei Behördenterminen",
        "sprache",
        "Jobcenter, Ausländerbehörde",
        "Termine bei Jobcenter und Ausländerbehörde finden ohne Sprachmittlung statt oder werden "
        "verschoben, weil der Pool ausgelastet ist.",
        7,
        "in_work",
    ),
    (
        "termine",
        "Lange Wartezeiten auf Termine der Ausländerbehörde",
        "wartezeit",
        "Ausländerbehörde",
        "Zwischen Anfrage und Termin vergehen mehrere Monate; Fiktionsbescheinigungen laufen aus.",
        6,
        "open",
    ),
    (
        "schnittstelle_jc",
        "Unklare Zuständigkeit beim Rechtskreiswechsel",
        "zustaendigkeit",
        "Jobcenter, Sozialamt",
        "Beim Wechsel von AsylbLG zu SGB II gibt es keinen lückenlosen "
        "Übergang; Leistungen setzen aus.",
        5,
        "in_work",
    ),
    (
        "online",
        "Online-Terminbuchung nur auf Deutsch",
        "digital",
        "Bürgerbüros",
        "Die Terminbuchung ist nur auf Deutsch und nur online möglich.",
        0,
        "resolved",
    ),
    (
        "kita",
        "Fehlende Kita-Plätze in Garath",
        "angebot",
        "Jugendamt",
        "Eltern in Sprachkursen finden keine Betreuung für ihre Kinder.",
        0,
        "open",
    ),
]


def load_services(defs: Definitions, coordination: User, day: dt.date) -> dict[str, int]:
    """The service directory; returns record ids by key."""
    ids = {}
    if "service_directory" not in defs.workflows:
        return ids
    for key, name, provider, category, district, languages, contact in SERVICES:
        maker = RecordMaker(defs, coordination, "service_directory", day)
        data = {
            "name": name,
            "provider": provider,
            "category": category,
            "district": district,
            "languages": languages,
            "contact": contact,
            "email": f"{key}@duesseldorf.example",
            "description": f"{name} – Angebot im Netzwerk des KIM Düsseldorf.",
        }
        ids[key] = maker.save("service", data).id
    return ids


def load_barriers(defs: Definitions, coordination: User, day: dt.date) -> dict[str, int]:
    """The barrier register of the coordination; returns record ids by key."""
    ids = {}
    if "barrier" not in defs.workflows:
        return ids
    for key, title, category, institution, description, reports, state in BARRIERS:
        maker = RecordMaker(defs, coordination, "barrier", day)
        data = {
            "title": title,
            "category": category,
            "institution": institution,
            "description": description,
            "sources": ["fallarbeit", "think_tank"],
            "first_noted": day.isoformat(),
            "reports": reports or None,
            "target_groups": ["alle"],
        }
        if state == "resolved":
            data["result"] = (
                "Die Terminbuchung gibt es jetzt auch auf Englisch, Arabisch und Ukrainisch."
            )
            data["resolved_on"] = (day + dt.timedelta(days=40)).isoformat()
        maker.save("barrier", data)
        if state != "open":
            maker.on(day + dt.timedelta(days=40)).move(state)
        ids[key] = maker.id
    return ids


def load_agreements(defs: Definitions, coordination: User, today: dt.date) -> int:
    """A cooperation agreement in force and one under negotiation."""
    if "agreement" not in defs.workflows:
        return 0
    jobcenter = {
        "title": "Zusammenarbeit KIM-Case-Management und Jobcenter Düsseldorf",
        "kind": "behoerden",
        "subject": "Abgestimmte Unterstützung von Ratsuchenden, die Leistungen nach dem SGB II "
        "erhalten und im KIM-Case-Management begleitet werden; lückenlose Übergänge beim "
        "Rechtskreiswechsel.",
        "parties": [
            {"party": "Landeshauptstadt Düsseldorf, Amt für Migration und Integration",
             "represented_by": "Amtsleitung"},
            {"party": "Jobcenter Düsseldorf", "represented_by": "Geschäftsführung"},
        ],
        "obligations": [
            {"party": "Jobcenter Düsseldorf",
             "obligation": "Benennt je Standort eine feste Ansprechperson für das Case "
             "Management."},
            {"party": "Amt für Migration und Integration",
             "obligation": "Das Case Management meldet bevorstehende Rechtskreiswechsel vier "
             "Wochen im Voraus (mit Einwilligung der Ratsuchenden)."},
            {"party": "beide", "obligation": "Gemeinsame Fallkonferenzen bei Bedarf, "
             "halbjährliches Auswertungsgespräch."},
        ],
        "data_exchange": True,
        "data_categories": "Name, Geburtsjahr, Kundennummer und das Anliegen – nur mit "
        "schriftlicher Einwilligung und Schweigepflichtentbindung der Ratsuchenden.",
        "legal_basis": "Art. 6 Abs. 1 lit. a DSGVO, § 67b Abs. 2 SGB X",
        "dpo_consulted": True,
        "contacts": [
            {"party": "Jobcenter Düsseldorf", "name": "Koordination Migration",
             "phone": "0211 9000-100", "email": "migration@jobcenter.example"},
            {"party": "KIM-Koordination", "name": "Kim Koordination",
             "phone": "0211 89-21000", "email": "kim@duesseldorf.example"},
        ],
        "valid_from": (today - dt.timedelta(days=120)).isoformat(),
        "review_interval": "jaehrlich",
        "notice": "mit einer Frist von drei Monaten zum Quartalsende",
        "signed_on": (today - dt.timedelta(days=125)).isoformat(),
    }  # fmt: skip
    maker = RecordMaker(defs, coordination, "agreement", today - dt.timedelta(days=170))
    maker.save("agreement", jobcenter).move("negotiation")
    maker.on(today - dt.timedelta(days=125)).move("signed")
    maker.on(today - dt.timedelta(days=120)).move("in_force")
    abh = {
        "title": "Ansprechpersonen der Ausländerbehörde für das Case Management",
        "kind": "aemter",
        "subject": "Feste Ansprechpersonen und kurze Wege zwischen Ausländerbehörde (Baustein 3) "
        "und KIM-Case-Management bei aufenthaltsrechtlichen Fragen.",
        "parties": [
            {"party": "Ausländerbehörde", "represented_by": "Sachgebietsleitung"},
            {"party": "KIM-Case-Management", "represented_by": "KIM-Teamleitung"},
        ],
    }
    other = RecordMaker(defs, coordination, "agreement", today - dt.timedelta(days=20))
    other.save("agreement", abh).move("negotiation")
    return 2
