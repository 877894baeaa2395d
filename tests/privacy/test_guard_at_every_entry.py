"""Consent holds in every kind of process: the app, a `verbund` command, the worker.

The record services ask the rules registered into them (server/services/records/hooks.py)
and import no data protection. Each entry point must register them at start-up; these tests
start each one in a fresh process (nothing registered yet) and try to work on a record whose
consent was withdrawn. A process that skipped the start-up must fail loudly, not save.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from server.models import DocumentFile, Record
from server.runtime import current_runtime

from .conftest import CASE, new_case

# Each mode sets a process up one way, then tries to save the case's form; prints the outcome.
ATTEMPT = r"""
import json, sys
mode, config, record_id, version, token, case = sys.argv[1:7]
record_id, version, case = int(record_id), int(version), json.loads(case)

def save_directly(defs):
    from server.models import User
    from server.services.errors import ServiceError
    from server.services.records.changes import save_form
    user = User.get(User.username == "berater")
    try:
        save_form(defs, user, record_id, "fall", case, version)
    except ServiceError as exc:
        return {"refused": exc.message}
    except Exception as exc:
        return {"error": type(exc).__name__}
    return {"saved": True}

if mode == "app":
    from server import create_app
    client = create_app(config).test_client()
    response = client.put(
        f"/api/v1/records/{record_id}/forms/fall",
        json={"data": case, "version": version},
        headers={"Authorization": "Bearer " + token},
    )
    outcome = {"status": response.status_code, "refused": response.get_json().get("error")}
elif mode == "cli":
    from server.cli import main
    from server.runtime import current_runtime
    main(["--config", config, "token", "berater"], standalone_mode=False)  # any command
    outcome = save_directly(current_runtime().definitions)
else:  # a script that skipped the start-up: only the database opened
    from server.config import load_settings
    from server.models import open_database
    from server.runtime import Runtime
    settings = load_settings(config)
    open_database(settings.database_url)
    outcome = save_directly(Runtime(settings).definitions)
print(json.dumps(outcome))
"""


def _env(app, redis_url: str) -> dict:
    settings = current_runtime(app).settings
    return dict(
        os.environ,
        VERBUND_DATABASE_URL=settings.database_url,
        VERBUND_REDIS_URL=redis_url,
        PYTHONUNBUFFERED="1",
    )


def _withdrawn_case(office) -> dict:
    client = office["berater"]
    case = new_case(client)
    withdrawn = client.post(
        f"/records/{case['id']}/consents/beratung/withdrawal", json={"withdrawn_at": "2026-01-06"}
    )
    assert withdrawn.status_code == 200, withdrawn.json
    return client.get(f"/records/{case['id']}").json


def _attempt(mode: str, app, config_dir, redis_url, office, case) -> dict:
    changed = dict(CASE, notiz="Neue Notiz nach dem Widerruf")
    result = subprocess.run(
        [sys.executable, "-c", ATTEMPT, mode, str(config_dir / "config.toml")]
        + [str(case["id"]), str(case["version"]), office["berater"].token, json.dumps(changed)],
        env=_env(app, redis_url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _notes(record_id: int) -> str:
    return Record.get_by_id(record_id).data["fall"]["notiz"]


def test_the_app_refuses_work_after_a_withdrawal(app, config_dir, redis_url, office):
    case = _withdrawn_case(office)
    outcome = _attempt("app", app, config_dir, redis_url, office, case)
    assert outcome["status"] == 403
    assert "widerrufen" in outcome["refused"]
    assert _notes(case["id"]) == CASE["notiz"]


def test_a_verbund_command_sets_up_the_consent_guard(app, config_dir, redis_url, office):
    case = _withdrawn_case(office)
    outcome = _attempt("cli", app, config_dir, redis_url, office, case)
    assert "widerrufen" in outcome.get("refused", ""), outcome
    assert _notes(case["id"]) == CASE["notiz"]


def test_a_process_without_the_start_up_fails_instead_of_saving(app, config_dir, redis_url, office):
    case = _withdrawn_case(office)
    outcome = _attempt("bare", app, config_dir, redis_url, office, case)
    assert outcome == {"error": "HooksNotInstalled"}
    assert _notes(case["id"]) == CASE["notiz"]


def test_the_worker_produces_no_document_after_a_withdrawal(app, config_dir, redis_url, office):
    client = office["berater"]
    rid = new_case(client)["id"]
    requested = client.post(f"/records/{rid}/documents", json={"document": "vermerk"})
    assert requested.status_code == 202
    withdrawn = client.post(
        f"/records/{rid}/consents/beratung/withdrawal", json={"withdrawn_at": "2026-01-06"}
    )
    assert withdrawn.status_code == 200
    worker = subprocess.run(
        [sys.executable, "-m", "server.cli", "--config", str(config_dir / "config.toml")]
        + ["worker", "--burst"],
        env=_env(app, redis_url),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert worker.returncode == 0, worker.stderr[-3000:]
    status = client.get(f"/documents/{requested.json['id']}").json
    assert status["status"] == "failed"
    assert "widerrufen" in status["error"]
    assert DocumentFile.select().count() == 0
