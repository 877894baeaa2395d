"""The jobs screen (RQ's registries on a real Redis) and the read-only audit log."""

from __future__ import annotations

import re

import pytest

from server.jobs.documents import render_document_job
from server.models import AuditEntry
from server.queue.documents import document_queue
from server.runtime import current_runtime
from tests.helpers import csrf_token, login, work_burst


@pytest.fixture
def admin_client(client, make_user):
    make_user("chefin", ["admin"], "verwaltung")
    login(client, "chefin")
    return client


def test_jobs_show_queued_and_failed_with_ids_only_and_retry(app, admin_client):
    queue = document_queue(current_runtime(app).settings)
    # a job whose argument is not an id fails; its error text must not be shown
    queue.enqueue(render_document_job, "Frau Geheim-Müller", job_id="document-kaputt")
    work_burst(queue, "CRITICAL")
    queue.enqueue(render_document_job, 4711, job_id="document-4711")
    page = admin_client.get("/admin/jobs/").get_data(as_text=True)
    assert "Warteschlange „verbund“" in page
    assert "Wartend: 1" in page and "Fehlgeschlagen: 1" in page
    assert "document-4711" in page and "4711" in page and "render_document_job" in page
    assert "document-kaputt" in page and "ValueError" in page
    assert "Geheim-Müller" not in page  # neither the argument nor the traceback's text
    token = csrf_token(page)
    response = admin_client.post(
        "/admin/jobs/verbund/document-kaputt/retry", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert "document-kaputt" in queue.get_job_ids()
    page = admin_client.get("/admin/jobs/").get_data(as_text=True)
    assert "Fehlgeschlagen: 0" in page and "Wartend: 2" in page
    again = admin_client.post(
        "/admin/jobs/verbund/document-kaputt/retry",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "ist nicht (mehr) fehlgeschlagen" in again.get_data(as_text=True)
    assert (
        admin_client.post("/admin/jobs/gibtsnicht/x/retry", data={"csrf_token": token}).status_code
        == 404
    )
    assert AuditEntry.get(AuditEntry.action == "job.retry").username == "chefin"


def test_jobs_page_says_so_when_redis_is_down(
    app, config_dir, database_overrides, make_user, tmp_path
):
    from server import create_app
    from server.queue.connection import forget_clients

    make_user("chefin", ["admin"], "verwaltung")
    forget_clients()
    down = create_app(
        str(config_dir / "config.toml"),
        {"queue": {"redis_url": f"unix://{tmp_path}/kein-redis.sock"}, **database_overrides},
    )
    client = down.test_client()
    login(client, "chefin")
    response = client.get("/admin/jobs/")
    assert response.status_code == 200
    assert "nicht erreichbar" in response.get_data(as_text=True)
    forget_clients()


def test_audit_log_filters_and_shows_no_record_contents(app, admin_client, api):
    clerk = api("sb.log", ["clerk"])
    record = clerk.post("/records", json={"workflow": "foerderung"}).json
    data = {
        "verein": "Ruderclub Geheimname",
        "email": "x@example.org",
        "beginn": "2027-06-01",
        "zweck": "Boot",
        "betrag": "99,90",
        "posten": [{"posten": "Boot", "betrag": "99,90"}],
    }
    saved = clerk.put(
        f"/records/{record['id']}/forms/antrag", json={"data": data, "version": record["version"]}
    )
    assert saved.status_code == 200, saved.json
    other = clerk.post("/records", json={"workflow": "foerderung"}).json["id"]
    page = admin_client.get("/admin/audit/").get_data(as_text=True)
    assert "<code>record.create</code>" in page and "<code>form.save</code>" in page
    assert "<code>login</code>" in page
    assert "Ruderclub Geheimname" not in page and "x@example.org" not in page
    by_record = admin_client.get(f"/admin/audit/?record={record['id']}").get_data(as_text=True)
    assert "<code>form.save</code>" in by_record and f">{other}<" not in by_record
    by_user = admin_client.get("/admin/audit/?user=sb.log").get_data(as_text=True)
    assert "sb.log" in by_user and "chefin" not in re.sub(
        r"angemeldet-als.*?</span>", "", by_user, flags=re.S
    )
    by_action = admin_client.get("/admin/audit/?action=record").get_data(as_text=True)
    assert "<code>record.create</code>" in by_action and "<code>form.save</code>" not in by_action
    today = admin_client.get("/admin/audit/?from=2000-01-01&to=2999-12-31").get_data(True)
    assert "<code>record.create</code>" in today
    none = admin_client.get("/admin/audit/?to=01.01.2000").get_data(as_text=True)
    assert "Keine Einträge." in none
    bad = admin_client.get("/admin/audit/?from=gestern&record=abc")
    assert bad.status_code == 422
    assert "TT.MM.JJJJ" in bad.get_data(True) and "Nummer" in bad.get_data(True)


def test_audit_entries_cannot_be_changed_or_deleted(admin_client):
    token = csrf_token(admin_client.get("/admin/audit/").get_data(as_text=True))
    count = AuditEntry.select().count()
    for method in ("post", "put", "delete"):
        response = getattr(admin_client, method)("/admin/audit/", data={"csrf_token": token})
        assert response.status_code == 405
    assert admin_client.post("/admin/audit/1/delete", data={"csrf_token": token}).status_code == 404
    assert AuditEntry.select().count() == count
