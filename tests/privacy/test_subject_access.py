"""Subject access (Art. 15): one export of everything held about a person."""

from __future__ import annotations

import io
import json
import zipfile

from server.models import AuditEntry
from tests.helpers import csrf_token, login

from .conftest import CASE, new_case


def test_the_dpo_finds_a_person_across_records_and_exports_a_zip(app, office, work_jobs):
    first = new_case(office["berater"])["id"]
    other = new_case(office["fremd"], {**CASE, "name": "Amira Beispiel", "geburtsjahr": 1990})["id"]
    stranger = new_case(office["berater"], {**CASE, "name": "Jonas Anders", "email": "j@x.de"})[
        "id"
    ]
    # an old name only in an earlier version is found too
    renamed = new_case(office["kollegin"], {**CASE, "name": "Amira Früher"})["id"]
    office["kollegin"].put(
        f"/records/{renamed}/forms/fall",
        json={"data": {**CASE, "name": "Jemand Anderes"}, "version": 3},
    )
    office["berater"].post(f"/records/{first}/documents", json={"document": "vermerk"})
    work_jobs()
    office["leitung"].get(f"/records/{first}")  # somebody read it

    browser = app.test_client()
    login(browser, "dpo")
    page = browser.get("/datenschutz/auskunft/?q=amira&q2=1990")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    found = {int(v) for v in __import__("re").findall(r'name="record" value="(\d+)"', html)}
    assert found == {first, other, renamed}
    assert stranger not in found
    assert "Fall: Name" in html  # which field matched
    search = AuditEntry.select().where(AuditEntry.action == "subject_access.search").get()
    assert "amira" not in json.dumps(search.detail).lower()

    export = browser.post(
        "/datenschutz/auskunft/export",
        data={"csrf_token": csrf_token(html), "record": [str(first), str(other)]},
    )
    assert export.status_code == 200 and export.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(export.data))
    names = set(archive.namelist())
    assert "LIESMICH.txt" in names
    assert f"datensatz-{first}/record.json" in names
    assert any(n.startswith(f"datensatz-{first}/dokumente/") and n.endswith(".docx") for n in names)
    record = json.loads(archive.read(f"datensatz-{first}/record.json"))
    assert record["angaben"]["Fall"]["Name"]["anzeige"] == "Amira Beispiel"
    assert record["einwilligungen"][0]["textfassung"] == "2026-01"
    versions = json.loads(archive.read(f"datensatz-{first}/form_versions.json"))
    assert (
        versions[0]["von"] == "berater" and versions[0]["werte"]["Name"]["wert"] == "Amira Beispiel"
    )
    log = json.loads(archive.read(f"datensatz-{first}/access_log.json"))
    wanted = {"wer": "leitung", "organisation": "org-a", "aktion": "record.read"}
    assert any(wanted.items() <= e.items() for e in log)
    assert log[-1]["aktion"] == "subject_access.export" and log[-1]["wer"] == "dpo"
    assert all("adresse" not in e for e in log)
    assert f"datensatz-{stranger}/record.json" not in names
    exports = AuditEntry.select().where(AuditEntry.action == "subject_access.export")
    assert sorted(e.record_id for e in exports) == sorted([first, other])


def test_subject_access_is_for_the_dpo_only(app, office):
    for name in ("berater", "leitung", "koordination"):
        browser = app.test_client()
        login(browser, name)
        assert browser.get("/datenschutz/auskunft/?q=amira").status_code == 403
    browser = app.test_client()
    login(browser, "dpo")
    short = browser.get("/datenschutz/auskunft/?q=am")
    assert short.status_code == 200 and "mindestens 3 Zeichen" in short.get_data(as_text=True)
    token = csrf_token(browser.get("/datenschutz/auskunft/").get_data(as_text=True))
    empty = browser.post(
        "/datenschutz/auskunft/export", data={"csrf_token": token}, follow_redirects=True
    )
    assert "mindestens einen Datensatz" in empty.get_data(as_text=True)


def test_the_search_reads_candidates_a_chunk_at_a_time(app, office, monkeypatch):
    """The records and their saved versions are read a chunk of candidates at a time (two
    statements per chunk, not one per record); the current names come through the text
    index, earlier ones from the saved versions; the answer is the same as before."""
    from server.runtime import current_runtime
    from server.services.privacy import subject_access
    from tests.sql_statements import counted_statements

    named = [
        new_case(office["berater"], {**CASE, "name": f"Amira Reihe {n}"}, consent=False)["id"]
        for n in range(7)
    ]
    renamed = new_case(office["kollegin"], {**CASE, "name": "Amira Vorher"}, consent=False)["id"]
    office["kollegin"].put(
        f"/records/{renamed}/forms/fall",
        json={"data": {**CASE, "name": "Jemand Anderes"}, "version": 2},
    )
    new_case(office["berater"], {**CASE, "name": "Jonas Anders", "email": "j@x.de"}, consent=False)
    monkeypatch.setattr(subject_access, "CHUNK", 4)
    defs = current_runtime(app).definitions
    with counted_statements() as log:
        found = subject_access.find_person(defs, ["Amira", "1990"])
    assert [m.record.id for m in found] == sorted([*named, renamed])
    assert all("Fall: Name" in m.fields for m in found)
    chunks = 2  # eight candidates, four a chunk (one query per record would be 9 in all)
    assert len(log) <= 3 + 2 * chunks, log.report()
    assert subject_access.find_person(defs, ["Amira", "1991"]) == []
