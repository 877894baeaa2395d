"""Deadline reminders under real concurrency (issue 22): while another process commits audit
rows continuously to the same database, the periodic job over thousands of due deadlines
creates every reminder exactly once, on SQLite and on PostgreSQL.

The old job wrote each reminder while its SELECT over the due deadlines was still open; on
SQLite the first commit of another connection in between made every later write fail with
"database is locked" and most reminders were never created.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import peewee
import pytest

from server import clock
from server.models import AuditEntry, Deadline, Organisation, Record, Reminder, User, database
from server.runtime import current_runtime
from server.services.records.deadlines import create_reminders

OVERDUE, DUE_TODAY, NOT_YET = 3000, 1500, 500
TODAY = dt.date(2027, 3, 10)

# a separate process with its own connection: one audit row per transaction, as page views
# write them, until told to stop on stdin (or after a bound, so it can never run forever)
WRITER = r"""
import sys, threading, time
url = sys.argv[1]
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
if url.startswith("sqlite:///"):
    import sqlite3
    # no busy handler: SQLite's sleeps up to 100 ms between tries and would let a job of short
    # transactions starve this writer; a page view's request retries at once, so does this
    conn = sqlite3.connect(url[len("sqlite:///"):], timeout=0, isolation_level=None)
    busy = sqlite3.OperationalError
    mark = "?"
else:
    import psycopg2
    conn = psycopg2.connect(url)
    conn.autocommit = True
    busy = ()
    mark = "%s"
sql = ("INSERT INTO audit_entry (at, username, organisation, action, object_type, object_id,"
       f" detail, remote_addr) VALUES ({', '.join([mark] * 8)})")
cursor = conn.cursor()
written = 0
deadline = time.monotonic() + 300
while not stop.is_set() and time.monotonic() < deadline:
    try:
        cursor.execute(sql, ("2027-03-10 08:00:00", "leser", "amt", "record.read", "record",
                             str(written), "{}", "127.0.0.1"))
    except busy:
        time.sleep(0.001)
        continue
    written += 1
    if written == 1:
        print("ready", flush=True)
    # a pause between page views, as between real requests: without it this writer holds the
    # lock nearly all the time and starves the job's connection instead of sharing with it
    time.sleep(0.002)
print(written, flush=True)
"""


def bulk_deadlines(owner: User, scale: int = 1) -> dict[str, set[int]]:
    """Records owned by ``owner`` with one deadline each: overdue, due today, not yet due
    (``scale`` divides the numbers)."""
    org = Organisation.get()
    plan = [("overdue", OVERDUE // scale, -3), ("due", DUE_TODAY // scale, 0)]
    plan.append(("later", NOT_YET // scale, 5))
    ids: dict[str, set[int]] = {}
    for kind, count, days in plan:
        with database.atomic():
            first = Record.select(peewee.fn.COALESCE(peewee.fn.MAX(Record.id), 0)).scalar()
            rows = [
                {"workflow": "foerderung", "state": "eingereicht", "title": f"Antrag {n}",
                 "owner": owner.id, "organisation": org.id, "created_by": owner.id}
                for n in range(count)
            ]  # fmt: skip
            for start in range(0, count, 500):
                Record.insert_many(rows[start : start + 500]).execute()
            record_ids = [
                r.id for r in Record.select(Record.id).where(Record.id > first).order_by(Record.id)
            ]
            deadlines = [
                {"record": rid, "state": "eingereicht", "label": "Prüfung fällig",
                 "due_on": TODAY + dt.timedelta(days=days)}
                for rid in record_ids
            ]  # fmt: skip
            for start in range(0, count, 500):
                Deadline.insert_many(deadlines[start : start + 500]).execute()
        ids[kind] = {
            d.id for d in Deadline.select(Deadline.id).where(Deadline.record.in_(record_ids))
        }
    return ids


@pytest.fixture
def start_writer(app):
    """Starts a subprocess committing audit rows to this test's database (after the test has
    built its data, so the setup never competes with it); start() returns a stop() -> count."""
    url = current_runtime(app).settings.database_url
    started: list[subprocess.Popen] = []

    def start():
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(proc)
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()

        def stop() -> int:
            out, err = proc.communicate("", timeout=60)
            assert proc.returncode == 0, err
            return int(out.split()[-1])

        return stop

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_every_due_reminder_is_created_exactly_once_while_others_write(
    app, make_user, start_writer
):
    owner = make_user("sachb", ["clerk"], "amt")
    deadlines = bulk_deadlines(owner)
    database.connect(reuse_if_open=True)
    writer = start_writer()
    audits_before = AuditEntry.select().count()
    clock.freeze(TODAY)
    try:
        created = create_reminders()
        audits_during = AuditEntry.select().count() - audits_before
        again = create_reminders()  # idempotent, also while the writer goes on
    finally:
        clock.freeze(None)
    written = writer()
    # the other process really committed while the job ran
    assert audits_during > 0 and written > 0
    assert created == OVERDUE + DUE_TODAY
    assert again == 0
    reminders = list(Reminder.select(Reminder.deadline, Reminder.user, Reminder.kind).tuples())
    assert len(reminders) == OVERDUE + DUE_TODAY
    assert {d for d, _, _ in reminders} == deadlines["overdue"] | deadlines["due"]
    assert {(d, k) for d, _, k in reminders} == {(d, "overdue") for d in deadlines["overdue"]} | {
        (d, "due") for d in deadlines["due"]
    }
    assert {u for _, u, _ in reminders} == {owner.id}
