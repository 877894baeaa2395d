"""``GET /healthz`` and the queue figures of ``GET /metrics`` (issue 18, several machines).

Real parts: the test's SQLite file or PostgreSQL database, the session's Redis, a real RQ
worker registration with its heartbeat; an unreachable Redis is a port nobody listens on.
"""

from __future__ import annotations

import datetime as dt
import socket

from prometheus_client.parser import text_string_to_metric_families

from server import create_app
from server.jobs.worker import make_worker
from server.models import AuditEntry, DocumentRequest, database, utcnow
from server.queue.connection import forget_clients
from server.runtime import current_runtime
from tests.helpers import ANTRAG

KEYS = {
    "status",
    "database",
    "schema",
    "redis",
    "queue_length",
    "workers",
    "worker_heartbeat_age_seconds",
}


def metric(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    raise AssertionError(f"{name} {labels} not in /metrics:\n{text}")


def test_healthz_answers_without_login_and_leaves_nothing_behind(app, client, api):
    clerk = api("sb.health", ["clerk"])
    rid = clerk.post("/records", json={"workflow": "foerderung"}).json["id"]
    clerk.put(f"/records/{rid}/forms/antrag", json={"data": ANTRAG, "version": 1})
    clerk.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 2})
    assert clerk.post(f"/records/{rid}/documents", json={"document": "eingang"}).status_code == 202
    entries = AuditEntry.select().count()

    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in answer.headers
    body = answer.json
    assert set(body) == KEYS
    assert body["status"] == body["database"] == body["schema"] == body["redis"] == "ok"
    assert body["queue_length"] == 1  # the document request, waiting for a worker
    assert body["workers"] == 0 and body["worker_heartbeat_age_seconds"] is None
    # no names, no titles: only yes/no and numbers
    assert "SV Rhein" not in answer.get_data(as_text=True)
    assert AuditEntry.select().count() == entries  # a probe every few seconds writes nothing
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405

    # a worker that registered and beat its heart is counted, with the age of the beat
    worker = make_worker(current_runtime(app))
    worker.register_birth()
    worker.heartbeat()
    try:
        body = client.get("/healthz").json
        assert body["workers"] == 1
        assert 0 <= body["worker_heartbeat_age_seconds"] < 60
        text = client.get("/metrics").get_data(as_text=True)
        assert metric(text, "verbund_workers") == 1
        assert metric(text, "verbund_redis_up") == 1
        assert metric(text, "verbund_queue_length") == 1
        assert metric(text, "verbund_queue_failed_jobs") == 0
        assert metric(text, "verbund_document_requests", status="queued") == 1
        assert metric(text, "verbund_document_requests", status="failed") == 0
        assert 0 <= metric(text, "verbund_worker_heartbeat_age_seconds") < 60
    finally:
        worker.register_death()


def test_metrics_tell_how_long_the_last_hours_document_jobs_took(app, client, api):
    clerk = api("sb.dauer", ["clerk"])
    rid = clerk.post("/records", json={"workflow": "foerderung"}).json["id"]
    clerk.put(f"/records/{rid}/forms/antrag", json={"data": ANTRAG, "version": 1})
    clerk.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 2})
    now = utcnow()
    # four finished in the last hour (2, 4, 6 and 40 s), one failed, one finished yesterday
    jobs = [(2, "finished", 5), (4, "finished", 10), (6, "finished", 20), (40, "finished", 30)]
    jobs += [(1, "failed", 40), (9, "finished", 1500)]
    for seconds, status, minutes_ago in jobs:
        ended = now - dt.timedelta(minutes=minutes_ago)
        DocumentRequest.create(
            record=rid, document="eingang", template="eingang.docx", status=status,
            started_at=ended - dt.timedelta(seconds=seconds), finished_at=ended,
        )  # fmt: skip
    text = client.get("/metrics").get_data(as_text=True)
    assert metric(text, "verbund_document_jobs_last_hour", status="finished") == 4
    assert metric(text, "verbund_document_jobs_last_hour", status="failed") == 1
    assert metric(text, "verbund_document_job_seconds_last_hour", quantile="0.5") == 4
    assert metric(text, "verbund_document_job_seconds_last_hour", quantile="0.95") == 40
    assert metric(text, "verbund_document_job_seconds_last_hour", quantile="1") == 40


def test_healthz_is_503_without_redis(config_dir, database_overrides):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    forget_clients()
    overrides = {"queue": {"redis_url": f"redis://127.0.0.1:{port}/0"}, **database_overrides}
    app = create_app(str(config_dir / "config.toml"), overrides)
    try:
        answer = app.test_client().get("/healthz")
        assert answer.status_code == 503
        assert answer.json["status"] == "error"
        assert answer.json["redis"] == "error"
        assert answer.json["database"] == "ok" and answer.json["schema"] == "ok"
        assert answer.json["queue_length"] is None
        text = app.test_client().get("/metrics").get_data(as_text=True)
        assert metric(text, "verbund_redis_up") == 0
    finally:
        if not database.is_closed():
            database.close()
        forget_clients()


def test_healthz_is_503_when_a_table_is_missing(app, client):
    database.connect(reuse_if_open=True)
    database.execute_sql("DROP TABLE periodic_run")
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json["schema"] == "error"
    assert answer.json["database"] == "ok" and answer.json["redis"] == "ok"


def test_healthz_is_503_while_a_migration_is_pending(app, client):
    # as after installing a new version without `verbund migrate`: the last step not applied
    database.connect(reuse_if_open=True)
    database.execute_sql(
        "DELETE FROM schema_version WHERE version = (SELECT MAX(version) FROM schema_version)"
    )
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json["schema"] == "error"


def test_requests_are_counted_per_route_without_ids(app, client, api):
    clerk = api("sb.count", ["clerk"])
    rid = clerk.post("/records", json={"workflow": "foerderung"}).json["id"]
    route = "/api/v1/records/<int:record_id>"

    def counted(text, path, method, status):
        try:
            return metric(
                text, "verbund_http_requests_total", route=path, method=method, status=status
            )
        except AssertionError:
            return 0.0

    before = client.get("/metrics").get_data(as_text=True)
    for _ in range(3):
        assert clerk.get(f"/records/{rid}").status_code == 200
    assert clerk.get("/records/999999").status_code == 404
    assert client.get("/gibt/es/nicht").status_code == 404
    assert client.get("/healthz").status_code == 200  # before Flask: not counted
    after = client.get("/metrics").get_data(as_text=True)

    assert counted(after, route, "GET", "200") - counted(before, route, "GET", "200") == 3
    assert counted(after, route, "GET", "404") - counted(before, route, "GET", "404") == 1
    assert (
        counted(after, "(keine Route)", "GET", "404")
        - counted(before, "(keine Route)", "GET", "404")
        == 1
    )
    assert f"/records/{rid}" not in after and "gibt/es" not in after and "/healthz" not in after
    durations = metric(
        after, "verbund_http_request_duration_seconds_count", route=route, method="GET"
    )
    assert durations >= 4
