"""Several machines (issue 18): two web servers and two workers on one database and one Redis.

Real processes throughout: Debian's ``redis-server`` started by the test, two
``verbund serve --no-worker`` (machines A and B, each with its own copy of the configuration
and its own ``instance/``), and two ``verbund worker``, all on one database – PostgreSQL when
``VERBUND_TEST_DATABASE_URL`` is set, else one SQLite file (several processes on *one*
machine share it by design: WAL, ``BEGIN IMMEDIATE``; across machines it takes PostgreSQL).
The instance keys come from the environment, as docs/betrieb.md tells a city's IT to do.

It shows: a record saved on A is read on B; a record handed over on A is the new owner's
(and no longer the old owner's) on B; a login on A is a login on B (and a logout on B
ends it on A); a form published on A is live on B; every document is made exactly once by one
of the workers, also when the worker running one is killed mid-render; ``/metrics`` sums the
requests of both gunicorn processes of A; ``/healthz`` on both.
"""

from __future__ import annotations

import http.cookiejar
import io
import os
import shutil
import signal
import sqlite3
import subprocess
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docx
import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families
from rq import Worker

from tests.helpers import PASSWORD, csrf_token
from tests.test_end_to_end import FIXTURE, Http, free_port, run, verbund_command
from tests.test_serve_supervision import GRANT, wait_until

# a document slow enough to kill its worker mid-render: ~25 million loop steps in the
# sandbox (about 2 s here), far below the render limit of 90 % of job_timeout
SLOW_TEXT = (
    "{% for i in range(5000) %}{% for j in range(5000) %}{% if (i * j) % 999983 == 1 %}x"
    "{% endif %}{% endfor %}{% endfor %}Langsam fertig für {{ record.title }}"
)
# short timeouts, so a job whose worker died is found by the sweep within seconds
QUEUE_SETTINGS = """
[queue]
job_timeout = 12
stale_after = 1
sweep_interval = 2
"""
SLOW_DOCUMENT = """
[[documents]]
id = "langsam"
label = "Langsames Dokument"
template = "langsam.docx"
states = ["eingereicht"]
"""


def redis_binary() -> str:
    found = shutil.which("redis-server") or "/usr/bin/redis-server"
    # a missing server fails the test (CI installs Debian's redis-server), never skips it
    assert Path(found).exists(), "redis-server fehlt: apt-get install redis-server"
    return found


@pytest.fixture
def external_redis(tmp_path):
    """A real redis-server on a free port, as a city would run one for all machines."""
    port = free_port()
    proc = subprocess.Popen(
        [redis_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(port=port, socket_timeout=2)

    def answers():
        try:
            return client.ping()
        except redis.RedisError:
            return False

    try:
        wait_until(answers, "redis-server answers", timeout=20)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=10)


def machine(tmp_path: Path, name: str) -> Path:
    """One machine's copy of the configuration (and so its own instance/)."""
    target = tmp_path / name
    shutil.copytree(FIXTURE, target)
    with (target / "config.toml").open("a") as fh:
        fh.write(QUEUE_SETTINGS)
    with (target / "workflows" / "foerderung.toml").open("a") as fh:
        fh.write(SLOW_DOCUMENT)
    template = docx.Document()
    template.add_paragraph(SLOW_TEXT)
    template.save(target / "exports" / "langsam.docx")
    return target / "config.toml"


def rows(database_url: str, query: str, *args) -> list[tuple]:
    """Read the shared database the way an operator would, beside the servers."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url[len("sqlite:///") :]) as conn:
            return conn.execute(query.replace("%s", "?"), args).fetchall()
    import psycopg2

    conn = psycopg2.connect(database_url)
    try:
        with conn.cursor() as cur:
            cur.execute(query, args)
            return cur.fetchall()
    finally:
        conn.close()


class Processes:
    """The processes a test started, each in its own group, stopped at the end."""

    def __init__(self, logs: Path):
        self.logs, self.started = logs, {}

    def start(self, name: str, config: Path, *args: str, env: dict) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("w")
        proc = subprocess.Popen(
            [*verbund_command(), "--config", str(config), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        self.started[name] = proc
        return proc

    def output(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text()

    def stop_all(self) -> None:
        for proc in self.started.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.started.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # left-overs in its group (scheduler)
            except (ProcessLookupError, PermissionError):
                pass


def healthy(base: str):
    try:
        status, body = Http(base).call("GET", "/healthz")
    except OSError:
        return None
    return body if status == 200 else None


def test_two_web_servers_and_two_workers_share_one_installation(
    tmp_path, external_redis, database_overrides
):
    database_url = database_overrides.get("database", {}).get("url") or (
        f"sqlite:///{tmp_path / 'shared' / 'verbund.db'}"
    )
    (tmp_path / "shared").mkdir()
    env = dict(
        os.environ,
        VERBUND_ADMIN_PASSWORD="Admin-Passwort-lang-1",
        VERBUND_DATABASE_URL=database_url,
        VERBUND_REDIS_URL=external_redis,
        # the same keys on every machine: sessions signed on A are read on B
        VERBUND_SECRET_KEY="a" * 64,
        VERBUND_PSEUDONYM_KEY="b" * 64,
    )
    env.pop("VERBUND_CONFIG", None)
    a, b = machine(tmp_path, "a"), machine(tmp_path, "b")
    assert run(a, "init", env=env).returncode == 0
    people = [("tsv", "applicant", "tsv-nord"), ("sachb", "clerk", "sportamt")]
    people.append(("sfs", "applicant", "sf-sued"))
    for name, role, org in people:
        added = run(a, "user", "add", name, "--role", role, "--org", org, "--password-stdin",
                    stdin=PASSWORD + "\n", env=env)  # fmt: skip
        assert added.returncode == 0, added.stderr
    tokens = {
        name: run(a, "token", name, env=env).stdout.strip() for name in ("tsv", "sfs", "admin")
    }

    ports = {"a": free_port(), "b": free_port()}
    base = {m: f"http://127.0.0.1:{port}" for m, port in ports.items()}
    procs = Processes(tmp_path)
    try:
        for m, config in (("a", a), ("b", b)):
            # two gunicorn processes on A: /metrics must sum their request counters
            web_processes = "2" if m == "a" else "1"
            procs.start(f"web-{m}", config, "serve", "--no-worker", "--workers", web_processes,
                        "--port", str(ports[m]), env=env)  # fmt: skip
            procs.start(f"worker-{m}", config, "worker", "--name", f"maschine-{m}", env=env)
        for m in ("a", "b"):
            wait_until(lambda m=m: healthy(base[m]), f"/healthz of machine {m}")
        health = wait_until(
            lambda: (h := healthy(base["b"])) and h["workers"] == 2 and h, "two workers registered"
        )
        assert health["status"] == health["database"] == health["redis"] == "ok"
        assert health["worker_heartbeat_age_seconds"] is not None

        # 1. a record saved on A is read on B
        club = {m: Http(base[m] + "/api/v1", tokens["tsv"]) for m in base}
        status, record = club["a"].call("POST", "/records", {"workflow": "foerderung"})
        assert status == 201, record
        rid = record["id"]
        status, record = club["a"].call(
            "PUT", f"/records/{rid}/forms/antrag", {"version": record["version"], "data": GRANT}
        )
        assert status == 200, record
        status, seen = club["b"].call("GET", f"/records/{rid}")
        assert status == 200, seen
        assert (seen["title"], seen["version"]) == ("TSV Nord", record["version"])
        status, record = club["b"].call(
            "POST", f"/records/{rid}/transitions", {"to": "eingereicht", "version": seen["version"]}
        )
        assert status == 200, record

        # 1b. a record handed over on A belongs to its new owner on B, and no longer to the old
        status, draft = club["a"].call("POST", "/records", {"workflow": "foerderung"})
        assert status == 201, draft
        status, moved = club["a"].call(
            "POST", f"/records/{draft['id']}/handover", {"owner": "sfs", "version": 1}
        )
        assert status == 200, moved
        new_owner = Http(base["b"] + "/api/v1", tokens["sfs"])
        status, theirs = new_owner.call("GET", f"/records/{draft['id']}")
        assert status == 200 and theirs["owner"] == "sfs", theirs
        assert club["b"].call("GET", f"/records/{draft['id']}")[0] == 404

        # 2. a login on A is a login on B; a logout on B ends it on A
        jar = http.cookiejar.CookieJar()  # like one browser behind a load balancer
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = browser.open(base["a"] + "/auth/login", timeout=30).read().decode()
        form = {"username": "sachb", "password": PASSWORD, "csrf_token": csrf_token(page)}
        browser.open(base["a"] + "/auth/login", urllib.parse.urlencode(form).encode(), 30)
        answer = browser.open(f"{base['b']}/records/foerderung/{rid}", timeout=30)
        assert urllib.parse.urlparse(answer.url).path == f"/records/foerderung/{rid}"
        page = answer.read().decode()
        assert "TSV Nord" in page
        logout = {"csrf_token": csrf_token(page)}
        browser.open(base["b"] + "/auth/logout", urllib.parse.urlencode(logout).encode(), 30)
        answer = browser.open(f"{base['a']}/records/foerderung/{rid}", timeout=30)
        assert urllib.parse.urlparse(answer.url).path == "/auth/login"

        # 3. a form published on A is live on B, without a restart
        admin = Http(base["a"] + "/api/v1", tokens["admin"])
        status, current = admin.call("GET", "/config/forms/antrag")
        assert status == 200, current
        changed = current["toml"].replace("Name des Vereins", "Vereinsname auf allen Rechnern")
        status, published = admin.call(
            "PUT", "/config/forms/antrag", {"toml": changed, "message": "mehrere Rechner"}
        )
        assert status == 200, published

        def label_on_b():
            status, form = club["b"].call("GET", "/forms/antrag")
            return status == 200 and form["fields"][0]["label"] == "Vereinsname auf allen Rechnern"

        wait_until(label_on_b, "the published label on machine B", timeout=20)

        # 4. documents requested on A and B are made once each, by one of the workers
        requested = []
        for m in ("a", "b", "a", "b"):
            status, job = club[m].call("POST", f"/records/{rid}/documents", {"document": "eingang"})
            assert status == 202, job
            requested.append(job["id"])

        def finished(doc_id: int) -> bool:
            status, doc = club["a"].call("GET", f"/documents/{doc_id}")
            assert status == 200 and doc["status"] != "failed", doc
            return doc["status"] == "finished"

        for doc_id in requested:
            wait_until(lambda d=doc_id: finished(d), f"document {doc_id}", timeout=60)
            status, content = club["b"].call("GET", f"/documents/{doc_id}/file")
            assert status == 200 and content[:2] == b"PK"
        done = rows(
            database_url,
            "SELECT r.id, r.attempts, COUNT(f.id) FROM document_request r "
            "LEFT JOIN document_file f ON f.request_id = r.id GROUP BY r.id, r.attempts",
        )
        assert sorted(done) == sorted((doc_id, 1, 1) for doc_id in requested)

        # 5. /metrics on A counts the requests of both its gunicorn processes, whichever answers
        counters = tmp_path / "a" / "instance" / "prometheus"
        route = {"route": "/api/v1/forms/<form_id>", "method": "GET", "status": "200"}

        def requests_counted() -> float:
            status, text = Http(base["a"]).call("GET", "/metrics")
            assert status == 200
            for family in text_string_to_metric_families(text.decode()):
                for sample in family.samples:
                    if sample.name == "verbund_http_requests_total" and sample.labels == route:
                        return sample.value
            return 0.0

        def answering_processes() -> set[str]:
            return {p.stem.rsplit("_", 1)[-1] for p in counters.glob("counter_*.db")}

        # bursts until both processes have answered: on a busy machine the second gunicorn
        # process may still be loading the app after the first one's /healthz (seen on CI)
        give_up = time.monotonic() + 60
        with ThreadPoolExecutor(max_workers=8) as pool:
            while time.monotonic() < give_up:
                before = requests_counted()
                answers = list(pool.map(lambda _: club["a"].call("GET", "/forms/antrag")[0],
                                        range(40)))  # fmt: skip
                assert answers == [200] * 40
                # every scrape, from either process, sees all 40 (and its own scrape counts
                # under /metrics, not here)
                assert [requests_counted() - before for _ in range(4)] == [40] * 4
                if len(answering_processes()) >= 2:
                    break
        assert len(answering_processes()) == 2, "both gunicorn processes should have answered"

        # 6. the worker rendering a document is killed: the other one makes it, once
        status, job = club["a"].call("POST", f"/records/{rid}/documents", {"document": "langsam"})
        assert status == 202, job
        slow = job["id"]
        connection = redis.Redis.from_url(external_redis)

        def running_it():
            # started in the database (the job's first step), so the kill is mid-render
            if club["a"].call("GET", f"/documents/{slow}")[1]["status"] != "started":
                return None
            for worker in Worker.all(connection=connection):
                if worker.get_current_job_id() == f"document-{slow}":
                    return worker
            return None

        victim = wait_until(running_it, "a worker rendering the slow document", timeout=30)
        killed = next(name for name, proc in procs.started.items() if proc.pid == victim.pid)
        os.killpg(victim.pid, signal.SIGKILL)  # the worker, its scheduler and render child
        procs.started[killed].wait(timeout=10)
        wait_until(lambda: finished(slow), "the slow document, after its worker died", timeout=60)
        status, content = club["b"].call("GET", f"/documents/{slow}/file")
        assert status == 200
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
        assert "Langsam fertig für TSV Nord" in text
        ((attempts, files),) = rows(
            database_url,
            "SELECT r.attempts, COUNT(f.id) FROM document_request r LEFT JOIN document_file f "
            "ON f.request_id = r.id WHERE r.id = %s GROUP BY r.attempts",
            slow,
        )
        assert attempts >= 2 and files == 1  # begun twice (the first run was killed), one file

        for m in ("a", "b"):
            health = healthy(base[m])
            assert health is not None and health["status"] == "ok", m
    except BaseException:
        for name in procs.started:
            print(f"--- {name} ---\n{procs.output(name)[-3000:]}")
        raise
    finally:
        procs.stop_all()
