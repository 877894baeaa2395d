"""A publication reaches other processes without a restart: a second web app and a worker.

Both are real subprocesses on the same database (and Redis); nothing is mocked.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import docx

from server.runtime import current_runtime
from tests.helpers import worker_env

ROOT = Path(__file__).resolve().parent.parent

WEB_PROBE = r"""
import json, sys, time
from server import create_app
config, database_url, redis_url, token = sys.argv[1:5]
app = create_app(config, {"database": {"url": database_url}, "queue": {"redis_url": redis_url}})
client = app.test_client()
headers = {"Authorization": "Bearer " + token}
def label():
    return client.get("/api/v1/forms/antrag", headers=headers).json["fields"][0]["label"]
first = label()
print(json.dumps({"label": first}), flush=True)
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    now = label()
    if now != first:
        print(json.dumps({"label": now}), flush=True)
        break
    time.sleep(0.05)
"""


def test_a_second_web_process_sees_a_publication_within_seconds(app, api):
    admin = api("admin.live", ["admin"], "verwaltung")
    clerk = api("sb.live", ["clerk"])
    settings = current_runtime(app).settings
    probe = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WEB_PROBE,
            str(settings.config_path),
            settings.database_url,
            settings.redis_url,
            clerk.token,
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=worker_env(app),
        cwd=ROOT,
    )
    try:
        assert json.loads(probe.stdout.readline()) == {"label": "Name des Vereins"}
        text = admin.get("/config/forms/antrag").json["toml"]
        published = admin.put(
            "/config/forms/antrag",
            json={"toml": text.replace("Name des Vereins", "Vereinsname live"), "message": "m"},
        )
        assert published.status_code == 200
        started = time.monotonic()
        line = probe.stdout.readline()
        elapsed = time.monotonic() - started
        assert json.loads(line) == {"label": "Vereinsname live"}
        assert elapsed < 5, elapsed
    finally:
        probe.kill()
        probe.wait(timeout=10)


def _wait_for_document(api_client, document_id: int, worker) -> bytes:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = api_client.get(f"/documents/{document_id}").json["status"]
        if status == "finished":
            return api_client.get(f"/documents/{document_id}/file").data
        assert status != "failed"
        assert worker.poll() is None, "the worker died"
        time.sleep(0.2)
    raise AssertionError("document not finished in time")


def _text(content: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def test_a_running_worker_renders_with_the_new_definitions(app, api):
    admin = api("admin.worker", ["admin"], "verwaltung")
    clerk = api("sb.worker", ["clerk"])
    record = clerk.post("/records", json={"workflow": "foerderung"}).json
    data = {
        "verein": "Kanuclub",
        "email": "k@example.org",
        "beginn": "2027-06-01",
        "zweck": "Boot",
        "betrag": "10",
        "posten": [{"posten": "Boot", "betrag": "10"}],
    }
    record = clerk.put(
        f"/records/{record['id']}/forms/antrag", json={"data": data, "version": record["version"]}
    ).json
    record = clerk.post(
        f"/records/{record['id']}/transitions",
        json={"to": "eingereicht", "version": record["version"]},
    ).json
    worker = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "worker"],
        env=worker_env(app),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        first = clerk.post(f"/records/{record['id']}/documents", json={"document": "eingang"})
        assert "Zustand: Eingereicht" in _text(_wait_for_document(clerk, first.json["id"], worker))

        text = admin.get("/config/workflows/foerderung").json["toml"]
        changed = text.replace('label = "Eingereicht"', 'label = "Beim Sportamt eingegangen"')
        published = admin.put(
            "/config/workflows/foerderung", json={"toml": changed, "message": "Bezeichnung"}
        )
        assert published.status_code == 200, published.json
        assert clerk.get(f"/records/{record['id']}").json["state_label"] == (
            "Beim Sportamt eingegangen"
        )
        second = clerk.post(f"/records/{record['id']}/documents", json={"document": "eingang"})
        content = _wait_for_document(clerk, second.json["id"], worker)
        assert "Zustand: Beim Sportamt eingegangen" in _text(content)
        assert worker.poll() is None  # the same process, never restarted
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
