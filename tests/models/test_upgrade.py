"""A database made by the release before versioned migrations, upgraded by ``verbund migrate``.

The old database is built from the schema that release wrote (``tests/fixtures/schema``,
dumped from a database its ``verbund init`` made) and filled with a case, its saves, its
history, a deadline and audit entries. Real processes: ``verbund serve`` and
``verbund worker`` must refuse it, ``verbund migrate`` upgrades it, and afterwards the API
shows the case as it was. On SQLite, and on PostgreSQL with VERBUND_TEST_DATABASE_URL.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest

from server import create_app
from server.config import load_settings
from server.models import (
    AuditEntry,
    Deadline,
    FormSave,
    Organisation,
    Record,
    TransitionLog,
    User,
    database,
    open_database,
)
from server.models.migrations import MIGRATIONS, SchemaOutdated, SchemaVersion
from server.queue.connection import forget_clients
from server.services.accounts.people import hash_password, issue_token
from tests.helpers import PASSWORD
from tests.test_end_to_end import run

SCHEMA = Path(__file__).parent.parent / "fixtures" / "schema"
NEWEST = f"{MIGRATIONS[-1].number:04d}"


def database_url(config: Path, overrides: dict) -> str:
    return overrides.get("database", {}).get("url") or load_settings(str(config)).database_url


def load_old_schema(url: str) -> None:
    """Create the tables exactly as the release before migrations made them."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path)
        conn.executescript((SCHEMA / "before-migrations.sqlite.sql").read_text("utf-8"))
        conn.execute("PRAGMA journal_mode=WAL")
        conn.close()
        return
    import psycopg2

    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute((SCHEMA / "before-migrations.postgresql.sql").read_text("utf-8"))
    conn.close()


def fill_old_database(url: str) -> dict:
    """A clerk, a case with two saves, a transition, an open deadline and audit entries."""
    open_database(url)
    with database.connection_context(), database.atomic():
        org = Organisation.create(name="sportamt", label="Sportamt")
        clerk = User.create(
            username="sachbearbeitung",
            display_name="Sachbearbeitung",
            password_hash=hash_password(PASSWORD),
            organisation=org,
            roles=["clerk"],
        )
        data = {"antrag": {"verein": "TuS Grün-Weiß 1906", "mitglieder": 312}}
        record = Record.create(
            workflow="foerderung",
            state="eingereicht",
            version=3,
            title="TuS Grün-Weiß 1906",
            owner=clerk,
            organisation=org,
            created_by=clerk,
            data=data,
        )
        for version, values in ((1, {"verein": "TuS Grün-Weiss"}), (2, data["antrag"])):
            FormSave.create(
                record=record, form="antrag", record_version=version, data=values, author=clerk
            )
        TransitionLog.create(
            record=record, from_state="entwurf", to_state="eingereicht", record_version=3
        )
        # the columns the deadline had then (later migrations add more: the model has them)
        p = database.param
        database.execute_sql(
            "INSERT INTO deadline (record_id, state, label, due_on, created_at) "
            f"VALUES ({p}, {p}, {p}, {p}, {p})",
            (record.id, "eingereicht", "Prüfung", dt.date(2026, 12, 20), dt.datetime(2026, 12, 1)),
        )
        for action in ("record.create", "record.save", "record.transition"):
            AuditEntry.create(user=clerk, username=clerk.username, action=action, record_id=1)
    database.close()
    return {"record_id": record.id, "data": data, "title": record.title}


def counts() -> dict[str, int]:
    models = (Organisation, User, Record, FormSave, TransitionLog, Deadline, AuditEntry)
    return {model._meta.table_name: model.select().count() for model in models}


@pytest.fixture
def old_installation(config_dir, database_overrides):
    """The office's config with a filled database of the release before migrations; the
    environment its subprocesses need (the database URL for PostgreSQL)."""
    config = config_dir / "config.toml"
    url = database_url(config, database_overrides)
    load_old_schema(url)
    facts = fill_old_database(url)
    open_database(url)
    with database.connection_context():
        facts["counts"] = counts()
    env = dict(os.environ)
    for name in ("VERBUND_CONFIG", "VERBUND_DATABASE_URL", "VERBUND_REDIS_URL"):
        env.pop(name, None)
    if database_overrides:
        env["VERBUND_DATABASE_URL"] = url
    return config, url, env, facts


def test_migrate_upgrades_an_old_database_and_serve_refuses_it_before(
    old_installation, redis_url, database_overrides
):
    config, url, env, facts = old_installation

    for command in (("serve", "--port", "1"), ("worker", "--burst"), ("user", "add", "x",
                    "--role", "clerk", "--org", "sportamt")):  # fmt: skip
        refused = run(config, *command, env=env)
        assert refused.returncode == 1, (command, refused.stdout, refused.stderr)
        assert "nicht auf dem Stand dieser Verbund-Version" in refused.stderr
        assert "verbund migrate" in refused.stderr
        assert "Traceback" not in refused.stderr
    with pytest.raises(SchemaOutdated, match="verbund migrate"):
        create_app(str(config), {"queue": {"redis_url": redis_url}, **database_overrides})

    check = run(config, "migrate", "--check", env=env)
    assert check.returncode == 1, check.stderr
    assert "vor den versionierten Migrationen" in check.stdout
    assert f"  {NEWEST} " in check.stdout and "Nichts geändert" in check.stdout
    dry = run(config, "migrate", "--dry-run", env=env)
    assert dry.returncode == 0 and "0001 Ausgangsstand" in dry.stdout

    done = run(config, "migrate", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(MIGRATIONS)} Migration(en) angewendet" in done.stdout
    assert f"jetzt auf Stand {NEWEST}" in done.stdout

    open_database(url)
    with database.connection_context():
        assert counts() == facts["counts"]
        record = Record.get_by_id(facts["record_id"])
        assert record.data == facts["data"] and record.version == 3
        assert [s.data["verein"] for s in record.saves.order_by(FormSave.record_version)] == [
            "TuS Grün-Weiss",
            "TuS Grün-Weiß 1906",
        ]
        indexes = {index.name for index in database.get_indexes("deadline")}
        assert "deadline_closed_at_due_on" in indexes
        rows = list(SchemaVersion.select().order_by(SchemaVersion.version))
        assert [r.version for r in rows] == [m.number for m in MIGRATIONS]
        assert rows[0].note == "vorhandene Datenbank übernommen"
        assert all(r.applied_at is not None for r in rows)
    database.close()

    again = run(config, "migrate", "--check", env=env)
    assert again.returncode == 0 and "Keine Migration ausstehend" in again.stdout

    forget_clients()
    app = create_app(str(config), {"queue": {"redis_url": redis_url}, **database_overrides})
    with app.app_context(), database.connection_context():
        token = issue_token(User.get(User.username == "sachbearbeitung"), "test")
    answer = app.test_client().get(
        f"/api/v1/records/{facts['record_id']}", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json["data"]["antrag"]["verein"] == "TuS Grün-Weiß 1906"
    assert answer.json["state"] == "eingereicht"
    forget_clients()


def wipe(url: str) -> None:
    """Remove the database, as after a disk failure."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg2

    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    conn.close()


def test_a_backup_of_the_previous_release_restores_into_this_version(old_installation, tmp_path):
    config, url, env, facts = old_installation
    backup = tmp_path / "alt.sicherung"
    # the backup before an upgrade works on the outdated database (and notes itself there)
    made = run(config, "backup", str(backup), "--unencrypted", env=env)
    assert made.returncode == 0, made.stdout + made.stderr
    database.close()
    wipe(url)
    # the new installation's database was made: empty tables, all migrations noted
    assert run(config, "migrate", env=env).returncode == 0

    restored = run(config, "restore", str(backup), env=env)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert f"{len(MIGRATIONS)} Migration(en) angewendet" in restored.stdout

    open_database(url)
    with database.connection_context():
        expected = dict(facts["counts"])
        expected["audit_entry"] += 1  # the restore's own entry (backup.restore)
        assert counts() == expected
        assert Record.get_by_id(facts["record_id"]).data == facts["data"]
        assert "deadline_closed_at_due_on" in {i.name for i in database.get_indexes("deadline")}
        assert SchemaVersion.get_by_id(1).note == "vorhandene Datenbank übernommen"
    database.close()
    assert run(config, "migrate", "--check", env=env).returncode == 0
