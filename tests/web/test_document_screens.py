"""A failed document says why on the record page and can be tried again with one click."""

from __future__ import annotations

import io
import re

import docx

from tests.helpers import csrf_token, install_template, login

ANTRAG = {
    "verein": "Ruderclub <Rhein> & Co",
    "email": "rc@rhein.example",
    "beginn": "2027-04-01",
    "zweck": "Boot",
    "betrag": "2500.75",
    "posten": [{"posten": "Boot", "betrag": "2500.75"}],
}


def word(text: str):
    document = docx.Document()
    document.add_paragraph().add_run(text)
    return document


def submitted(api):
    club = api("verein1", ["applicant"], "rc")
    rid = club.post("/records", json={"workflow": "foerderung"}).get_json()["id"]
    club.put(f"/records/{rid}/forms/antrag", json={"data": ANTRAG, "version": 1})
    club.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 2})
    return club, f"/records/foerderung/{rid}"


def request_on_page(client, url) -> int:
    page = client.get(url).get_data(as_text=True)
    client.post(url + "/documents", data={"document": "eingang", "csrf_token": csrf_token(page)})
    page = client.get(url).get_data(as_text=True)
    return int(re.search(r'data-status-url="/documents/(\d+)"', page).group(1))


def document_item(page: str, request_id: int) -> str:
    start = page.index(f'data-status-url="/documents/{request_id}"')
    return page[start : page.index("</li>", start)]


def test_failed_document_shows_the_reason_and_a_retry_button_that_works(client, api, work_jobs):
    club, url = submitted(api)
    login(client, "verein1")
    install_template("eingang.docx", word("{{ antrag.verein.upper() }}"))
    request_id = request_on_page(client, url)
    item = document_item(client.get(url).get_data(as_text=True), request_id)
    assert 'data-status="queued"' in item and "wartet" in item
    assert 'class="verbund-retry d-none"' in item  # no retry while waiting

    work_jobs()
    status = client.get(f"/documents/{request_id}").json
    assert status["status"] == "failed"
    assert "Vorlagen dürfen nur Werte einsetzen" in status["error"]
    page = client.get(url).get_data(as_text=True)
    item = document_item(page, request_id)
    assert "fehlgeschlagen" in item and "Vorlagen dürfen nur Werte einsetzen" in item
    assert 'class="verbund-retry"' in item and "Erneut versuchen" in item
    assert 'class="verbund-download d-none"' in item

    # the administration fixes the template; staff press the button
    install_template("eingang.docx", word("Verein: {{ antrag.verein }}"))
    retried = client.post(f"/documents/{request_id}/retry", data={"csrf_token": csrf_token(page)})
    assert retried.status_code == 302 and retried.headers["Location"].endswith(url + "#dokumente")
    page = client.get(url).get_data(as_text=True)
    assert "„Eingangsbestätigung“ wird neu erstellt." in page
    assert 'data-status="queued"' in document_item(page, request_id)
    work_jobs()
    assert client.get(f"/documents/{request_id}").json["status"] == "finished"
    download = client.get(f"/documents/{request_id}/file")
    assert [p.text for p in docx.Document(io.BytesIO(download.data)).paragraphs] == [
        "Verein: Ruderclub <Rhein> & Co"
    ]

    # a finished document is not made again; through the API the same rule, as JSON
    page = client.get(url).get_data(as_text=True)
    again = client.post(
        f"/documents/{request_id}/retry",
        data={"csrf_token": csrf_token(page)},
        follow_redirects=True,
    )
    assert "Nur ein fehlgeschlagenes Dokument kann neu erstellt werden." in again.get_data(
        as_text=True
    )
    answer = club.post(f"/documents/{request_id}/retry")
    assert answer.status_code == 409 and "fehlgeschlagenes" in answer.get_json()["error"]


def test_retry_respects_access(client, api, make_user, work_jobs):
    club, url = submitted(api)
    install_template("eingang.docx", word("{{ antrag.verein.upper() }}"))
    request_id = club.post(
        f"/records/{url.rsplit('/', 1)[1]}/documents", json={"document": "eingang"}
    ).get_json()["id"]
    work_jobs()
    stranger = api("fremd", ["applicant"], "anderer-verein")
    assert stranger.post(f"/documents/{request_id}/retry").status_code == 404
    make_user("fremd2", ["applicant"], "noch-einer")
    login(client, "fremd2")
    page = client.get("/").get_data(as_text=True)
    response = client.post(f"/documents/{request_id}/retry", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 404
    answer = club.post(f"/documents/{request_id}/retry")
    assert answer.status_code == 202 and answer.get_json()["status"] == "queued"
