"""A slow transition holds no lock while its guard runs: everybody else keeps reading and saving.

Before, the guard ran inside the transition's write transaction; on SQLite every other
user's read then waited for the lock in its audit entry and failed after the busy timeout
(10 s) with "database is locked" — a 500 for 20 people at once. The guard here is made slow
on purpose (11 s, longer than that timeout): work limits keep real guards far below it, but
a slow disk or machine must not turn into errors for everybody else.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from server.models import AuditEntry, Record, database
from server.runtime import current_runtime
from server.services import audit_spool
from server.workflow import engine
from tests.helpers import ANTRAG

SLOW_SECONDS = 11.0
READERS = 20


def _saved_case(client) -> dict:
    rid = client.post("/records", json={"workflow": "foerderung"}).json["id"]
    saved = client.put(f"/records/{rid}/forms/antrag", json={"data": ANTRAG, "version": 1})
    assert saved.status_code == 200, saved.json
    return saved.json


def _request(app, token: str, method: str, path: str, json=None) -> int:
    """One request on a thread of its own (its own database connection), like a web worker."""
    try:
        response = app.test_client().open(
            "/api/v1" + path, method=method, json=json, headers={"Authorization": f"Bearer {token}"}
        )
        return response.status_code
    finally:
        if not database.is_closed():
            database.close()


def test_reads_and_saves_go_on_while_a_slow_guard_runs(app, api, monkeypatch):
    applicant = api("antragsteller", ["applicant"])
    clerk = api("sachbearbeitung", ["clerk"])
    moving = _saved_case(applicant)
    other = _saved_case(applicant)
    settings = current_runtime(app).settings
    guard_running = threading.Event()
    evaluate = engine.evaluate_condition

    def slow_guard(source, context):
        guard_running.set()
        time.sleep(SLOW_SECONDS)
        return evaluate(source, context)

    monkeypatch.setattr(engine, "evaluate_condition", slow_guard)
    before = AuditEntry.select().where(AuditEntry.action == "record.read").count()
    with ThreadPoolExecutor(max_workers=READERS + 2) as pool:
        step = pool.submit(
            _request,
            app,
            applicant.token,
            "POST",
            f"/records/{moving['id']}/transitions",
            {"to": "eingereicht", "version": moving["version"]},
        )
        assert guard_running.wait(30)
        reads = [
            pool.submit(_request, app, clerk.token, "GET", f"/records/{rid}")
            for rid in [moving["id"], other["id"]] * (READERS // 2)
        ]
        save = pool.submit(
            _request,
            app,
            applicant.token,
            "PUT",
            f"/records/{other['id']}/forms/antrag",
            {"data": dict(ANTRAG, zweck="Netze"), "version": other["version"]},
        )
        statuses = [r.result(timeout=60) for r in reads]
        saved = save.result(timeout=60)
        assert guard_running.is_set() and not step.done()  # all of that during the guard
        moved = step.result(timeout=60)
    database.connect(reuse_if_open=True)

    assert statuses == [200] * READERS
    assert saved == 200
    assert moved == 200
    assert Record.get_by_id(moving["id"]).state == "eingereicht"
    # nobody even had to wait for a lock: every read went straight into the log
    after = AuditEntry.select().where(AuditEntry.action == "record.read").count()
    assert after == before + READERS
    assert not [
        p
        for p in audit_spool.spool_dir(settings.instance_dir).glob("audit-*.jsonl")
        if p.stat().st_size
    ]


def test_a_change_while_the_guard_ran_makes_the_step_stale(app, api, monkeypatch):
    applicant = api("antragsteller", ["applicant"])
    case = _saved_case(applicant)

    colleague = []

    def guard_then_someone_saves(source, context):
        # a colleague saves the form between the guard and the step: the guard saw old data
        save = threading.Thread(
            target=lambda: colleague.append(
                _request(
                    app,
                    applicant.token,
                    "PUT",
                    f"/records/{case['id']}/forms/antrag",
                    {"data": dict(ANTRAG, zweck="Tore"), "version": case["version"]},
                )
            )
        )
        save.start()
        save.join(30)
        return True

    monkeypatch.setattr(engine, "evaluate_condition", guard_then_someone_saves)
    moved = applicant.post(
        f"/records/{case['id']}/transitions", json={"to": "eingereicht", "version": case["version"]}
    )
    database.connect(reuse_if_open=True)
    assert colleague == [200]
    assert moved.status_code == 409, moved.json
    assert "geändert" in moved.json["error"]
    assert Record.get_by_id(case["id"]).state == "entwurf"
