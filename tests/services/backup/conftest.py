"""A record with a saved form, a transition, a rendered document and an uploaded file; a
second, empty installation to restore into (SQLite file, or the PostgreSQL database named
by ``VERBUND_TEST_RESTORE_DATABASE_URL`` when the suite runs on PostgreSQL)."""

from __future__ import annotations

import io
import os
import shutil

import pytest

from tests.conftest import FIXTURES
from tests.helpers import ANTRAG
from tests.kim_site import empty_postgres


@pytest.fixture
def world(app, api, work_jobs):
    """What a user sees of one case before the backup: its JSON (history included), the
    uploaded file and the rendered document."""
    clerk = api("sb.sicherung", ["clerk"], "sportamt")
    rid = clerk.post("/records", json={"workflow": "foerderung"}).json["id"]
    saved = clerk.put(f"/records/{rid}/forms/antrag", json={"data": ANTRAG, "version": 1})
    assert saved.status_code == 200, saved.json
    moved = clerk.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 2})
    assert moved.status_code == 200, moved.json
    document = clerk.post(f"/records/{rid}/documents", json={"document": "eingang"})
    assert document.status_code == 202, document.json
    work_jobs()
    upload = clerk.post(
        f"/records/{rid}/files",
        data={"file": (io.BytesIO(b"%PDF-1.4\nSatzung SV Rhein\n%%EOF\n"), "satzung.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.json
    shown = {
        "record": f"/records/{rid}",
        "file": f"/files/{upload.json['id']}/content",
        "document": f"/documents/{document.json['id']}/file",
    }
    seen = {name: clerk.get(path) for name, path in shown.items()}
    assert all(answer.status_code == 200 for answer in seen.values())
    return {
        "token": clerk.token,
        "paths": shown,
        "record": seen["record"].json,
        "file": seen["file"].data,
        "document": seen["document"].data,
    }


@pytest.fixture
def empty_installation(tmp_path, database_overrides):
    """(config dir, environment) of a second installation that has never run."""
    target = tmp_path / "neu"
    shutil.copytree(FIXTURES / "foerderung", target)
    if not database_overrides:
        return target, {}
    url = os.environ.get("VERBUND_TEST_RESTORE_DATABASE_URL", "")
    if not url:
        pytest.skip("VERBUND_TEST_RESTORE_DATABASE_URL (zweite PostgreSQL-Datenbank) fehlt")
    empty_postgres(url)
    return target, {"VERBUND_DATABASE_URL": url}
