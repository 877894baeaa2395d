"""A periodic job that cannot finish is retried and visible (issue 22): its run is recorded,
the admin jobs screen lists it in German, and ``GET /metrics`` reports it.

The failure is real: another process holds a lock (SQLite: the database's write lock;
PostgreSQL: a lock on the reminder table) while the reminder job runs through a real RQ
worker, and this installation's connections give up on a lock after 0.2 s.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from server import clock
from server.config import ConfigError, load_settings
from server.jobs.periodic import enqueue_due
from server.models import PeriodicRun, Reminder, database, is_sqlite
from server.models.base import SQLITE_PRAGMAS
from server.queue.documents import document_queue
from server.runtime import current_runtime
from tests.helpers import login, run_worker_burst
from tests.jobs.test_reminder_concurrency import DUE_TODAY, OVERDUE, TODAY, bulk_deadlines

HOLDER = r"""
import sys
url = sys.argv[1]
if url.startswith("sqlite:///"):
    import sqlite3
    conn = sqlite3.connect(url[len("sqlite:///"):], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
else:
    import psycopg2
    conn = psycopg2.connect(url)
    conn.cursor().execute("LOCK TABLE reminder IN EXCLUSIVE MODE")  # reads still pass
print("locked", flush=True)
sys.stdin.read()
conn.commit()
"""
EXPECTED = (OVERDUE + DUE_TODAY) // 10


def give_up_on_locks_quickly() -> None:
    """This process's connections wait 0.2 s for a lock (the default waits 10 s)."""
    db = database.obj
    db.close()
    if is_sqlite():
        db.init(db.database, pragmas={**SQLITE_PRAGMAS, "busy_timeout": 200}, timeout=0.2)
    else:
        db.init(db.database, **{**db.connect_params, "options": "-c lock_timeout=200"})
    db.connect()


def metric(text: str, name: str, **labels: str) -> float:
    """The value of the sample ``name`` with exactly these labels (in any order)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    raise AssertionError(f"{name} {labels} not in /metrics:\n{text}")


def ours(text: str, name: str, **labels: str) -> float:
    """``verbund_periodic_<name>`` of the reminder job."""
    return metric(text, f"verbund_periodic_{name}", job="deadline-reminders", **labels)


def test_a_locked_reminder_run_is_recorded_shown_retried_and_then_done(
    app, make_user, client, caplog
):
    owner = make_user("sachb", ["clerk"], "amt")
    make_user("chefin", ["admin"], "verwaltung")
    bulk_deadlines(owner, scale=10)
    settings = current_runtime(app).settings
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, settings.database_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"

    def release_when_failed():
        # the job says it failed (before it writes how); then the lock may go
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if any("deadline-reminders failed" in r.getMessage() for r in caplog.records):
                break
            time.sleep(0.05)
        holder.communicate("", timeout=30)

    caplog.set_level(logging.WARNING, logger="server.jobs.runs")
    releaser = threading.Thread(target=release_when_failed, daemon=True)
    give_up_on_locks_quickly()
    clock.freeze(TODAY)
    try:
        releaser.start()
        assert "deadline-reminders" in enqueue_due(settings)
        run_worker_burst(app)  # the job fails; RQ schedules a retry
        releaser.join(timeout=150)
        assert not releaser.is_alive()

        run = PeriodicRun.select().where(PeriodicRun.job == "deadline-reminders").get()
        assert run.status == "failed" and run.ended_at is not None
        assert run.error.startswith("OperationalError: ")
        assert Reminder.select().count() == 0
        queue = document_queue(settings)
        assert "periodic-deadline-reminders" in queue.scheduled_job_registry.get_job_ids()

        login(client, "chefin")
        page = client.get("/admin/jobs/").get_data(as_text=True)
        assert "Regelmäßige Aufträge mit Problemen beim letzten Lauf" in page
        assert "Erinnerungen an fällige Fristen" in page
        assert '<th scope="col">Fehlerart</th>' in page
        assert 'data-job="deadline-reminders" data-status="failed"' in page
        assert run.error in page and "fehlgeschlagen" in page
        assert "Wartet auf Wiederholung: 1" in page

        metrics = client.get("/metrics")
        assert metrics.status_code == 200
        assert metrics.mimetype == "text/plain"
        text = metrics.get_data(as_text=True)
        assert ours(text, "last_status", status="failed") == 1
        assert ours(text, "last_status", status="ok") == 0
        assert ours(text, "last_success_timestamp_seconds") == 0
        assert ours(text, "last_run_timestamp_seconds") > 0

        # the retry (brought forward) creates every reminder
        queue.scheduled_job_registry.requeue("periodic-deadline-reminders")
        run_worker_burst(app)
    finally:
        clock.freeze(None)
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert Reminder.select().count() == EXPECTED
    latest = PeriodicRun.select().order_by(PeriodicRun.id.desc()).get()
    assert (latest.status, latest.counts, latest.error) == ("ok", {"created": EXPECTED}, "")
    text = client.get("/metrics").get_data(as_text=True)
    assert ours(text, "last_status", status="ok") == 1
    assert ours(text, "last_items_done", item="created") == EXPECTED
    assert ours(text, "last_success_timestamp_seconds") > 0
    assert ours(text, "runs", status="failed") == 1
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert "Regelmäßige Aufträge mit Problemen" not in page  # the latest run went well
    assert 'data-status="failed"' in page  # the failed one stays in the list


def test_a_run_whose_worker_died_is_shown_as_incomplete(app, make_user, client):
    """A run that never ended (its worker was killed) is not "running" for ever."""
    make_user("chefin", ["admin"], "verwaltung")
    long_ago = clock.now().replace(tzinfo=None) - __import__("datetime").timedelta(hours=2)
    PeriodicRun.create(job="privacy", status="running", started_at=long_ago)
    login(client, "chefin")
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert "unvollständig (abgebrochen)" in page
    text = client.get("/metrics").get_data(as_text=True)
    assert metric(text, "verbund_periodic_last_status", job="privacy", status="incomplete") == 1


@pytest.mark.parametrize(
    "allow,token,remote,headers,expected",
    [
        (None, "", "127.0.0.1", {}, 200),  # default: this machine only
        (None, "", "10.1.2.3", {}, 403),
        (None, "", "127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, 403),  # via a proxy
        (["10.0.0.0/8"], "", "10.1.2.3", {}, 200),
        ([], "geheim-lang-1234", "10.1.2.3", {"Authorization": "Bearer geheim-lang-1234"}, 200),
        ([], "geheim-lang-1234", "10.1.2.3", {"Authorization": "Bearer falsch"}, 403),
        ([], "", "127.0.0.1", {"Authorization": "Bearer "}, 403),  # no token: no way in
    ],
)
def test_metrics_access_by_address_or_token(
    config_dir, app, allow, token, remote, headers, expected
):
    settings = current_runtime(app).settings
    section = settings.raw.setdefault("metrics", {})
    if allow is not None:
        section["allow"] = allow
    section["token"] = token
    response = app.test_client().get(
        "/metrics", headers=headers, environ_base={"REMOTE_ADDR": remote}
    )
    assert response.status_code == expected
    if expected == 403:
        assert "verbund_periodic" not in response.get_data(as_text=True)


def test_a_metrics_allow_entry_that_is_no_address_is_a_config_error(config_dir):
    with (config_dir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[metrics]\nallow = ["127.0.0.1", "intranet"]\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(str(config_dir / "config.toml"))
    assert "[metrics] allow: „intranet“ ist keine IP-Adresse oder kein Netz" in str(caught.value)
