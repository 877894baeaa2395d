"""A read never fails because its audit entry cannot be written at once — and no entry is lost.

Another process holds the database's write lock longer than SQLite's busy timeout (10 s): a
long publication, a retention run, a job. Before, every case read in that time answered 500
("database is locked") from the read audit. Now the entry is spooled and moved into the log
once the lock is free.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

from server.models import AuditEntry, database, is_sqlite
from server.runtime import current_runtime
from server.services import audit_spool

from .conftest import new_case

HOLD_SECONDS = 11.0  # longer than SQLite's busy_timeout: the old read audit gave up and failed
READERS = 20


def _reads(record_id: int) -> int:
    return (
        AuditEntry.select()
        .where((AuditEntry.record_id == record_id) & (AuditEntry.action == "record.read"))
        .count()
    )


class _WriteLockHolder(threading.Thread):
    """Another process's long write transaction, on its own connection to the same database."""

    def __init__(self, settings):
        super().__init__(daemon=True)
        self.settings = settings
        self.holding = threading.Event()
        self.release = threading.Event()

    def run(self):
        if is_sqlite():
            conn = sqlite3.connect(self.settings.database_url.removeprefix("sqlite:///"))
            conn.isolation_level = None
            conn.execute("BEGIN IMMEDIATE")
        else:
            import psycopg2

            conn = psycopg2.connect(self.settings.database_url)
            conn.cursor().execute("LOCK TABLE audit_entry IN EXCLUSIVE MODE")
        self.holding.set()
        self.release.wait(HOLD_SECONDS)
        conn.rollback()
        conn.close()


def test_twenty_reads_during_a_long_write_lock_all_answer_and_all_are_audited(app, office):
    settings = current_runtime(app).settings
    reader = office["leitung"]
    rid = new_case(office["berater"])["id"]
    before = _reads(rid)
    holder = _WriteLockHolder(settings)
    holder.start()
    assert holder.holding.wait(10)

    def read(_):
        client = app.test_client()
        try:
            return client.get(
                f"/api/v1/records/{rid}", headers={"Authorization": f"Bearer {reader.token}"}
            ).status_code
        finally:
            if not database.is_closed():
                database.close()  # this thread's connection

    try:
        with ThreadPoolExecutor(max_workers=READERS) as pool:
            statuses = list(pool.map(read, range(READERS)))
    finally:
        holder.release.set()
        holder.join(30)
    database.connect(reuse_if_open=True)

    assert statuses == [200] * READERS
    # the entries waited in the spool, not in the table
    assert _reads(rid) == before
    spooled = list(audit_spool.spool_dir(settings.instance_dir).glob("audit-*.jsonl"))
    assert spooled and "Amira" not in "".join(p.read_text() for p in spooled)

    # the next request after the lock is gone moves them into the log, with their own time
    audit_spool._state["next_flush"] = 0.0
    assert reader.get(f"/records/{rid}").status_code == 200
    entries = list(
        AuditEntry.select()
        .where((AuditEntry.record_id == rid) & (AuditEntry.action == "record.read"))
        .order_by(AuditEntry.id)
    )
    assert len(entries) == before + READERS + 1
    delayed = [e for e in entries if e.detail.get("spooled")]
    assert len(delayed) == READERS
    assert all(e.username == "leitung" and e.detail["view"] == "api.get_record" for e in delayed)
    assert all(p.stat().st_size == 0 for p in spooled)


def test_a_spool_left_by_a_dead_process_is_flushed_by_the_next_start(app, office):
    settings = current_runtime(app).settings
    rid = new_case(office["berater"])["id"]
    directory = audit_spool.spool_dir(settings.instance_dir)
    directory.mkdir(parents=True, exist_ok=True)
    # pid 2**22+1 is beyond Linux's pid range: a process that no longer runs
    dead = directory / f"audit-{socket.gethostname()}-{2**22 + 1}.jsonl"
    user = office["leitung"].user
    entry = {
        "at": "2026-11-30T10:00:00",
        "user": user.id,
        "username": "leitung",
        "organisation": "org-a",
        "action": "record.read",
        "object_type": "record",
        "object_id": str(rid),
        "record_id": rid,
        "detail": {"view": "records.record", "spooled": True},
        "remote_addr": "",
    }
    # the second line was cut short by a crash: dropped, the complete one kept
    dead.write_text(json.dumps(entry) + "\n" + json.dumps(entry)[:20])
    before = _reads(rid)
    assert audit_spool.flush_spool(settings.instance_dir) == 0
    assert _reads(rid) == before + 1
    entry = AuditEntry.select().where(AuditEntry.record_id == rid).order_by(AuditEntry.at).first()
    assert entry.at.isoformat() == "2026-11-30T10:00:00"
    audit_spool.flush_spool(settings.instance_dir)  # an empty file of a dead process goes
    assert not dead.exists()


def test_reads_without_contention_go_straight_to_the_log(app, office):
    settings = current_runtime(app).settings
    rid = new_case(office["berater"])["id"]
    before = _reads(rid)
    assert office["leitung"].get(f"/records/{rid}").status_code == 200
    assert _reads(rid) == before + 1
    assert not list(audit_spool.spool_dir(settings.instance_dir).glob("audit-*.jsonl"))
