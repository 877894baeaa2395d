"""One download response (server/downloads.py): the staff screens and the API send a file with
the same headers – its name for every browser (RFC 6266, umlauts in ``filename*``), never
cached, never rendered in Verbund's origin – and the same bytes."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import unquote

import docx
import pytest

from server import clock
from server.german import file_stamp
from server.models import AuditEntry
from tests.helpers import ANTRAG, login

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
NAME = "Satzung Müller & Söhne.pdf"


def same_download(page, api):
    for response in (page, api):
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"].startswith("sandbox")
    keys = ("Content-Type", "Content-Disposition", "Cache-Control", "Content-Security-Policy")
    assert {k: page.headers[k] for k in keys} == {k: api.headers[k] for k in keys}
    assert page.data == api.data
    return page


def test_an_upload_with_umlauts_downloads_alike_from_page_and_api(app, api):
    club = api("club1", ["applicant"], "verein-a")
    rid = club.post("/records", json={"workflow": "foerderung"}).json["id"]
    sent = club.post(
        f"/records/{rid}/files",
        data={"file": (io.BytesIO(PDF), NAME)},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201, sent.json
    browser = app.test_client()
    login(browser, "club1")

    headers = same_download(
        browser.get(f"/files/{sent.json['id']}"), club.get(f"/files/{sent.json['id']}/content")
    ).headers
    disposition = headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    # the real name for browsers that read filename*, a plain one for those that do not
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == NAME
    assert 'filename="Satzung Muller & Sohne.pdf"' in disposition
    assert headers["Content-Type"] == "application/pdf"
    downloads = AuditEntry.select().where(
        (AuditEntry.record_id == rid) & (AuditEntry.action == "file.download")
    )
    assert downloads.count() == 2  # one entry per download, written by the service


def test_a_document_downloads_alike_from_page_and_api(app, api, work_jobs):
    club = api("club1", ["applicant"], "verein-a")
    rid = club.post("/records", json={"workflow": "foerderung"}).json["id"]
    assert club.put(f"/records/{rid}/forms/antrag", json={"data": ANTRAG, "version": 1}).json
    moved = club.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 2})
    assert moved.status_code == 200, moved.json
    requested = club.post(f"/records/{rid}/documents", json={"document": "eingang"})
    assert requested.status_code == 202
    work_jobs()
    browser = app.test_client()
    login(browser, "club1")

    request_id = requested.json["id"]
    page = same_download(
        browser.get(f"/documents/{request_id}/file"), club.get(f"/documents/{request_id}/file")
    )
    assert page.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert page.headers["Content-Disposition"].startswith(f"attachment; filename=eingang-{rid}-")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(page.data)).paragraphs)
    assert "SV Rhein" in text  # a real Word file, opened again


@pytest.mark.parametrize(
    "utc, local",
    [
        # the night the clocks go forward (29.03.2026, 02:00 -> 03:00) and back (25.10.2026)
        (dt.datetime(2026, 3, 28, 23, 30), "20260329-0030"),  # after midnight in Berlin
        (dt.datetime(2026, 3, 29, 1, 30), "20260329-0330"),  # summer time already
        (dt.datetime(2026, 10, 24, 22, 15), "20261025-0015"),
        (dt.datetime(2026, 10, 25, 1, 30), "20261025-0230"),  # winter time again
    ],
)
def test_a_document_is_named_by_the_local_time_the_page_shows(app, api, work_jobs, utc, local):
    club = api("club1", ["applicant"], "verein-a")
    rid = club.post("/records", json={"workflow": "foerderung"}).json["id"]
    club.put(f"/records/{rid}/forms/antrag", json={"data": ANTRAG, "version": 1})
    club.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 2})
    clock.freeze(utc.replace(tzinfo=dt.UTC))
    try:
        requested = club.post(f"/records/{rid}/documents", json={"document": "eingang"})
    finally:
        clock.freeze(None)
    work_jobs()
    browser = app.test_client()
    login(browser, "club1")
    page = browser.get(f"/records/foerderung/{rid}").get_data(as_text=True)
    day, time = local.split("-")
    shown = f"{day[6:]}.{day[4:6]}.{day[:4]} {time[:2]}:{time[2:]}"
    assert shown in page  # the time beside the document on the record page
    download = browser.get(f"/documents/{requested.json['id']}/file")
    assert f"filename=eingang-{rid}-{local}.docx" in download.headers["Content-Disposition"]


def test_file_stamps_are_berlin_time_on_both_sides_of_midnight():
    assert file_stamp(dt.datetime(2026, 12, 31, 22, 59)) == "20261231-2359"
    assert file_stamp(dt.datetime(2026, 12, 31, 23, 0)) == "20270101-0000"
    assert file_stamp(dt.datetime(2026, 12, 31, 23, 0), minutes=False) == "20270101"
