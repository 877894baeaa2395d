"""File fields: uploads kept in the database, checked by content, read behind access checks."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from server.forms.filekinds import safe_filename, sniff
from server.models import AuditEntry
from server.runtime import current_runtime
from tests.helpers import csrf_token, login

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
TEXT = "Satzung des Vereins\n§ 1 Name\n".encode()
EXE = b"MZ\x90\x00\x03" + b"\x00" * 60


def office(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("[Content_Types].xml", *names):
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "jpeg"),
        (office("word/document.xml"), "docx"),
        (office("xl/workbook.xml"), "xlsx"),
        (TEXT, "txt"),
        ("\ufeffÄrger\r\n".encode(), "txt"),
        (office("word/document.xml", "word/vbaProject.bin"), None),  # .docm: macros
        (office("content.xml"), None),  # another zip
        (b"PK\x03\x04kaputt", None),
        (EXE, None),
        (b"text\x00with nul", None),
        ("Latin-1 é".encode("latin-1"), None),
        (b"", None),
    ],
)
def test_kind_is_recognised_by_content(content, kind):
    assert sniff(content) == kind


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("C:\\Users\\x\\satzung.pdf", "satzung.pdf"),
        ("../../etc/passwd", "passwd"),
        ("rechnung\u202efdp.exe", "rechnungfdp.exe"),
        ("  \x00\x1f ", "datei"),
        ("..", "datei"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_file_names_lose_paths_and_control_characters(name, safe):
    assert safe_filename(name) == safe


def upload(client, record_id, content, name="satzung.pdf", **fields):
    return client.post(
        f"/records/{record_id}/files",
        data={"file": (io.BytesIO(content), name), **fields},
        content_type="multipart/form-data",
    )


def new_antrag(client) -> dict:
    response = client.post("/records", json={"workflow": "foerderung"})
    assert response.status_code == 201
    return response.json


def test_upload_save_read_and_download_through_the_api(api):
    club = api("club1", ["applicant"], "verein-a")
    record = new_antrag(club)
    sent = upload(club, record["id"], PDF, name="Satzung 2024.pdf")
    assert sent.status_code == 201, sent.json
    meta = sent.json
    assert meta["name"] == "Satzung 2024.pdf" and meta["type"] == "pdf"
    assert meta["size"] == len(PDF) and sent.headers["Location"] == f"/api/v1/files/{meta['id']}"

    saved = club.put(
        f"/records/{record['id']}/forms/antrag",
        json={"data": {"satzung": meta["id"]}, "version": 1},
    )
    assert saved.status_code == 422  # the rest of the form is missing, the file is fine
    assert "satzung" not in saved.json["errors"]
    data = {
        "verein": "SV Rhein",
        "email": "info@sv.example",
        "beginn": "2027-05-01",
        "zweck": "Bälle",
        "betrag": 300,
        "posten": [{"posten": "Bälle", "betrag": 300}],
        "satzung": meta["id"],
    }
    saved = club.put(f"/records/{record['id']}/forms/antrag", json={"data": data, "version": 1})
    assert saved.status_code == 200, saved.json
    value = saved.json["data"]["antrag"]["satzung"]
    assert value == {"id": meta["id"], "name": "Satzung 2024.pdf", "size": len(PDF), "type": "pdf"}

    # what was read can be sent back unchanged (the object, not only the id)
    data["satzung"] = value
    again = club.put(f"/records/{record['id']}/forms/antrag", json={"data": data, "version": 2})
    assert again.status_code == 200 and again.json["data"]["antrag"]["satzung"] == value

    download = club.get(f"/files/{meta['id']}/content")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "no-store"
    assert club.get(f"/files/{meta['id']}").json["record"] == record["id"]
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.record_id == record["id"])]
    assert "file.upload" in actions and "file.download" in actions


def test_files_of_a_record_are_as_secret_as_the_record(api):
    club = api("club2", ["applicant"], "verein-b")
    other = api("club3", ["applicant"], "verein-c")
    clerk = api("clerk1", ["clerk"], "sportamt")
    record = new_antrag(club)
    meta = upload(club, record["id"], TEXT, name="satzung.txt").json
    for path in (f"/files/{meta['id']}", f"/files/{meta['id']}/content"):
        assert other.get(path).status_code == 404
        assert clerk.get(path).status_code == 200  # clerks read every record
    assert other.get("/files/999999/content").status_code == 404
    # nor can anyone put a file into a record they cannot read
    assert upload(other, record["id"], PDF).status_code == 404
    # nor use another record's upload in their own form
    own = new_antrag(other)
    stolen = other.put(
        f"/records/{own['id']}/forms/antrag", json={"data": {"satzung": meta["id"]}, "version": 1}
    )
    assert stolen.status_code == 422
    assert stolen.json["errors"]["satzung"] == [
        f"„Satzung“: Die Datei Nr. {meta['id']} gibt es nicht, oder sie gehört nicht zu "
        "diesem Datensatz."
    ]


def test_type_is_checked_by_content_not_by_name(api):
    club = api("club4", ["applicant"], "verein-d")
    record = new_antrag(club)
    exe = upload(club, record["id"], EXE, name="satzung.pdf")
    assert exe.status_code == 422
    assert "Geprüft wird der Inhalt, nicht der Name" in exe.json["errors"]["file"][0]
    # a text file called .pdf is a text file; the field takes text, so it is fine
    text = upload(club, record["id"], TEXT, name="satzung.pdf", form="antrag", field="satzung")
    assert text.status_code == 201 and text.json["type"] == "txt"
    # a real PNG is refused by this field, at once when the field is named ...
    png = upload(club, record["id"], PNG, name="satzung.png", form="antrag", field="satzung")
    assert png.status_code == 422
    assert png.json["errors"]["satzung"] == [
        "„Satzung“: Diese Art Datei ist hier nicht erlaubt (erlaubt: PDF, Text (.txt)). "
        "Geprüft wird der Inhalt, nicht der Name."
    ]
    # ... and when the form is saved otherwise
    loose = upload(club, record["id"], PNG, name="satzung.png")
    assert loose.status_code == 201
    saved = club.put(
        f"/records/{record['id']}/forms/antrag",
        json={"data": {"satzung": loose.json["id"]}, "version": 1},
    )
    assert "Diese Art Datei ist hier nicht erlaubt" in saved.json["errors"]["satzung"][0]


def test_size_limits_are_named_in_the_message(api):
    club = api("club5", ["applicant"], "verein-e")
    record = new_antrag(club)
    big_for_field = b"%PDF-" + b"x" * 2500
    field = upload(club, record["id"], big_for_field, form="antrag", field="satzung")
    assert field.json["errors"]["satzung"] == [
        "„Satzung“: Die Datei ist zu groß (2,4 KB; höchstens 2 KB)."
    ]
    over_config = upload(club, record["id"], b"%PDF-" + b"x" * 6000)
    assert over_config.status_code == 422
    assert over_config.json["errors"]["file"] == ["Die Datei ist zu groß (höchstens 4,9 KB)."]
    far_over = upload(club, record["id"], b"%PDF-" + b"x" * 200_000)
    assert far_over.status_code == 413
    assert "höchstens 4,9 KB" in far_over.json["error"]
    empty = upload(club, record["id"], b"")
    assert empty.status_code == 422 and empty.json["errors"]["file"] == ["Die Datei ist leer."]
    wrong_field = upload(club, record["id"], PDF, form="antrag", field="verein")
    assert wrong_field.status_code == 422 and "kein Dateifeld" in wrong_field.json["error"]
    missing = club.post(f"/records/{record['id']}/files", json={"file": "x"})
    assert missing.status_code == 422 and missing.json["errors"] == {"file": ["Die Datei fehlt."]}


def test_no_uploads_where_the_user_may_not_edit(api):
    club = api("club6", ["applicant"], "verein-f")
    record = new_antrag(club)
    data = {
        "verein": "SV",
        "email": "a@b.de",
        "beginn": "2027-01-01",
        "zweck": "x",
        "betrag": 10,
        "posten": [{"posten": "p", "betrag": 10}],
    }
    saved = club.put(f"/records/{record['id']}/forms/antrag", json={"data": data, "version": 1})
    assert saved.status_code == 200
    moved = club.post(
        f"/records/{record['id']}/transitions", json={"to": "eingereicht", "version": 2}
    )
    assert moved.status_code == 200
    refused = upload(club, record["id"], PDF)
    assert refused.status_code == 403 and "keine Dateien hinzufügen" in refused.json["error"]


ANTRAG_FORM = {
    "antrag-verein": "Ruderclub",
    "antrag-email": "rc@rhein.example",
    "antrag-beginn": "2027-04-01",
    "antrag-zweck": "Boot",
    "antrag-betrag": "2500",
    "antrag-posten-0-posten": "Boot",
    "antrag-posten-0-betrag": "2500",
}


def screen_record(client) -> str:
    page = client.get("/records/foerderung/").get_data(as_text=True)
    created = client.post("/records/foerderung/new", data={"csrf_token": csrf_token(page)})
    return created.headers["Location"]


def post_form(client, url, data):
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    return client.post(
        url + "/forms/antrag",
        data={**data, "version": version, "csrf_token": csrf_token(page)},
        content_type="multipart/form-data",
    )


def test_screen_uploads_with_the_form_shows_and_removes_the_file(client, app, make_user):
    make_user("verein7", ["applicant"], "rc7")
    make_user("verein8", ["applicant"], "rc8")
    login(client, "verein7")
    url = screen_record(client)
    page = client.get(url).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'accept=".pdf,.txt"' in page and 'data-max-bytes="2000"' in page
    saved = post_form(
        client, url, {**ANTRAG_FORM, "antrag-satzung-_upload": (io.BytesIO(PDF), "satzung.pdf")}
    )
    assert saved.status_code == 302
    page = client.get(url).get_data(as_text=True)
    link = re.search(r'href="(/files/(\d+))">satzung.pdf</a>', page)
    assert link, page
    assert client.get(link.group(1)).data == PDF
    stranger = app.test_client()
    login(stranger, "verein8")
    assert stranger.get(link.group(1)).status_code == 404
    history = client.get(url + "/verlauf").get_data(as_text=True)  # read on demand
    assert "Satzung: " in history and "→ satzung.pdf" in history  # the history names the file

    # saving again without touching the file keeps it; ticking "remove" removes it
    kept = post_form(client, url, {**ANTRAG_FORM, "antrag-satzung": link.group(2)})
    assert kept.status_code == 302
    assert "satzung.pdf</a>" in client.get(url).get_data(as_text=True)
    removed = post_form(
        client, url, {**ANTRAG_FORM, "antrag-satzung": link.group(2), "antrag-satzung-_remove": "1"}
    )
    assert removed.status_code == 302
    assert "satzung.pdf</a>" not in client.get(url).get_data(as_text=True)


def test_screen_refused_file_keeps_what_was_typed(client, make_user):
    make_user("verein9", ["applicant"], "rc9")
    login(client, "verein9")
    url = screen_record(client)
    response = post_form(
        client,
        url,
        {
            **ANTRAG_FORM,
            "antrag-email": "kaputt",
            "antrag-satzung-_upload": (io.BytesIO(PNG), "bild.pdf"),
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "„Satzung“: Diese Art Datei ist hier nicht erlaubt" in html
    assert "„E-Mail für Rückfragen“: Bitte eine gültige E-Mail-Adresse eingeben." in html
    assert 'value="Ruderclub"' in html and 'value="kaputt"' in html

    # a good file with a mistake elsewhere: the file is kept for the next try
    response = post_form(
        client,
        url,
        {
            **ANTRAG_FORM,
            "antrag-email": "kaputt",
            "antrag-satzung-_upload": (io.BytesIO(TEXT), "satzung.txt"),
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    kept = re.search(r'name="antrag-satzung" value="(\d+)"', html)
    assert kept and "satzung.txt</a>" in html
    fixed = post_form(client, url, {**ANTRAG_FORM, "antrag-satzung": kept.group(1)})
    assert fixed.status_code == 302
    assert "satzung.txt</a>" in client.get(url).get_data(as_text=True)


def test_a_file_beyond_the_request_limit_gets_a_german_page_naming_it(client, make_user):
    make_user("verein10", ["applicant"], "rc10")
    login(client, "verein10")
    url = screen_record(client)
    response = post_form(
        client,
        url,
        {**ANTRAG_FORM, "antrag-satzung-_upload": (io.BytesIO(b"x" * 100_000), "gross.pdf")},
    )
    assert response.status_code == 413
    assert "eine Datei darf höchstens 4,9 KB haben" in response.get_data(as_text=True)


def test_a_file_no_save_took_up_is_gone_a_day_later_and_a_saved_one_stays(app, api, work_jobs):
    """A file chosen but never saved with the form (tab closed, another file chosen) would
    stay for good, unseen; the hourly job removes it after a day. Files a save refers to,
    now or in the form's history, stay."""
    import datetime as dt

    from server import clock
    from server.jobs.periodic import enqueue_due
    from server.models import Upload

    club = api("club9", ["applicant"], "verein-a")
    record = new_antrag(club)
    first = upload(club, record["id"], PDF, name="Satzung alt.pdf").json
    second = upload(club, record["id"], TEXT, name="Satzung neu.txt").json
    never = upload(club, record["id"], PDF, name="verworfen.pdf").json
    data = {
        "verein": "SV Rhein",
        "email": "info@sv.example",
        "beginn": "2027-05-01",
        "zweck": "Bälle",
        "betrag": 300,
        "posten": [{"posten": "Bälle", "betrag": 300}],
        "satzung": first["id"],
    }
    path = f"/records/{record['id']}/forms/antrag"
    assert club.put(path, json={"data": data, "version": 1}).status_code == 200
    # the first file is replaced: it stays, the history still shows it
    data["satzung"] = second["id"]
    assert club.put(path, json={"data": data, "version": 2}).status_code == 200

    settings = current_runtime(app).settings
    enqueue_due(settings)
    work_jobs()  # the same hour: nothing is a day old yet
    assert club.get(f"/files/{never['id']}").status_code == 200

    clock.freeze(clock.now() + dt.timedelta(hours=25))
    try:
        from server.queue.connection import get_redis

        get_redis(settings).delete("verbund:periodic:unused-uploads")  # the next hour
        enqueue_due(settings)
        work_jobs()
    finally:
        clock.freeze(None)
    assert club.get(f"/files/{never['id']}").status_code == 404
    assert club.get(f"/files/{first['id']}/content").data == PDF
    assert club.get(f"/files/{second['id']}/content").data == TEXT
    assert Upload.get_by_id(first["id"]).kept and Upload.get_by_id(second["id"]).kept
    entry = AuditEntry.get(AuditEntry.action == "file.remove_unused")
    assert entry.record_id == record["id"] and entry.detail["count"] == 1
    assert entry.detail["files"] == [never["id"]]
