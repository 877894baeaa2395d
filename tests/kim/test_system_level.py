"""The KIM system level: barrier register, Think-Tank proposals, cooperation agreements.

Driven through the JSON API against the KIM configuration, as the KIM coordination and the
committee secretary work; every document is opened again with python-docx.
"""

from __future__ import annotations

import pytest

from tests.kim.flow import create, move, produce, rows_of, save, text_of

BARRIER = {
    "title": "Wartezeiten auf Sprachmittlung",
    "category": "sprache",
    "institution": "Jobcenter & Ausländerbehörde",
    "description": "Termine ohne Sprachmittlung.",
}
PROPOSAL = {
    "title": "Pool der Sprachmittlung erweitern",
    "working_group": "AG Zugang",
    "problem": "Wartezeiten <lang> & teuer",
    "proposal": "Der Lenkungskreis beschließt die Erweiterung.",
    "expected_effect": "Wartezeit unter 10 Tagen",
    "financial_impact": True,
    "costs": "85000",
    "funding": "Haushalt Amt 50",
    "alignment": [{"office": "Kämmerei", "date": "2026-02-01", "result": "hinweise"}],
}


@pytest.fixture
def people(api):
    return {
        "coordination": api("koordination", ["coordination"], "amt"),
        "secretary": api("sekretariat", ["secretary"], "amt"),
        "manager": api("cm1", ["case_manager"], "awo"),
        "lead": api("tl1", ["team_lead"], "awo"),
    }


def test_barrier_register_is_kept_by_coordination_and_read_by_everybody(people):
    coordination, manager = people["coordination"], people["manager"]
    barrier = create(coordination, "barrier", {"barrier": BARRIER})
    assert barrier["title"] == "Wartezeiten auf Sprachmittlung"
    guard = move(coordination, barrier, "resolved", status=422)
    assert "was sich geändert hat" in guard["errors"][0]
    barrier = move(coordination, barrier, "in_work")
    # a case manager reads it (and may refer to it in a case) but does not change it
    assert manager.get(f"/records/{barrier['id']}").status_code == 200
    answer = manager.put(
        f"/records/{barrier['id']}/forms/barrier",
        json={"data": BARRIER, "version": barrier["version"]},
    )
    assert answer.status_code == 403
    assert manager.post("/records", json={"workflow": "barrier"}).status_code == 403
    case = create(manager, "case_management")
    entry = {"category": "sprache", "known_barrier": barrier["id"], "system_level": True}
    case = save(manager, case, "barriers", {"entries": [entry]})
    assert case["data"]["barriers"]["entries"][0]["known_barrier"] == barrier["id"]


def test_a_proposal_with_costs_goes_to_the_political_bodies_before_it_is_adopted(people, work_jobs):
    coordination, secretary, lead = people["coordination"], people["secretary"], people["lead"]
    barrier = create(coordination, "barrier", {"barrier": BARRIER})
    proposal = create(coordination, "proposal")
    refused = move(coordination, proposal, "aligned", status=422)
    assert "abgestimmt" in refused["errors"][0]
    data = {**PROPOSAL, "barriers": [{"barrier": barrier["id"], "note": "Anlass"}]}
    proposal = save(coordination, proposal, "proposal", data)
    proposal = move(coordination, proposal, "aligned")

    draft = produce(coordination, proposal["id"], "beschlussvorlage", work_jobs)
    text = text_of(draft)
    assert "Beschlussvorlage" in text and "Wartezeiten <lang> & teuer" in text
    assert "Wartezeiten auf Sprachmittlung" in text  # the barrier by its title, not its number
    assert "85.000,00\u00a0€" in text and "Integrationsrat" in text
    assert ["Kämmerei", "01.02.2026", "Zustimmung mit Hinweisen", ""] in rows_of(draft)

    proposal = move(coordination, proposal, "submitted")
    # the secretary records the decision; with costs it cannot be adopted yet
    decision = {"decided_on": "2026-03-02", "decision_text": "Zustimmung, Vorlage an den IR."}
    proposal = save(secretary, proposal, "proposal_decision", decision)
    refused = move(secretary, proposal, "adopted", status=422)
    assert "politischen Gremiums" in refused["errors"][0]
    proposal = save(
        secretary, proposal, "proposal_decision", {**decision, "referred_to": "integrationsrat"}
    )
    proposal = move(secretary, proposal, "referred")
    assert proposal["state_label"] == "An politische Gremien verwiesen"
    voted = {
        **decision,
        "referred_to": "integrationsrat",
        "political_date": "2026-04-20",
        "political_result": "zugestimmt",
    }
    proposal = save(secretary, proposal, "proposal_decision", voted)
    proposal = move(secretary, proposal, "adopted")

    measures = [
        {"measure": "Ausschreibung", "owner": "Amt 50", "status": "in_arbeit", "indicator": "x"},
    ]
    proposal = save(coordination, proposal, "proposal_implementation", {"measures": measures})
    refused = move(coordination, proposal, "implemented", status=422)
    assert "erledigt" in refused["errors"][0]
    measures[0]["status"] = "erledigt"
    done = {"measures": measures, "result": "Pool erweitert", "completed_on": "2026-09-01"}
    proposal = save(coordination, proposal, "proposal_implementation", done)
    report = produce(coordination, proposal["id"], "umsetzungsbericht", work_jobs)
    assert "Integrationsrat (zugestimmt)" in text_of(report)
    proposal = move(coordination, proposal, "implemented")
    assert proposal["state_label"] == "Umgesetzt"
    # team leads read proposals, case managers do not see them at all
    assert lead.get(f"/records/{proposal['id']}").status_code == 200
    assert people["manager"].get(f"/records/{proposal['id']}").status_code == 404


def test_a_proposal_without_costs_may_be_adopted_deferred_or_rejected(people):
    coordination = people["coordination"]
    plain = {**PROPOSAL, "financial_impact": False}
    plain.pop("costs"), plain.pop("funding")
    records = []
    for _ in range(3):
        record = create(coordination, "proposal", {"proposal": plain})
        record = move(coordination, move(coordination, record, "aligned"), "submitted")
        records.append(record)
    decided = {"decided_on": "2026-03-02", "decision_text": "So beschlossen."}
    adopted = move(
        coordination, save(coordination, records[0], "proposal_decision", decided), "adopted"
    )
    assert adopted["state"] == "adopted"
    refused = move(coordination, records[1], "deferred", status=422)
    assert "zurückgestellt" in refused["errors"][0]
    deferred = save(coordination, records[1], "proposal_decision", {"deferred_until": "2026-12-01"})
    deferred = move(coordination, deferred, "deferred")
    assert any(d["label"].startswith("Zurückgestellten") for d in deferred["deadlines"])
    assert move(coordination, deferred, "submitted")["state"] == "submitted"
    rejected = move(
        coordination, save(coordination, records[2], "proposal_decision", decided), "rejected"
    )
    assert rejected["state_label"] == "Abgelehnt"


AGREEMENT = {
    "title": "Zusammenarbeit Case Management und Jobcenter",
    "kind": "behoerden",
    "subject": "Übergänge beim Rechtskreiswechsel & <Fristen>",
    "parties": [
        {"party": "Amt für Migration und Integration", "represented_by": "Amtsleitung"},
        {"party": "Jobcenter Düsseldorf", "represented_by": "Geschäftsführung"},
    ],
    "obligations": [{"party": "Jobcenter Düsseldorf", "obligation": "feste Ansprechperson"}],
    "data_exchange": True,
    "data_categories": "Name und Anliegen, nur mit Einwilligung",
    "contacts": [
        {"party": "Jobcenter Düsseldorf", "name": "Frau Beispiel", "phone": "0211 8991234"}
    ],
    "valid_from": "2026-04-01",
    "notice": "drei Monate zum Quartalsende",
    "signed_on": "2026-03-20",
}


def test_a_cooperation_agreement_from_draft_to_its_end(people, work_jobs):
    coordination, manager = people["coordination"], people["manager"]
    agreement = create(coordination, "agreement", {"agreement": {"title": AGREEMENT["title"]}})
    refused = move(coordination, agreement, "negotiation", status=422)
    assert "mindestens zwei Partner" in refused["errors"][0]
    # a data exchange needs its legal basis: the form refuses it without
    without_basis = save(coordination, agreement, "agreement", AGREEMENT, status=422)
    assert without_basis == agreement
    data = {**AGREEMENT, "legal_basis": "Art. 6 Abs. 1 lit. a DSGVO"}
    agreement = save(coordination, agreement, "agreement", data)
    agreement = move(coordination, agreement, "negotiation")
    agreement = move(coordination, agreement, "signed")
    agreement = move(coordination, agreement, "in_force")
    assert [d["label"] for d in agreement["deadlines"]] == [
        "Überprüfung der Vereinbarung vorbereiten"
    ]
    document = produce(coordination, agreement["id"], "vereinbarung", work_jobs)
    text = text_of(document)
    assert (
        "Kooperationsvereinbarung" in text
        and "Übergänge beim Rechtskreiswechsel & <Fristen>" in text
    )
    assert "Rechtsgrundlage: Art. 6 Abs. 1 lit. a DSGVO" in text
    assert ["Gültig bis", "unbefristet"] in rows_of(document)
    assert ["Jobcenter Düsseldorf", "Düsseldorf, 20.03.2026", ""] in rows_of(document)
    assert f"Vereinbarung {agreement['id']} · Seite" in text
    # everybody reads agreements (no personal data of clients), only coordination changes them
    assert manager.get(f"/records/{agreement['id']}").status_code == 200

    agreement = move(coordination, agreement, "review")
    refused = move(coordination, agreement, "ended", status=422)
    assert "Grund" in refused["errors"][0]
    end = {"reviewed_on": "2027-03-01", "outcome": "beenden", "ended_on": "2027-06-30",
           "end_reason": "Aufgabe geht in den Regeldienst über"}  # fmt: skip
    agreement = save(coordination, agreement, "agreement_review", end)
    agreement = move(coordination, agreement, "ended")
    assert agreement["state_label"] == "Beendet"
