"""Administrators replace Word templates in the browser; every upload is a revision.

Through the Flask client with CSRF on, against a real SQLite file and Redis; the documents
produced afterwards are opened with python-docx.
"""

from __future__ import annotations

import io
import random
import re

import docx
import pytest

from server.models import AuditEntry, TemplateRevision
from tests.documents.test_docx_check import repack, swap_main
from tests.helpers import csrf_token, login

ANTRAG = {
    "verein": "Kanu & Kajak",
    "email": "kanu@example.org",
    "beginn": "2027-06-01",
    "zweck": "Paddel",
    "betrag": "1250,5",
    "sparten": ["schwimmen", "turnen"],
    "posten": [{"posten": "Paddel", "betrag": "1250,5"}],
}


def word(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph().add_run(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(client, content: bytes, name="eingang.docx", comment="", filename=None):
    page = client.get("/admin/templates/").get_data(as_text=True)
    return client.post(
        "/admin/templates/upload",
        data={
            "csrf_token": csrf_token(page),
            "name": name,
            "comment": comment,
            "file": (io.BytesIO(content), filename or name),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )


@pytest.fixture
def admin_client(client, make_user):
    make_user("vorlagen", ["admin"], "verwaltung")
    login(client, "vorlagen")
    return client


def current(name="eingang.docx") -> TemplateRevision:
    return (
        TemplateRevision.select()
        .where(TemplateRevision.name == name)
        .order_by(TemplateRevision.number.desc())
        .first()
    )


def test_only_admins_see_the_templates(app, client, make_user):
    assert "/auth/login" in client.get("/admin/templates/").headers["Location"]
    make_user("sb", ["clerk"])
    login(client, "sb")
    assert client.get("/admin/templates/").status_code == 403
    assert client.get("/admin/templates/eingang.docx/download").status_code == 403
    assert "Word-Vorlagen" not in client.get("/").get_data(as_text=True)


def test_shipped_files_are_revision_one_and_listed(admin_client):
    page = admin_client.get("/admin/templates/").get_data(as_text=True)
    assert "eingang.docx" in page and "bescheid.docx" in page
    assert "Vereinsförderung: Eingangsbestätigung" in page
    assert page.count("Fassung 1") == 2
    download = admin_client.get("/admin/templates/eingang.docx/download")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].endswith("eingang-fassung-1.docx")
    assert "Verein: {{ antrag.verein }}" in [
        p.text for p in docx.Document(io.BytesIO(download.data)).paragraphs
    ]


def test_an_upload_becomes_the_current_revision_for_every_new_document(
    admin_client, api, work_jobs
):
    response = upload(
        admin_client,
        word(
            "NEU {{ antrag.verein }} ab {{ antrag.beginn|datum('lang') }}",
            "Betrag {{ antrag.betrag|euro }}, Sparten {{ antrag.sparten|label }}",
        ),
        comment="Neuer Briefkopf",
        filename="Eingang final.docx",
    )
    page = response.get_data(as_text=True)
    assert "„eingang.docx“ ist jetzt Fassung 2" in page
    assert "Neuer Briefkopf" in page and "vorlagen" in page and "Eingang final.docx" in page
    assert current().number == 2 and current().author.username == "vorlagen"
    assert AuditEntry.select().where(AuditEntry.action == "template.upload").count() == 1

    club = api("kanu", ["applicant"], "kanu")
    rid = club.post("/records", json={"workflow": "foerderung"}).get_json()["id"]
    club.put(f"/records/{rid}/forms/antrag", json={"data": ANTRAG, "version": 1})
    club.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 2})
    doc = club.post(f"/records/{rid}/documents", json={"document": "eingang"}).get_json()
    work_jobs()
    content = club.get(f"/documents/{doc['id']}/file").data
    assert [p.text for p in docx.Document(io.BytesIO(content)).paragraphs] == [
        "NEU Kanu & Kajak ab 1. Juni 2027",
        "Betrag 1.250,50\u00a0€, Sparten Schwimmen, Turnen",
    ]
    # the document says which wording it was made from, in the API and on the record page
    assert club.get(f"/documents/{doc['id']}").get_json()["template_revision"] == 2
    assert club.get(f"/records/{rid}").get_json()["documents"][0]["template_revision"] == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (word("{{ antrag.vrein }}"), "„antrag.vrein“: das Formular „antrag“ hat kein Feld"),
        (word("{% if antrag.verein %}offen"), "fehlerhafter Platzhalter"),
        (repack(word("x"), {"word/vbaProject.bin": b"\0"}), "Makros oder ActiveX"),
        (
            repack(
                word("x"),
                types=swap_main(b"application/vnd.ms-word.document.macroEnabled.main+xml"),
            ),
            "Makros oder ActiveX",
        ),
        (b"%PDF-1.4", "kein Word-Dokument im .docx-Format"),
    ],
    ids=["unknown-field", "syntax", "vba", "docm", "pdf"],
)
def test_bad_uploads_are_refused_and_nothing_changes(admin_client, content, message):
    page = upload(admin_client, content).get_data(as_text=True)
    assert "Die Vorlage wurde nicht übernommen." in page
    assert message in page
    assert current().number == 1


def test_templates_that_would_stall_the_documents_are_refused_at_upload(admin_client):
    from tests.documents.test_docx_check import paragraph_bomb

    cases = [
        (paragraph_bomb(40), "Die Datei ist entpackt viel zu groß (mehr als 30,0 MB"),
        (paragraph_bomb(3), "mehr als das 100-Fache"),
        (word("{{ 'a' * 30000000 }}"), "der Ausdruck ergibt einen riesigen Wert"),
        (word("{{ antrag.verein|attr('__class__') }}"), "„__class__“: Namen mit „_“ am Anfang"),
        (
            word("{% for p in antrag.posten %}{{ loop.cycle.__globals__ }}{% endfor %}"),
            "„__globals__“: Namen mit „_“ am Anfang",
        ),
    ]
    for content, message in cases:
        page = upload(admin_client, content).get_data(as_text=True)
        assert "Die Vorlage wurde nicht übernommen." in page, message
        assert message in page
        assert current().number == 1


@pytest.fixture
def small_limit(config_dir):
    """config.toml with a 100 kB limit for templates (set up before the app reads it)."""
    with (config_dir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n[documents]\ntemplate_max_bytes = 100000\n")


def test_size_limit_and_names(small_limit, admin_client):
    noise = repack(word("x"), {"word/media/noise.bin": random.Random(2).randbytes(120_000)})
    page = upload(admin_client, noise).get_data(as_text=True)
    assert "Die Datei ist zu groß: erlaubt sind höchstens 0,1 MB." in page
    assert current().number == 1
    page = upload(admin_client, word("x"), name="../../etc/passwd.docx").get_data(as_text=True)
    assert "Der Name einer Vorlage endet auf .docx" in page
    page = upload(admin_client, word("Neu: {{ record.title }}"), name="neu.docx").get_data(
        as_text=True
    )
    assert "„neu.docx“ ist jetzt Fassung 1" in page
    page = admin_client.post(
        "/admin/templates/upload",
        data={"csrf_token": csrf_token(page), "name": "x.docx"},
        content_type="multipart/form-data",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Bitte eine Word-Datei (.docx) auswählen." in page


def test_restore_an_older_revision_and_take_over_a_shipped_file(admin_client, config_dir):
    upload(admin_client, word("Zweite {{ antrag.verein }}"))
    page = admin_client.get("/admin/templates/eingang.docx/").get_data(as_text=True)
    assert re.search(r"2 <span class=\"badge badge-success\">aktuell", page)
    old = admin_client.get("/admin/templates/eingang.docx/download?fassung=1")
    assert old.headers["Content-Disposition"].endswith("eingang-fassung-1.docx")
    page = admin_client.post(
        "/admin/templates/eingang.docx/restore",
        data={"csrf_token": csrf_token(page), "fassung": "1"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Fassung 3 ist jetzt aktuell (Fassung 1 wiederhergestellt)" in page
    assert bytes(current().content) == old.data

    # a deployment ships a new file; the admin's revision is not replaced, but offered
    (config_dir / "exports" / "eingang.docx").write_bytes(word("Aus exports {{ record.id }}"))
    page = admin_client.get("/admin/templates/eingang.docx/").get_data(as_text=True)
    assert "weicht von der aktuellen Fassung ab" in page
    page = admin_client.post(
        "/admin/templates/eingang.docx/exports",
        data={"csrf_token": csrf_token(page)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Die Datei aus exports/ ist jetzt Fassung 4." in page
    assert admin_client.get("/admin/templates/nix.docx/").status_code == 404
    assert admin_client.get("/admin/templates/eingang.docx/download?fassung=99").status_code == 404
    assert admin_client.get("/admin/templates/eingang.docx/download?fassung=x").status_code == 404
