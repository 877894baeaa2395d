"""``verbund backup`` while another process writes, ``verbund restore`` into an empty
installation: the same counts, the same case history, file and document; the audit log
stays append-only; every refusal is a German message without a traceback."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import peewee
import pytest
from click.testing import CliRunner

from server import create_app
from server.cli import main
from server.config import load_settings
from server.models import (
    MODELS,
    AuditEntry,
    Organisation,
    create_tables,
    database,
    open_database,
)
from server.runtime import current_runtime
from server.services.backup import make_backup, new_key

WRITER = Path(__file__).with_name("writer.py")


def counts() -> dict[str, int]:
    return {model._meta.table_name: model.select().count() for model in MODELS}


def run(config_dir: Path, *args: str, env: dict | None = None):
    result = CliRunner().invoke(main, ["--config", str(config_dir / "config.toml"), *args], env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_a_backup_taken_during_writes_restores_the_whole_installation(
    app, world, redis_url, tmp_path, empty_installation, database_overrides
):
    settings = current_runtime(app).settings
    organisations, entries = Organisation.select().count(), AuditEntry.select().count()
    database.close()  # the writer and the backup are the only ones at work now
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, str(WRITER), settings.database_url, str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "bereit"
        key = new_key()
        backup = tmp_path / "verbund.sicherung"
        summary = make_backup(settings, backup, key)
    finally:
        stop.touch()
        writer.wait(timeout=30)
    taken = summary.counts
    # one moment: the writer's pairs are complete in the copy, and it went on writing after
    added = taken["organisation"] - organisations
    assert added > 0
    assert taken["audit_entry"] - entries == added
    database.connect(reuse_if_open=True)
    assert Organisation.select().count() > taken["organisation"]
    assert b"Satzung" not in backup.read_bytes()  # encrypted
    instance_files = {
        p.name: p.read_bytes() for p in settings.instance_dir.iterdir() if "key" in p.name
    }
    database.close()

    target, env = empty_installation
    result = run(target, "restore", str(backup), env={"VERBUND_BACKUP_KEY": key, **env})
    assert result.exit_code == 0, result.output
    assert "wiederhergestellt" in result.output

    overrides = {"queue": {"redis_url": redis_url}}
    if env:
        overrides["database"] = {"url": env["VERBUND_DATABASE_URL"]}
    restored = create_app(str(target / "config.toml"), overrides)
    database.connect(reuse_if_open=True)
    # everything of the backup, and the restore's own audit entry (test_backup_audit.py)
    assert counts() == {**taken, "audit_entry": taken["audit_entry"] + 1}
    client = restored.test_client()
    headers = {"Authorization": f"Bearer {world['token']}"}
    answers = {
        name: client.get("/api/v1" + path, headers=headers) for name, path in world["paths"].items()
    }
    assert answers["record"].json == world["record"]
    assert answers["file"].data == world["file"]
    assert answers["document"].data == world["document"]
    assert instance_files and all(
        (target / "instance" / name).read_bytes() == content
        for name, content in instance_files.items()
    )
    logged = AuditEntry.select().count()  # the reads above were audited, too
    with pytest.raises(peewee.DatabaseError), database.atomic():
        AuditEntry.update(action="geändert").execute()
    with pytest.raises(peewee.DatabaseError), database.atomic():
        AuditEntry.delete().execute()
    assert AuditEntry.select().count() == logged


def test_refusals_are_german_messages(app, world, tmp_path, empty_installation, database_overrides):
    config_dir = Path(current_runtime(app).settings.config_path).parent
    source_env = (
        {"VERBUND_DATABASE_URL": database_overrides["database"]["url"]}
        if database_overrides
        else {}
    )
    database.close()
    file = tmp_path / "sicherung"

    refused = run(config_dir, "backup", str(file), env={"VERBUND_BACKUP_KEY": "", **source_env})
    assert refused.exit_code == 1
    assert "VERBUND_BACKUP_KEY" in refused.output and "--unencrypted" in refused.output
    assert not file.exists()

    bad_key = run(
        config_dir, "backup", str(file), env={"VERBUND_BACKUP_KEY": "geheim", **source_env}
    )
    assert bad_key.exit_code == 1
    assert "kein gültiger Schlüssel" in bad_key.output

    key = new_key()
    nowhere = run(
        config_dir,
        "backup",
        str(tmp_path / "fehlt" / "x"),
        env={"VERBUND_BACKUP_KEY": key, **source_env},
    )
    assert nowhere.exit_code == 1
    assert "nicht schreibbar (Datei oder Verzeichnis gibt es nicht)" in nowhere.output
    made = run(config_dir, "backup", str(file), env={"VERBUND_BACKUP_KEY": key, **source_env})
    assert made.exit_code == 0, made.output

    plain = tmp_path / "offen.tar"
    made = run(
        config_dir,
        "backup",
        "--unencrypted",
        str(plain),
        env={"VERBUND_BACKUP_KEY": key, **source_env},  # the explicit flag wins
    )
    assert made.exit_code == 0, made.output
    assert "unverschlüsselt" in made.output
    with tarfile.open(plain) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = tar.getnames()
    assert manifest["counts"]["record"] == 1 and manifest["counts"]["upload_content"] == 1
    assert "created_at" in manifest["schema"]["record"]
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    assert {"instance/secret_key"} < set(names)
    assert any(name.startswith("database.") for name in names)

    target, env = empty_installation
    _start_once(target, env)
    cases = {
        "verschlüsselt: Bitte den Schlüssel": (file, {"VERBUND_BACKUP_KEY": ""}),
        "falscher Schlüssel": (file, {"VERBUND_BACKUP_KEY": new_key()}),
        "Prüfsumme": (_tampered(plain, tmp_path / "verändert.tar"), {}),
        "nicht lesbar (Datei oder Verzeichnis gibt es nicht)": (tmp_path / "fehlt.tar", {}),
        "keine Verbund-Sicherung oder beschädigt": (_truncated(plain, tmp_path / "halb.tar"), {}),
    }
    for message, (archive, extra) in cases.items():
        result = run(target, "restore", str(archive), env={**env, **extra})
        assert result.exit_code == 1, (message, result.output)
        assert message in result.output
    # none of these restored anything: the empty installation takes the good backup
    ok = run(target, "restore", str(file), env={**env, "VERBUND_BACKUP_KEY": key})
    assert ok.exit_code == 0, ok.output
    again = run(target, "restore", str(file), env={**env, "VERBUND_BACKUP_KEY": key})
    assert again.exit_code == 1
    assert "nicht leer" in again.output


def _start_once(config_dir: Path, env: dict) -> None:
    """Tables without rows, as a first start leaves them: still an empty installation."""
    open_database(load_settings(config_dir / "config.toml", environ=env).database_url)
    database.connect(reuse_if_open=True)
    create_tables()
    database.close()


def _tampered(source: Path, target: Path) -> Path:
    """The archive with one byte of the database changed, the manifest left as it was."""
    with tarfile.open(source) as tar, tarfile.open(target, "w") as out:
        for member in tar.getmembers():
            data = bytearray(tar.extractfile(member).read())
            if member.name.startswith("database."):
                data[len(data) // 2] ^= 0xFF
            out.addfile(member, io.BytesIO(bytes(data)))
    return target


def _truncated(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes()[:700])
    return target
