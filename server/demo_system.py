"""Demo Think-Tank proposals, case conferences and the work of ABH and EBH (Baustein 3).

Proposals are made in two steps around the meetings (a meeting's agenda names a proposal,
a proposal's decision names the meeting): :func:`start_proposals` before the meetings,
:func:`decide_proposals` after them.
"""

from __future__ import annotations

import datetime as dt

from .demo_tools import RecordMaker
from .models import Record, User
from .schema.definitions import Definitions

# key, title, working group, barrier keys, financial impact (costs), final stage
PROPOSALS = [
    ("pool", "Erweiterung des Pools der Sprach- und Kulturmittler*innen", "AG Zugang",
     ["sprachmittlung"], "85000", "adopted"),
    ("online", "Mehrsprachige Online-Terminbuchung", "AG Zugang", ["online"], None,
     "implemented"),
    ("lotsen", "Lotsenstelle für den Rechtskreiswechsel", "AG Zugang zum Arbeitsmarkt",
     ["schnittstelle_jc"], None, "submitted"),
    ("termine", "Zentrale Terminvergabe der Ausländerbehörde für Case Management", "AG Zugang",
     ["termine"], None, "deferred"),
    ("kita", "Kinderbetreuung während der Sprachkurse in Garath", "AG Sprache",
     ["kita"], "40000", "draft"),
]  # fmt: skip


def start_proposals(
    defs: Definitions, coordination: User, barriers: dict[str, int], today: dt.date
) -> dict[str, int]:
    """Create the proposals and take them as far as the Lenkungskreis; returns their ids."""
    if "proposal" not in defs.workflows:
        return {}
    ids = {}
    for key, title, group, barrier_keys, costs, stage in PROPOSALS:
        maker = RecordMaker(defs, coordination, "proposal", today - dt.timedelta(days=110))
        data = {
            "title": title,
            "working_group": group,
            "problem": "Die Case Manager*innen melden diese Barriere wiederholt; sie verzögert "
            "die Hilfen an mehreren Stellen der Dienstleistungskette.",
            "barriers": [{"barrier": barriers[b]} for b in barrier_keys if b in barriers],
            "proposal": f"Der Lenkungskreis beschließt: {title}.",
            "expected_effect": "Kürzere Wartezeiten; Indikator: Zahl der gemeldeten Barrieren.",
            "lead": "Amt für Migration und Integration",
            "financial_impact": costs is not None,
        }
        if costs:
            data["costs"] = costs
            data["funding"] = "Haushalt des Amtes für Migration und Integration"
        if stage != "draft":
            data["alignment"] = [
                {"office": "Amt für Soziales und Jugend", "result": "zustimmung",
                 "date": (today - dt.timedelta(days=95)).isoformat()},
                {"office": "Kämmerei", "result": "hinweise", "note": "Finanzierung klären",
                 "date": (today - dt.timedelta(days=92)).isoformat()},
            ]  # fmt: skip
        maker.save("proposal", data)
        if stage != "draft":
            maker.on(today - dt.timedelta(days=90)).move("aligned", "submitted")
        ids[key] = maker.id
    return ids


def decide_proposals(
    defs: Definitions,
    coordination: User,
    proposals: dict[str, int],
    meetings: dict[str, int],
    today: dt.date,
) -> None:
    """The Lenkungskreis's decisions (and the Integrationsrat's vote) on the proposals."""
    lk1 = meetings.get("lk1")
    decided = (today - dt.timedelta(days=75)).isoformat()
    for key, _title, _group, _barriers, costs, stage in PROPOSALS:
        if key not in proposals or stage in ("draft", "submitted"):
            continue
        maker = RecordMaker.existing(defs, coordination, proposals[key])
        maker.on(today - dt.timedelta(days=75))
        if stage == "deferred":
            until = (today + dt.timedelta(days=60)).isoformat()
            maker.save(
                "proposal_decision",
                {"meeting": lk1, "decided_on": decided, "deferred_until": until},
            ).move("deferred")
            continue
        decision = {
            "meeting": lk1,
            "decided_on": decided,
            "decision_text": "Der Lenkungskreis beschließt den Vorschlag.",
        }
        if costs:
            decision.update(referred_to="integrationsrat")
            maker.save("proposal_decision", decision).move("referred")
            decision.update(
                political_date=(today - dt.timedelta(days=50)).isoformat(),
                political_result="zugestimmt",
            )
            maker.on(today - dt.timedelta(days=50))
        maker.save("proposal_decision", decision).move("adopted")
        done = stage == "implemented"
        measures = [
            {"measure": "Konzept erstellen", "owner": "KIM-Koordination", "status": "erledigt",
             "due": (today - dt.timedelta(days=30)).isoformat(), "indicator": "Konzept liegt vor"},
            {"measure": "Umsetzung starten", "owner": "Amt für Migration und Integration",
             "status": "erledigt" if done else "in_arbeit",
             "due": (today + dt.timedelta(days=60)).isoformat(),
             "indicator": "Wartezeit in Arbeitstagen", "target": "unter 10"},
        ]  # fmt: skip
        implementation = {"measures": measures}
        if done:
            implementation["result"] = "Die Terminbuchung ist in vier Sprachen möglich."
            implementation["completed_on"] = (today - dt.timedelta(days=10)).isoformat()
        maker.on(today - dt.timedelta(days=10)).save("proposal_implementation", implementation)
        if done:
            maker.move("implemented")


def load_case_conferences(defs: Definitions, managers: list[User], today: dt.date) -> int:
    """Two case conferences, pseudonymised: they name a case by its number only."""
    if "case_conference" not in defs.workflows:
        return 0
    count = 0
    for manager, kind, topic, days in (
        (managers[0], "kollegiale_beratung", "Übergang Schule – Ausbildung bei Duldung", 18),
        (managers[1 % len(managers)], "fallkonferenz", "Rechtskreiswechsel AsylbLG – SGB II", 5),
    ):
        case = (
            Record.select(Record.id)
            .where(Record.workflow == "case_management", Record.owner == manager.id)
            .first()
        )
        maker = RecordMaker(defs, manager, "case_conference", today - dt.timedelta(days=days + 7))
        data = {
            "kind": kind,
            "topic": topic,
            "date": (today - dt.timedelta(days=days)).isoformat(),
            "case": case.id if case else None,
            "participants": [
                {"institution": "KIM-Case-Management", "function": "fallführend"},
                {"institution": "Caritasverband Düsseldorf", "function": "Case Management"},
                {"institution": "Jobcenter Düsseldorf", "function": "Fallmanagement"},
            ],
            "situation": "Junge Erwachsene Person mit Duldung, Ausbildungsplatz in Aussicht.",
            "recommendations": "Beratung in der Ausländerbehörde zur Ausbildungsduldung.",
            "steps": [{"step": "Termin in der ABH vereinbaren", "responsible": "Case Management"}],
            "barriers": [
                {
                    "category": "wartezeit",
                    "institution": "Ausländerbehörde",
                    "description": "Termin erst nach Beginn der Ausbildung möglich",
                },
            ],  # fmt: skip
        }
        maker.save("case_conference", data).on(today - dt.timedelta(days=days)).move("held")
        count += 1
    return count


def load_baustein_3(defs: Definitions, abh: User | None, ebh: User | None, today: dt.date) -> int:
    """Residence-law counselling (ABH) and naturalisation support (EBH)."""
    count = 0
    if abh is not None and "abh_counselling" in defs.workflows:
        for name, topics, stage in (
            ("M. Tesfaye", ["60c", "bleibeperspektive"], "counselling"),
            ("R. Ahmadi", ["25b"], "closed"),
            ("K. Morina", ["104c", "identitaet"], "requested"),
        ):
            maker = RecordMaker(defs, abh, "abh_counselling", today - dt.timedelta(days=30))
            data = {
                "name": name,
                "referred_by": "case_management",
                "case_manager": "Clara Amt",
                "topics": topics,
                "residence_status": "duldung",
                "appointments": [{"date": (today - dt.timedelta(days=20)).isoformat(),
                                  "with_case_manager": True, "note": "Erstberatung"}],
            }  # fmt: skip
            maker.save("abh_counselling", data)
            if stage != "requested":
                maker.on(today - dt.timedelta(days=20)).move("counselling")
            if stage == "closed":
                maker.save("abh_counselling", {**data, "result": "antrag"}).move("closed")
            count += 1
    if ebh is not None and "ebh_support" in defs.workflows:
        for name, stage in (("S. Rahimi", "applied"), ("D. Mensah", "preparation")):
            maker = RecordMaker(defs, ebh, "ebh_support", today - dt.timedelta(days=60))
            data = {
                "name": name,
                "former_refugee": True,
                "access": "infoveranstaltung",
                "support": ["beratung", "begleitung"],
                "identity": True,
                "residence_years": True,
                "language": True,
                "test": stage == "applied",
            }
            maker.save("ebh_support", data).on(today - dt.timedelta(days=45)).move("preparation")
            if stage == "applied":
                applied = (today - dt.timedelta(days=15)).isoformat()
                maker.on(today - dt.timedelta(days=15)).save(
                    "ebh_support", {**data, "livelihood": True, "applied_on": applied}
                ).move("applied")
            count += 1
    return count
