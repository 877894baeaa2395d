"""Every read of a case is in the audit log; nobody can change or delete an entry."""

from __future__ import annotations

import datetime as dt

import peewee
import pytest

from server.models import AuditEntry, database
from server.services.privacy.audit_lock import purge_audit
from tests.helpers import csrf_token, login

from .conftest import new_case


def reads(record_id: int) -> list[AuditEntry]:
    return list(
        AuditEntry.select()
        .where((AuditEntry.record_id == record_id) & (AuditEntry.action == "record.read"))
        .order_by(AuditEntry.id)
    )


def test_a_case_page_read_names_who_organisation_what_when_and_where(app, office):
    rid = new_case(office["berater"])["id"]
    browser = app.test_client()
    login(browser, "leitung")
    before = len(reads(rid))
    page = browser.get(f"/records/beratung/{rid}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert page.status_code == 200 and "Amira Beispiel" in page.get_data(as_text=True)
    entries = reads(rid)
    assert len(entries) == before + 1
    entry = entries[-1]
    assert entry.username == "leitung" and entry.organisation == "org-a"
    assert entry.detail == {"view": "records.record"}
    assert entry.remote_addr == "10.1.2.3"
    assert abs(entry.at - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(minutes=1)
    # no form contents anywhere in the log
    assert "Amira" not in str([(e.detail, e.object_id) for e in AuditEntry.select()])


def test_api_reads_and_document_status_and_download_are_audited(office, work_jobs):
    client = office["berater"]
    rid = new_case(client)["id"]
    client.get(f"/records/{rid}")
    assert reads(rid)[-1].detail == {"view": "api.get_record"}
    client.get(f"/records/{rid}/consents")
    assert reads(rid)[-1].detail == {"view": "api.get_consents"}
    doc = client.post(f"/records/{rid}/documents", json={"document": "vermerk"}).json["id"]
    work_jobs()
    client.get(f"/documents/{doc}")
    client.get(f"/documents/{doc}")  # a poll right after: one entry is enough
    status_reads = [e for e in reads(rid) if e.detail["view"] == "api.get_document"]
    assert len(status_reads) == 1 and status_reads[0].object_type == "document"
    assert client.get(f"/documents/{doc}/file").status_code == 200
    downloads = AuditEntry.select().where(AuditEntry.action == "document.download")
    assert [e.record_id for e in downloads] == [rid]
    # the download's own entry is the only one: no second "record.read" for it
    assert not [e for e in reads(rid) if e.detail["view"] == "api.get_document_file"]


def test_unreadable_records_and_failed_reads_leave_no_read_entry(office):
    rid = new_case(office["berater"])["id"]
    count = AuditEntry.select().count()
    assert office["fremd"].get(f"/records/{rid}").status_code == 404
    assert office["berater"].get("/records/999999").status_code == 404
    assert AuditEntry.select().count() == count


def test_list_searches_are_audited_with_a_keyed_hash_not_the_term(office):
    office["berater"].get("/records?workflow=beratung&search=Amira")
    entry = AuditEntry.select().where(AuditEntry.action == "record.list").get()
    assert entry.detail["workflow"] == "beratung" and "search_hash" in entry.detail
    assert "Amira" not in str(entry.detail) and "amira" not in str(entry.detail)


def test_the_database_refuses_to_change_or_delete_audit_entries(office):
    new_case(office["berater"])
    entry = AuditEntry.select().first()
    with pytest.raises(peewee.DatabaseError, match="Protokoll"):
        with database.atomic():
            AuditEntry.update(action="geschoent").where(AuditEntry.id == entry.id).execute()
    with pytest.raises(peewee.DatabaseError, match="Protokoll"):
        with database.atomic():
            AuditEntry.delete().where(AuditEntry.id == entry.id).execute()
    assert AuditEntry.get_by_id(entry.id).action == entry.action


def test_only_the_purge_deletes_and_only_entries_older_than_its_cutoff(office):
    new_case(office["berater"])
    total = AuditEntry.select().count()
    assert purge_audit(dt.datetime(2000, 1, 1)) == 0
    assert AuditEntry.select().count() == total
    cutoff = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=5)
    assert purge_audit(cutoff) == total
    remaining = list(AuditEntry.select())
    assert [e.action for e in remaining] == ["audit.purge"]
    assert remaining[0].detail["deleted"] == total
    # the permit is gone again: deleting by hand is refused as before
    with pytest.raises(peewee.DatabaseError):
        with database.atomic():
            AuditEntry.delete().execute()


def test_admins_and_the_dpo_search_the_log_others_get_403(app, office):
    rid = new_case(office["berater"])["id"]
    office["leitung"].get(f"/records/{rid}")
    from server.services.accounts.people import create_user, get_or_create_organisation
    from tests.helpers import PASSWORD

    create_user("verwalter", PASSWORD, ["admin"], get_or_create_organisation("stadt"))
    for name, allowed in (
        ("dpo", True),
        ("verwalter", True),
        ("berater", False),
        ("koordination", False),
    ):
        browser = app.test_client()
        login(browser, name)
        page = browser.get(f"/datenschutz/protokoll/?record={rid}&user=leitung&action=record")
        assert page.status_code == (200 if allowed else 403), name
        if allowed:
            html = page.get_data(as_text=True)
            assert 'id="treffer">1<' in html and "api.get_record" in html
    browser = app.test_client()
    login(browser, "dpo")
    bad = browser.get("/datenschutz/protokoll/?from=gestern&record=abc")
    assert bad.status_code == 422 and "TT.MM.JJJJ" in bad.get_data(as_text=True)
    csv = browser.get(f"/datenschutz/protokoll/export.csv?record={rid}")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "record.read" in csv.get_data(as_text=True)
    exported = AuditEntry.select().where(AuditEntry.action == "audit.export").get()
    assert exported.username == "dpo" and exported.detail["record"] == str(rid)


def test_there_is_no_route_that_changes_the_audit_log(app):
    for rule in app.url_map.iter_rules():
        if "protokoll" in rule.rule or "audit" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule.rule


def test_the_screen_record_page_poll_is_audited_once(app, office, work_jobs):
    client = office["berater"]
    rid = new_case(client)["id"]
    doc = client.post(f"/records/{rid}/documents", json={"document": "vermerk"}).json["id"]
    browser = app.test_client()
    login(browser, "berater")
    for _ in range(3):
        assert browser.get(f"/documents/{doc}").status_code == 200
    polls = [e for e in reads(rid) if e.detail["view"] == "documents.status"]
    assert len(polls) == 1
    token = csrf_token(browser.get(f"/records/beratung/{rid}").get_data(as_text=True))
    assert token
