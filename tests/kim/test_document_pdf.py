"""PDF/A beside the .docx, and documents that say why they cannot be made now.

The minutes (workflows/meeting.toml, ``formats = ["docx", "pdf"]``) are made by the real
document job: docxtpl in the render child, then LibreOffice. The PDF is opened with pikepdf
and checked as an archive would: PDF/A-2b declared in its XMP metadata, every font embedded,
tagged for screen readers, German, titled. A PDF that cannot be made fails the request with
a German reason, and no file is stored.
"""

from __future__ import annotations

import io
import re

import pikepdf
import pytest

from server.models import DocumentFile, DocumentRequest
from tests.helpers import login
from tests.kim.test_meetings import MEETING, move, new_meeting

pytestmark = pytest.mark.skipif(
    not __import__("shutil").which("soffice"), reason="LibreOffice (soffice) is not installed"
)


@pytest.fixture
def office(api):
    return api("sekretariat", ["secretary"], "amt")


def request_minutes(office) -> int:
    record = move(office, new_meeting(office), "held")
    answer = office.post(f"/records/{record['id']}/documents", json={"document": "protokoll"})
    assert answer.status_code == 202, answer.get_json()
    return answer.get_json()["id"]


def fonts_of(pdf: pikepdf.Pdf) -> list[tuple[str, bool]]:
    """(name, embedded) for every font on every page, descendant fonts included."""
    found = []
    for page in pdf.pages:
        for font in (page.Resources.get("/Font") or {}).values():
            for part in [font, *(font.get("/DescendantFonts") or [])]:
                descriptor = part.get("/FontDescriptor")
                if descriptor is None:
                    continue
                embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                found.append((str(part.get("/BaseFont")), embedded))
    return found


def test_the_minutes_come_as_tagged_pdfa_beside_the_docx(office, work_jobs):
    request_id = request_minutes(office)
    work_jobs()

    status = office.get(f"/documents/{request_id}").get_json()
    assert status["status"] == "finished", status
    assert status["formats"] == ["docx", "pdf"]
    docx_file = office.get(f"/documents/{request_id}/file")
    assert docx_file.data.startswith(b"PK")
    answer = office.get(f"/documents/{request_id}/file.pdf")
    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"].endswith(".pdf")

    with pikepdf.open(io.BytesIO(answer.data)) as pdf:
        meta = pdf.open_metadata()
        assert meta.pdfa_status == "2B"
        assert meta.get("dc:title") == "Protokoll"  # the document title, shown by readers
        fonts = fonts_of(pdf)
        assert fonts and all(embedded for _name, embedded in fonts), fonts
        assert "/StructTreeRoot" in pdf.Root  # tagged: headings, tables, reading order
        assert bool(pdf.Root.MarkInfo.Marked)
        assert str(pdf.Root.Lang) == "de-DE"
        tags = {str(e.get("/S")) for e in _struct_elements(pdf.Root.StructTreeRoot)}
        assert {"/H1", "/Table", "/TH"} <= tags, tags  # real headings, marked header cells
        text = b"".join(page.Contents.read_bytes() for page in pdf.pages)
    assert text  # pages with content

    # the invitation asks for no PDF: no such file, and it says so
    record = new_meeting(office)
    invitation = office.post(f"/records/{record['id']}/documents", json={"document": "einladung"})
    work_jobs()
    invitation_id = invitation.get_json()["id"]
    assert office.get(f"/documents/{invitation_id}").get_json()["formats"] == ["docx"]
    missing = office.get(f"/documents/{invitation_id}/file.pdf")
    assert missing.status_code == 409  # readable, just made without a PDF
    assert "keine PDF-Fassung" in missing.get_json()["error"]


def _struct_elements(node, depth: int = 0):
    if depth > 60:
        return
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _struct_elements(kid, depth + 1)


def test_without_libreoffice_the_request_fails_with_a_reason(
    office, work_jobs, tmp_path, monkeypatch
):
    request_id = request_minutes(office)
    monkeypatch.setenv("PATH", str(tmp_path))  # a server where LibreOffice is missing
    work_jobs()

    failed = DocumentRequest.get_by_id(request_id)
    assert failed.status == "failed" and failed.attempts == 1  # no pointless retries
    assert "LibreOffice ist auf diesem Server nicht installiert" in failed.error
    assert not DocumentFile.select().where(DocumentFile.request == request_id).exists()


def test_a_document_not_open_now_says_in_which_phases_it_is(app, office, make_user):
    record = new_meeting(office, {**MEETING, "agenda": []})
    detail = office.get(f"/records/{record['id']}").get_json()
    assert detail["unavailable_documents"] == [
        {
            "id": "protokoll",
            "label": "Protokoll",
            "reason": "nur in „Protokoll in Arbeit“, „Protokoll genehmigt“ – jetzt "
            "„In Vorbereitung“",
        }
    ]

    client = app.test_client()
    login(client, "sekretariat")
    page = client.get(f"/records/meeting/{record['id']}").get_data(as_text=True)
    listed = re.search(r'<ul class="small mb-2 verbund-unavailable"[^>]*>(.*?)</ul>', page, re.S)
    assert listed, "the record page lists the documents not open now"
    assert "Protokoll: nur in „Protokoll in Arbeit“" in listed.group(1).replace("&#34;", '"')
    assert 'aria-labelledby="dokumente-nicht-verfuegbar"' in page
