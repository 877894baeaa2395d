"""An anonymised case, or one whose consent was withdrawn, takes no new files.

Anonymisation on request may hit a case that is still open; files uploaded afterwards would
bring personal data back into a case that is never anonymised again.
"""

from __future__ import annotations

import io

from server.models import HandOver, Upload
from server.runtime import current_runtime
from server.services.privacy.retention import anonymise_on_request

from .conftest import new_case


def upload(client, rid: int):
    return client.client.post(
        f"/api/v1/records/{rid}/files",
        data={"file": (io.BytesIO(b"Kopie des Ausweises von Amira Beispiel"), "ausweis.txt")},
        headers=client._headers(),
        content_type="multipart/form-data",
    )


def test_an_anonymised_open_case_refuses_new_files(app, office):
    client = office["berater"]
    rid = new_case(client)["id"]
    assert upload(client, rid).status_code == 201
    anonymise_on_request(current_runtime(app).definitions, office["dpo"].user, rid)
    assert Upload.select().count() == 0
    refused = upload(client, rid)
    assert refused.status_code == 403
    assert "anonymisiert" in refused.json["error"]
    assert Upload.select().count() == 0


def test_a_case_with_withdrawn_consent_refuses_new_files(office):
    client = office["berater"]
    rid = new_case(client)["id"]
    client.post(f"/records/{rid}/consents/beratung/withdrawal", json={"withdrawn_at": "2026-01-06"})
    refused = upload(client, rid)
    assert refused.status_code == 403
    assert "widerrufen" in refused.json["error"]
    assert Upload.select().count() == 0


def test_an_anonymised_case_is_not_handed_over_with_a_note(app, office):
    client = office["berater"]
    case = new_case(client)
    anonymise_on_request(current_runtime(app).definitions, office["dpo"].user, case["id"])
    version = client.get(f"/records/{case['id']}").json["version"]
    refused = client.post(
        f"/records/{case['id']}/handover",
        json={"owner": "kollegin", "note": "Amira zieht zu ihrer Schwester", "version": version},
    )
    assert refused.status_code == 403
    assert "anonymisiert" in refused.json["error"]
    assert HandOver.select().count() == 0
