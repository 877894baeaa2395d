"""Redis holds ids only: no personal data in keys, job arguments or results; TTLs set."""

from __future__ import annotations

import json
import zlib

import redis

from server.jobs.periodic import enqueue_due
from server.runtime import current_runtime

from .conftest import new_case


def _unpacked(value: bytes) -> bytes:
    """RQ keeps a job's function and arguments zlib-compressed: look inside."""
    try:
        return zlib.decompress(value)
    except zlib.error:
        return value


def everything_in(connection: redis.Redis) -> dict[str, str]:
    """Every key with its whole content as text."""
    out = {}
    for key in connection.scan_iter(count=1000):
        kind = connection.type(key).decode()
        if kind == "string":
            value = connection.get(key)
        elif kind == "hash":
            value = {k: _unpacked(v) for k, v in connection.hgetall(key).items()}
        elif kind == "list":
            value = connection.lrange(key, 0, -1)
        elif kind == "set":
            value = connection.smembers(key)
        elif kind == "zset":
            value = connection.zrange(key, 0, -1)
        else:
            value = kind
        out[key.decode()] = repr(value)
    return out


def test_after_typical_work_redis_holds_ids_only_and_everything_expires(
    app, office, work_jobs, redis_url
):
    client = office["berater"]
    rid = new_case(client)["id"]
    client.post(f"/records/{rid}/documents", json={"document": "vermerk"})
    client.get("/records?search=Amira")
    settings = current_runtime(app).settings
    enqueue_due(settings)
    work_jobs()

    connection = redis.Redis.from_url(redis_url)
    content = everything_in(connection)
    assert content, "the jobs left nothing in Redis: this test would prove nothing"
    text = json.dumps(content, ensure_ascii=False)
    for secret in ("Amira", "amira", "example.org", "Wohnt", "Jobcenter", "berater"):
        assert secret not in text, secret
    for key in content:
        if key.startswith("rq:job:") or key.startswith("verbund:periodic:"):
            assert connection.ttl(key) > 0, f"{key} never expires"
    job = connection.hgetall("rq:job:document-1")
    function, _instance, args, kwargs = json.loads(_unpacked(job[b"data"]))
    assert function.endswith("render_document_job") and args == [1] and not kwargs


def test_a_document_job_failing_unexpectedly_leaves_no_personal_data_in_redis_or_the_log(
    app, office, work_jobs, redis_url, monkeypatch, caplog
):
    """RQ keeps a failed job's traceback in Redis for days; an exception message may quote
    record data (here a fault injected into the job, as a bug or a database error would)."""
    from server.jobs import documents

    def broken_context(defs, record):
        name = record.data["fall"]["name"]
        raise ValueError(f"unerwartete Angabe bei {name}")

    monkeypatch.setattr(documents, "document_context", broken_context)
    client = office["berater"]
    rid = new_case(client)["id"]
    request = client.post(f"/records/{rid}/documents", json={"document": "vermerk"}).json
    with caplog.at_level("ERROR"):
        work_jobs()

    shown = client.get(f"/records/{rid}").json["documents"]
    mine = next(d for d in shown if d["id"] == request["id"])
    assert "ValueError" in mine["error"] and "Amira" not in mine["error"]
    text = json.dumps(everything_in(redis.Redis.from_url(redis_url)), ensure_ascii=False)
    assert "Amira" not in text
    # the worker's log (RQ's traceback and ours) says what failed where, without the data
    assert "ValueError in test_redis_ids_only.py" in caplog.text
    assert "broken_context" in caplog.text and "Amira" not in caplog.text
