"""The whole path through a real ``verbund serve``: check, init, user, token, record, form
save, transition, document request, and the .docx downloaded and reopened with python-docx.

It drives the fixture configuration (a grant office), not KIM's, with the embedded Redis.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import docx
import pytest

from tests.helpers import PASSWORD

FIXTURE = Path(__file__).parent / "fixtures" / "foerderung"


def verbund_command() -> list[str]:
    script = Path(sys.executable).parent / "verbund"
    return [str(script)] if script.exists() else [sys.executable, "-m", "server.cli"]


def run(
    config: Path, *args: str, stdin: str | None = None, env=None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*verbund_command(), "--config", str(config), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Http:
    def __init__(self, base: str, token: str | None = None):
        self.base, self.token = base, token

    def call(self, method: str, path: str, body=None) -> tuple[int, dict | bytes]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw, kind = (
                    response.status,
                    response.read(),
                    response.headers.get_content_type(),
                )
        except urllib.error.HTTPError as exc:
            status, raw, kind = exc.code, exc.read(), exc.headers.get_content_type()
        return status, json.loads(raw) if kind == "application/json" else raw


@pytest.fixture
def office(tmp_path) -> Path:
    target = tmp_path / "office"
    shutil.copytree(FIXTURE, target)
    return target / "config.toml"


def test_serve_drives_a_grant_from_form_to_word_document(office):
    env = dict(os.environ, VERBUND_ADMIN_PASSWORD="Admin-Passwort-lang-1")
    env.pop("VERBUND_CONFIG", None)
    env.pop("VERBUND_DATABASE_URL", None)
    env.pop("VERBUND_REDIS_URL", None)

    checked = run(office, "check", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    init = run(office, "init", env=env)
    assert init.returncode == 0, init.stderr
    assert "admin" in init.stdout and "Admin-Passwort-lang-1" not in init.stdout

    for name, role, org in [("tsv", "applicant", "tsv-nord"), ("sachb", "clerk", "sportamt")]:
        added = run(
            office,
            "user",
            "add",
            name,
            "--role",
            role,
            "--org",
            org,
            "--password-stdin",
            stdin=PASSWORD + "\n",
            env=env,
        )
        assert added.returncode == 0, added.stderr
    tokens = {}
    for name in ("tsv", "sachb"):
        issued = run(office, "token", name, env=env)
        assert issued.returncode == 0, issued.stderr
        tokens[name] = issued.stdout.strip()

    port = free_port()
    server = subprocess.Popen(
        [*verbund_command(), "--config", str(office), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, page = Http(base).call("GET", "/auth/login")
                if status == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stdout.read()
            assert time.monotonic() < deadline, "verbund serve did not answer within 60 s"
            time.sleep(0.3)
        assert b"Anmeldung" in page

        club, clerk = Http(base + "/api/v1", tokens["tsv"]), Http(base + "/api/v1", tokens["sachb"])
        status, record = club.call("POST", "/records", {"workflow": "foerderung"})
        assert status == 201, record
        rid = record["id"]
        status, record = club.call(
            "PUT",
            f"/records/{rid}/forms/antrag",
            {
                "version": record["version"],
                "data": {
                    "verein": "TSV Nord & Söhne <e.V.>",
                    "email": "vorstand@tsv-nord.example",
                    "mitglieder": 312,
                    "gemeinnuetzig": True,
                    "nachweis": "FA-123/45",
                    "beginn": "2027-03-01",
                    "sparten": ["turnen", "fussball"],
                    "zweck": "Neue Turnmatten für die Jugend > 12 Jahre",
                    "betrag": "1250.50",
                    "posten": [
                        {"posten": "Matten", "betrag": 1000},
                        {"posten": "Transport", "betrag": "250,50"},
                    ],
                },
            },
        )
        assert status == 200, record
        assert record["title"] == "TSV Nord & Söhne <e.V.>"
        status, record = club.call(
            "POST",
            f"/records/{rid}/transitions",
            {"to": "eingereicht", "version": record["version"]},
        )
        assert status == 200, record
        assert record["state"] == "eingereicht"

        status, record = clerk.call(
            "PUT",
            f"/records/{rid}/forms/bescheid",
            {
                "version": record["version"],
                "data": {
                    "entscheidung": "bewilligt",
                    "bewilligt_betrag": 1200,
                    "begruendung": "Förderfähig.",
                },
            },
        )
        assert status == 200, record
        status, record = clerk.call(
            "POST", f"/records/{rid}/transitions", {"to": "bewilligt", "version": record["version"]}
        )
        assert status == 200, record

        status, job = club.call("POST", f"/records/{rid}/documents", {"document": "eingang"})
        assert status == 202, job
        deadline = time.monotonic() + 60
        while True:
            status, doc = club.call("GET", f"/documents/{job['id']}")
            assert status == 200
            if doc["status"] in ("finished", "failed"):
                break
            assert time.monotonic() < deadline, f"document still {doc['status']} after 60 s"
            time.sleep(0.3)
        assert doc["status"] == "finished", doc["error"]

        status, content = club.call("GET", f"/documents/{job['id']}/file")
        assert status == 200
        document = docx.Document(io.BytesIO(content))
        text = "\n".join(p.text for p in document.paragraphs)
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        assert "Verein: TSV Nord & Söhne <e.V.>" in text
        assert "Zweck: Neue Turnmatten für die Jugend > 12 Jahre" in text
        assert "Gemeinnützig: Ja" in text
        assert "1250.5" in text and "2027-03-01" in text
        assert "Matten" in cells and "Transport" in cells and "250.5" in cells
    finally:
        # only the supervisor gets SIGTERM: it must stop the web server and worker itself
        server.send_signal(signal.SIGTERM)
        try:
            output, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            raise
    assert server.returncode == 0, output
    assert "Verbund ist beendet" in output
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
