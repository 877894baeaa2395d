"""The data-protection tests run against the counselling fixture (tests/fixtures/beratung):
personal fields, consents and retention periods declared, as a city office would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures"

CASE = {
    "name": "Amira Beispiel",
    "geburtsjahr": 1990,
    "email": "amira@example.org",
    "zielgruppe": "neu",
    "notiz": "Wohnt bei ihrer Schwester",
    "kontakte": [{"person": "Frau Jobcenter-Kontakt", "art": "telefon"}],
}


@pytest.fixture
def config_dir(tmp_path) -> Path:
    target = tmp_path / "beratung"
    shutil.copytree(FIXTURES / "beratung", target)
    return target


@pytest.fixture
def office(api):
    """API clients: two counsellors of organisation a, one of b, a lead, coordination, DPO."""
    return {
        "berater": api("berater", ["berater"], "org-a"),
        "kollegin": api("kollegin", ["berater"], "org-a"),
        "fremd": api("fremd", ["berater"], "org-b"),
        "leitung": api("leitung", ["leitung"], "org-a"),
        "koordination": api("koordination", ["koordination"], "stadt"),
        "dpo": api("dpo", ["dpo"], "stadt"),
    }


def new_case(client, data=None, consent: bool = True) -> dict:
    """A case of ``client`` with the form saved (and consent given): the record JSON."""
    rid = client.post("/records", json={"workflow": "beratung"}).json["id"]
    saved = client.put(f"/records/{rid}/forms/fall", json={"data": data or CASE, "version": 1})
    assert saved.status_code == 200, saved.json
    if consent:
        given = client.post(
            f"/records/{rid}/consents", json={"purpose": "beratung", "given_at": "2026-01-05"}
        )
        assert given.status_code == 201, given.json
    return client.get(f"/records/{rid}").json
