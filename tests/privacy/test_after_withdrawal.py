"""After a required consent is withdrawn no new document arises, not even by a retry."""

from __future__ import annotations

import docx

from server.models import DocumentFile
from tests.helpers import install_template

from .conftest import new_case


def word(text: str):
    document = docx.Document()
    document.add_paragraph().add_run(text)
    return document


def test_a_failed_document_is_not_produced_after_the_withdrawal(office, work_jobs):
    client = office["berater"]
    case = new_case(client)
    rid = case["id"]
    install_template("vermerk.docx", word("{{ fall.name.upper() }}"))  # fails: no calls
    requested = client.post(f"/records/{rid}/documents", json={"document": "vermerk"})
    assert requested.status_code == 202
    work_jobs()
    request_id = requested.json["id"]
    assert client.get(f"/documents/{request_id}").json["status"] == "failed"
    withdrawn = client.post(
        f"/records/{rid}/consents/beratung/withdrawal", json={"withdrawn_at": "2026-01-06"}
    )
    assert withdrawn.status_code == 200
    install_template("vermerk.docx", word("Vermerk zu {{ fall.name }}"))

    retried = client.post(f"/documents/{request_id}/retry")
    assert retried.status_code == 409
    assert "widerrufen" in retried.json["error"]
    work_jobs()
    assert client.get(f"/documents/{request_id}").json["status"] == "failed"
    assert DocumentFile.select().count() == 0


def test_a_document_waiting_when_consent_is_withdrawn_is_not_produced(office, work_jobs):
    client = office["berater"]
    rid = new_case(client)["id"]
    requested = client.post(f"/records/{rid}/documents", json={"document": "vermerk"})
    assert requested.status_code == 202
    client.post(f"/records/{rid}/consents/beratung/withdrawal", json={"withdrawn_at": "2026-01-06"})
    work_jobs()
    status = client.get(f"/documents/{requested.json['id']}").json
    assert status["status"] == "failed"
    assert "widerrufen" in status["error"]
    assert DocumentFile.select().count() == 0
