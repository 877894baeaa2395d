"""``verbund backup`` and ``verbund restore`` leave an audit entry: who (operating-system
account and machine), what (file, size, encryption, rows), when; nothing of the backup's
content. A refused backup leaves none. The restore's entry is in the restored database."""

from __future__ import annotations

import getpass
import socket
from pathlib import Path

from server import create_app
from server.models import AuditEntry, database
from server.runtime import current_runtime
from server.services.backup import new_key
from tests.helpers import login
from tests.services.backup.test_backup_restore import run


def test_backup_and_restore_are_in_the_audit_log(
    app, client, make_user, world, redis_url, tmp_path, empty_installation, database_overrides
):
    config_dir = Path(current_runtime(app).settings.config_path).parent
    env = (
        {"VERBUND_DATABASE_URL": database_overrides["database"]["url"]}
        if database_overrides
        else {}
    )
    before = AuditEntry.select().where(AuditEntry.action.startswith("backup.")).count()
    assert before == 0
    database.close()
    file = tmp_path / "verbund-2026-12-02.sicherung"

    refused = run(config_dir, "backup", str(file), env={"VERBUND_BACKUP_KEY": "", **env})
    assert refused.exit_code == 1
    database.connect(reuse_if_open=True)
    assert AuditEntry.select().where(AuditEntry.action.startswith("backup.")).count() == 0
    database.close()

    key = new_key()
    made = run(config_dir, "backup", str(file), env={"VERBUND_BACKUP_KEY": key, **env})
    assert made.exit_code == 0, made.output
    database.connect(reuse_if_open=True)
    (entry,) = AuditEntry.select().where(AuditEntry.action == "backup.create")
    assert entry.object_type == "backup" and entry.object_id == file.name
    assert entry.user_id is None and entry.username == ""
    detail = entry.detail
    assert detail["os_user"] == getpass.getuser() and detail["host"] == socket.gethostname()
    assert detail["file"] == file.name and detail["size"] == file.stat().st_size
    assert detail["encrypted"] is True and detail["tables"] > 10 and detail["rows"] > 0
    # what is in the backup stays out of the log: no names, addresses or file contents
    shown = str(entry.__data__)
    for personal in ("SV Rhein", "sv-rhein", "Satzung", "sb.sicherung"):
        assert personal not in shown
    # the administration's audit screen names it in German
    make_user("chefin", ["admin"], "verwaltung")
    login(client, "chefin")
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "Sicherung erstellt" in page and file.name in page
    database.close()

    target, target_env = empty_installation
    restored = run(target, "restore", str(file), env={"VERBUND_BACKUP_KEY": key, **target_env})
    assert restored.exit_code == 0, restored.output
    overrides = {"queue": {"redis_url": redis_url}}
    if target_env:
        overrides["database"] = {"url": target_env["VERBUND_DATABASE_URL"]}
    create_app(str(target / "config.toml"), overrides)
    database.connect(reuse_if_open=True)
    actions = [e.action for e in AuditEntry.select().where(AuditEntry.action.startswith("backup."))]
    # the backup's own entry came after the copy; the restore's is the newest
    assert actions == ["backup.restore"]
    (entry,) = AuditEntry.select().where(AuditEntry.action == "backup.restore")
    assert entry.detail["file"] == file.name and entry.detail["encrypted"] is True
