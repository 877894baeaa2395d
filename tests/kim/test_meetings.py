"""Committee meetings of the KIM: from invitation to approved minutes, as Word documents.

The Gremien-Geschäftsführung (role ``secretary``) works through the JSON API against the
KIM configuration; every document is opened again with python-docx, and converted to PDF
where LibreOffice is installed.
"""

from __future__ import annotations

import io
import re

import docx
import pytest

from tests.helpers import pdf_from_docx

NASTY = "Zugang & <Arbeit> ‏עברית"

MEETING = {
    "committee": "lenkungskreis",
    "title": "4. Sitzung 2026",
    "date": "2026-03-02",
    "start_time": "14:00",
    "end_time": "16:30",
    "place": "Rathaus, Marktplatz 2",
    "chair": "Dezernentin M. Beispiel",
    "minute_taker": "S. Sekretariat",
    "invitation_note": "Bitte Unterlagen lesen.\nAnmeldung bis Freitag.",
    "attendance": [
        {"name": "A. Amt", "institution": "Amt für Migration", "presence": "anwesend"},
        {"name": "J. Jobcenter", "institution": "Jobcenter", "presence": "entschuldigt"},
        {
            "name": "L. Liga",
            "institution": "liga wohlfahrt",
            "presence": "vertreten",
            "note": "vertreten durch K. Caritas",
        },
    ],
    "agenda": [
        {"no": "1", "topic": "Genehmigung des Protokolls", "decision": "Genehmigt."},
        {
            "no": "2",
            "topic": NASTY,
            "presenter": "Think Tank AG Arbeit",
            "discussion": "Erste Zeile\nZweite Zeile",
            "decision": "Der Lenkungskreis beschließt <A> & B.",
            "measure": "Runder Tisch mit Jobcenter einrichten",
            "owner": "KIM-Koordination",
            "due": "2026-06-30",
            "indicator": "3 Termine bis Jahresende",
            "status": "in_arbeit",
            "escalation": True,
        },
        {"no": "3", "topic": "Verschiedenes"},
    ],
    "next_meeting": "2026-06-15",
}


def paragraphs(content: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    for section in document.sections:
        texts += [p.text for p in section.footer.paragraphs]
    return texts


def table_rows(content: bytes) -> list[list[str]]:
    document = docx.Document(io.BytesIO(content))
    return [[c.text for c in row.cells] for t in document.tables for row in t.rows]


def produce(office, record_id: int, document: str, work_jobs) -> bytes:
    answer = office.post(f"/records/{record_id}/documents", json={"document": document})
    assert answer.status_code == 202, answer.get_json()
    work_jobs()
    status = office.get(f"/documents/{answer.get_json()['id']}").get_json()
    assert status["status"] == "finished", status
    return office.get(f"/documents/{status['id']}/file").data


@pytest.fixture
def office(api):
    return api("sekretariat", ["secretary"], "amt")


def new_meeting(office, data=MEETING) -> dict:
    created = office.post("/records", json={"workflow": "meeting"})
    assert created.status_code == 201, created.get_json()
    record = created.get_json()
    saved = office.put(
        f"/records/{record['id']}/forms/meeting", json={"data": data, "version": record["version"]}
    )
    assert saved.status_code == 200, saved.get_json()
    return saved.get_json()


def move(office, record: dict, to: str) -> dict:
    moved = office.post(
        f"/records/{record['id']}/transitions", json={"to": to, "version": record["version"]}
    )
    assert moved.status_code == 200, moved.get_json()
    return moved.get_json()


def test_invitation_and_minutes_carry_every_value_in_german(office, work_jobs, tmp_path):
    record = new_meeting(office)
    assert record["title"] == "4. Sitzung 2026"
    assert [d["id"] for d in record["available_documents"]] == ["einladung"]

    invitation = produce(office, record["id"], "einladung", work_jobs)
    text = paragraphs(invitation)
    assert "Lenkungskreis Kommunales Integrationsmanagement" in text
    assert "Bitte Unterlagen lesen.\nAnmeldung bis Freitag." in text
    assert f"Einladung · Sitzung {record['id']} · Seite 1 von 1" in text
    rows = table_rows(invitation)
    assert ["Datum", "2. März 2026"] in rows
    assert ["Uhrzeit", "14:00 bis 16:30 Uhr"] in rows
    assert ["2", NASTY, "Think Tank AG Arbeit"] in rows
    assert ["L. Liga", "liga wohlfahrt", ""] in rows
    assert not any("Arbeitsgruppe" in t for t in text)  # Lenkungskreis: no working group

    record = move(office, record, "held")
    minutes = produce(office, record["id"], "protokoll", work_jobs)
    text = paragraphs(minutes)
    assert f"TOP 2: {NASTY}" in text
    assert "Erste Zeile\nZweite Zeile" in text
    assert "Der Lenkungskreis beschließt <A> & B." in text
    assert (
        "Verantwortlich: KIM-Koordination · fällig am: 30.06.2026 · "
        "Indikator: 3 Termine bis Jahresende"
    ) in text
    assert any(t.startswith("Hinweis: Die politischen Gremien") for t in text)
    assert text.count("Beratung") == 1  # only where there was a discussion
    assert "Nächste Sitzung: 15. Juni 2026" in text
    rows = table_rows(minutes)
    assert ["Stand des Protokolls", "Protokoll in Arbeit"] in rows
    assert ["L. Liga", "liga wohlfahrt", "", "vertreten", "vertreten durch K. Caritas"] in rows
    assert [
        f"2 {NASTY}",
        "Runder Tisch mit Jobcenter einrichten",
        "KIM-Koordination",
        "30.06.2026",
        "3 Termine bis Jahresende",
        "in Arbeit",
    ] in rows
    assert "{{" not in "".join(text) and "lenkungskreis" not in "".join(text)

    pdf = pdf_from_docx(minutes, tmp_path)
    if pdf is None:
        pytest.skip("LibreOffice is not installed: PDF conversion not checked")
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages >= 2, pages  # the minutes run over more than one page


def test_think_tank_minutes_with_an_empty_agenda_and_forty_items(office, work_jobs):
    data = {
        "committee": "think_tank",
        "working_group": "Zugang zum Arbeitsmarkt",
        "title": "AG Arbeit 1/2026",
        "date": "2026-01-20",
    }
    record = new_meeting(office, data)
    text = paragraphs(produce(office, record["id"], "einladung", work_jobs))
    assert "Arbeitsgruppe: Zugang zum Arbeitsmarkt" in text
    assert "Die Tagesordnung folgt." in text

    agenda = [
        {
            "no": str(n),
            "topic": f"Thema {n}",
            "decision": f"Beschluss {n}",
            "measure": f"M {n}",
            "owner": "AG",
            "due": "2026-02-01",
        }
        for n in range(1, 41)
    ]
    saved = office.put(
        f"/records/{record['id']}/forms/meeting",
        json={
            "data": {**data, "agenda": agenda, "minute_taker": "X"},
            "version": record["version"],
        },
    )
    record = move(office, saved.get_json(), "held")
    minutes = produce(office, record["id"], "protokoll", work_jobs)
    text = paragraphs(minutes)
    assert [t for t in text if t.startswith("TOP ")] == [
        f"TOP {n}: Thema {n}" for n in range(1, 41)
    ]
    assert sum(1 for row in table_rows(minutes) if row[1].startswith("M ")) == 40


def test_approving_needs_minutes_and_freezes_the_meeting(office, api, work_jobs):
    record = new_meeting(office, {**MEETING, "minute_taker": None, "agenda": []})
    record = move(office, record, "held")
    refused = office.post(
        f"/records/{record['id']}/transitions",
        json={"to": "approved", "version": record["version"]},
    )
    assert refused.status_code == 422
    assert "mindestens ein Tagesordnungspunkt" in refused.get_json()["errors"][0]
    saved = office.put(
        f"/records/{record['id']}/forms/meeting",
        json={"data": MEETING, "version": record["version"]},
    )
    record = move(office, saved.get_json(), "approved")
    assert record["state"] == "approved" and record["editable_forms"] == []
    minutes = produce(office, record["id"], "protokoll", work_jobs)
    assert ["Stand des Protokolls", "Protokoll genehmigt"] in table_rows(minutes)


def test_case_managers_do_not_see_meetings(office, api):
    record = new_meeting(office)
    case_manager = api("cm", ["case_manager"], "amt")
    assert case_manager.get(f"/records/{record['id']}").status_code == 404
    assert case_manager.get("/records?workflow=meeting").get_json()["total"] == 0
    lead = api("tl", ["team_lead"], "awo")  # another organisation, still reads all meetings
    assert lead.get(f"/records/{record['id']}").status_code == 200
    assert (
        lead.put(
            f"/records/{record['id']}/forms/meeting", json={"data": MEETING, "version": 2}
        ).status_code
        == 403
    )
