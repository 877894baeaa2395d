"""Every save is a version; the form's history page shows them and what changed."""

from __future__ import annotations

import io
import re

from server.schema import parse_form
from server.web.values import changes
from tests.helpers import csrf_token, login

ANTRAG = {
    "verein": "SV Rhein",
    "email": "info@sv-rhein.example",
    "beginn": "2027-05-01",
    "zweck": "Bälle",
    "betrag": 300,
    "posten": [{"posten": "Bälle", "betrag": 300}, {"posten": "Netze", "betrag": 50}],
}


def test_history_lists_versions_with_author_time_and_changes(client, api):
    club = api("club1", ["applicant"], "verein-a")
    clerk = api("clerk1", ["clerk"])
    record = club.post("/records", json={"workflow": "foerderung"}).json
    rid = record["id"]
    assert (
        club.put(f"/records/{rid}/forms/antrag", json={"data": ANTRAG, "version": 1}).status_code
        == 200
    )
    second = {
        **ANTRAG,
        "verein": "SV Rhein 1900",
        "betrag": "1250,5",
        "posten": [
            {"posten": "Tore", "betrag": 900},
            {"posten": "Bälle", "betrag": 350},
        ],
    }
    assert (
        clerk.put(f"/records/{rid}/forms/antrag", json={"data": second, "version": 2}).status_code
        == 200
    )

    login(client, "clerk1")
    page = client.get(f"/records/foerderung/{rid}/forms/antrag/history").get_data(as_text=True)
    versions = re.findall(r'id="version-(\d+)"', page)
    assert versions == ["2", "1"]  # newest first
    newest = page[page.index('id="version-2"') : page.index('id="version-1"')]
    assert "clerk1" in newest and "Datensatz-Version 3" in newest
    assert "<td>Name des Vereins</td><td><del>SV Rhein</del></td><td>SV Rhein 1900</td>" in newest
    assert "<td>Beantragter Betrag (Euro)</td><td><del>300</del></td><td>1.250,5</td>" in newest
    # rows matched like lines: "Tore" came in first, "Bälle" changed its amount, "Netze" went
    assert "Kostenplan: Zeile 1 hinzugefügt" in newest
    assert "Kostenplan, Zeile 2: Betrag (Euro)</td><td><del>300</del></td><td>350" in newest
    assert "Kostenplan: Zeile 2 entfernt</td><td><del>Posten: Netze; Betrag (Euro): 50</del>" in (
        newest
    )
    oldest = page[page.index('id="version-1"') :]
    assert "club1" in oldest and "<td>E-Mail für Rückfragen</td><td><del></del></td>" in oldest

    record_page = client.get(f"/records/foerderung/{rid}").get_data(as_text=True)
    assert f'href="/records/foerderung/{rid}/forms/antrag/history"' in record_page


def test_history_is_behind_the_record_access_check(client, app, api, make_user):
    owner = api("club2", ["applicant"], "verein-b")
    make_user("club3", ["applicant"], "verein-c")
    rid = owner.post("/records", json={"workflow": "foerderung"}).json["id"]
    stranger = app.test_client()
    login(stranger, "club3")
    assert stranger.get(f"/records/foerderung/{rid}/forms/antrag/history").status_code == 404
    login(client, "club2")
    assert client.get(f"/records/foerderung/{rid}/forms/antrag/history").status_code == 200
    for path in (
        f"/records/verband/{rid}/forms/antrag/history",  # wrong workflow in the address
        f"/records/foerderung/{rid}/forms/gibtsnicht/history",
        f"/records/foerderung/{rid}/forms/verband/history",  # a form of another workflow
        "/records/foerderung/99999999999999999999999/forms/antrag/history",
    ):
        assert client.get(path).status_code == 404, path
    empty = client.get(f"/records/foerderung/{rid}/forms/bescheid/history")
    assert "noch nicht gespeichert" in empty.get_data(as_text=True)


FORM, _ = parse_form(
    "f",
    """\
title = "F"
[[fields]]
name = "a"
type = "date"
label = "Datum"
[[fields]]
name = "tags"
type = "multiselect"
label = "Tags"
choices = [{value = "x", label = "Iks"}, {value = "y", label = "Ypsilon"}]
[[fields]]
name = "ok"
type = "boolean"
label = "Geprüft"
[[fields]]
name = "rows"
type = "table"
label = "Zeilen"
[[fields.columns]]
name = "n"
type = "integer"
label = "N"
""",
    "forms/f.toml",
)


def test_changes_are_readable_and_skip_what_stayed():
    before = {"a": "2024-01-31", "tags": ["x"], "rows": [{"n": 1}, {"n": 2}, {"n": 3}]}
    after = {"a": "2024-02-01", "tags": ["x", "y"], "rows": [{"n": 1}, {"n": 3}, {"n": 4}]}
    assert changes(FORM, before, after) == [
        {"label": "Datum", "old": "31.01.2024", "new": "01.02.2024"},
        {"label": "Tags", "old": "Iks", "new": "Iks, Ypsilon"},
        {"label": "Zeilen: Zeile 2 entfernt", "old": "N: 2", "new": ""},
        {"label": "Zeilen: Zeile 3 hinzugefügt", "old": "", "new": "N: 4"},
    ]
    assert changes(FORM, after, after) == []
    assert changes(FORM, {"tags": []}, {"tags": None, "rows": []}) == []
    # a box never ticked, saved unticked, reads "Nein" before and after: no entry "Nein → Nein"
    assert changes(FORM, {}, {"ok": False}) == []
    assert changes(FORM, {"ok": False}, {"ok": True}) == [
        {"label": "Geprüft", "old": "Nein", "new": "Ja"}
    ]


def test_screen_stale_save_with_a_file_keeps_input_and_file(client, app, make_user):
    make_user("club4", ["applicant"], "verein-d")
    make_user("clerk2", ["clerk"])
    login(client, "club4")
    page = client.get("/records/foerderung/").get_data(as_text=True)
    url = client.post("/records/foerderung/new", data={"csrf_token": csrf_token(page)}).headers[
        "Location"
    ]
    page = client.get(url).get_data(as_text=True)
    other = app.test_client()
    login(other, "clerk2")
    other_page = other.get(url).get_data(as_text=True)
    complete = {
        "antrag-verein": "Fassung B",
        "antrag-email": "b@b.de",
        "antrag-beginn": "2027-01-01",
        "antrag-zweck": "z",
        "antrag-betrag": "5",
        "antrag-posten-0-posten": "p",
        "antrag-posten-0-betrag": "5",
        "version": "1",
    }
    first = other.post(
        url + "/forms/antrag", data={**complete, "csrf_token": csrf_token(other_page)}
    )
    assert first.status_code == 302
    response = client.post(
        url + "/forms/antrag",
        data={
            **complete,
            "antrag-verein": "Meine Fassung",
            "antrag-satzung-_upload": (io.BytesIO(b"%PDF-1.4 x"), "satzung.pdf"),
            "csrf_token": csrf_token(page),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "inzwischen von clerk2 geändert" in html
    assert 'value="Meine Fassung"' in html and "satzung.pdf</a>" in html
    assert 'name="version" value="2"' in html
