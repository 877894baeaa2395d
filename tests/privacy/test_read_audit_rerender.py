"""A save that fails shows the whole case again: that is a read, and it is in the log."""

from __future__ import annotations

import pytest

from server.models import AuditEntry
from tests.helpers import csrf_token, login

from .conftest import new_case


def reads(record_id: int) -> int:
    return (
        AuditEntry.select()
        .where((AuditEntry.record_id == record_id) & (AuditEntry.action == "record.read"))
        .count()
    )


@pytest.mark.parametrize(
    "change,status",
    [({"fall-geburtsjahr": "kein Jahr"}, 422), ({"version": "1"}, 409)],
)
def test_a_case_shown_again_after_a_failed_save_is_audited(app, office, change, status):
    rid = new_case(office["berater"])["id"]
    browser = app.test_client()
    login(browser, "berater")
    token = csrf_token(browser.get("/").get_data(as_text=True))
    before = reads(rid)
    form = {"csrf_token": token, "version": "2", "fall-name": "Amira Beispiel", **change}
    response = browser.post(f"/records/beratung/{rid}/forms/fall", data=form)
    assert response.status_code == status
    # the case page in full (its saved note was seen only in the history, now read on demand)
    html = response.get_data(as_text=True)
    assert 'id="record-title"' in html and 'id="verlauf"' in html and "Amira Beispiel" in html
    assert reads(rid) == before + 1
    entry = (
        AuditEntry.select()
        .where(AuditEntry.action == "record.read")
        .order_by(AuditEntry.id.desc())
        .get()
    )
    assert entry.username == "berater" and entry.detail["view"] == "records.save"
