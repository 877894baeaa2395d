"""The migrations in one process: a new database equals the models, a failing migration
changes nothing, an old database lacking a table and a column is completed, and a database
migrated by a newer version is run but not migrated. SQLite, and PostgreSQL with
VERBUND_TEST_DATABASE_URL."""

from __future__ import annotations

import logging
import threading

import peewee
import pytest
from click.testing import CliRunner

from server import create_app
from server.cli import main
from server.models import MODELS, Record, database, open_database
from server.models.migrations import (
    MIGRATIONS,
    Migration,
    MigrationFailed,
    SchemaVersion,
    apply_pending,
    ensure_current,
    read_state,
)
from server.models.records import SEARCH_INDEX_NAMES
from server.queue.connection import forget_clients
from tests.models.test_upgrade import database_url, fill_old_database, load_old_schema

NEWEST = MIGRATIONS[-1].number


def index_names(table: str) -> set[str]:
    return {
        index.name
        for index in database.get_indexes(table)
        if not index.name.endswith("_pkey")
        and not index.name.startswith("sqlite_autoindex")
        and index.name not in SEARCH_INDEX_NAMES
    }


def test_a_new_database_has_exactly_the_models_tables_columns_and_indexes(app):
    # a model changed without a migration (or the other way round) fails here
    for model in MODELS:
        table = model._meta.table_name
        columns = {c.name for c in database.get_columns(table)}
        assert columns == {f.column_name for f in model._meta.sorted_fields}, table
        assert index_names(table) == {i._name for i in model._meta.fields_to_index()}, table
    rows = list(SchemaVersion.select().order_by(SchemaVersion.version))
    assert [r.version for r in rows] == [m.number for m in MIGRATIONS]
    assert rows[0].note == "neu angelegt"
    assert read_state(MODELS).pending == []


def _add_probe_index(ctx):
    ctx.run(ctx.migrator.add_index("record", ("title",), False))


def _add_column_then_fail(ctx):
    ctx.run(ctx.migrator.add_column("record", "probe", peewee.CharField(default="x")))
    raise RuntimeError("absichtlich gescheitert")


def test_a_failing_migration_leaves_the_database_as_it_was(app):
    good = Migration(NEWEST + 1, "probe_index", "Probe-Index", _add_probe_index)
    bad = Migration(NEWEST + 2, "kaputt", "Scheitert absichtlich", _add_column_then_fail)
    with pytest.raises(MigrationFailed) as failed:
        apply_pending(MODELS, [*MIGRATIONS, good, bad])
    message = str(failed.value)
    assert f"Migration {NEWEST + 2:04d} Scheitert absichtlich ist fehlgeschlagen" in message
    assert "absichtlich gescheitert" in message
    assert f"Nichts wurde geändert; die Datenbank ist weiter auf Stand {NEWEST:04d}" in message
    # all or nothing: the migration before it is rolled back too
    assert "probe" not in {c.name for c in database.get_columns("record")}
    assert "record_title" not in index_names("record")
    assert max(r.version for r in SchemaVersion.select()) == NEWEST
    if isinstance(database.obj, peewee.SqliteDatabase):
        assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1


def test_an_old_database_missing_a_table_and_a_column_is_completed(config_dir, database_overrides):
    url = database_url(config_dir / "config.toml", database_overrides)
    load_old_schema(url)
    facts = fill_old_database(url)
    open_database(url)
    with database.connection_context():
        # as a database of a still older release: without role grants and record search
        database.execute_sql('DROP TABLE "role_grant"')
        database.execute_sql('ALTER TABLE "record" DROP COLUMN "search_text"')
        state, applied = apply_pending(MODELS)
        assert state.kind == "unversioned"
        assert [m.number for m in applied] == [m.number for m in MIGRATIONS]
        note = SchemaVersion.get_by_id(1).note
        assert "Tabellen angelegt: role_grant" in note
        assert "Spalten ergänzt: record.search_text" in note
        record = Record.get_by_id(facts["record_id"])
        assert record.search_text == "" and record.data == facts["data"]
        assert "role_grant" in database.get_tables()


def test_a_database_migrated_by_a_newer_version(
    app, config_dir, redis_url, database_overrides, caplog
):
    SchemaVersion.create(version=9999, name="aus_der_zukunft")
    database.close()
    forget_clients()
    with caplog.at_level(logging.WARNING):
        create_app(
            str(config_dir / "config.toml"),
            {"queue": {"redis_url": redis_url}, **database_overrides},
        )
    assert "Migration 9999 ist dieser Version unbekannt" in caplog.text
    env = (
        {"VERBUND_DATABASE_URL": database_overrides["database"]["url"]}
        if database_overrides
        else {}
    )
    result = CliRunner().invoke(
        main, ["--config", str(config_dir / "config.toml"), "migrate"], env=env
    )
    assert result.exit_code == 1
    assert "neueren Verbund-Version" in result.output


def test_processes_starting_together_on_an_empty_database_create_it_once(
    config_dir, database_overrides
):
    url = database_url(config_dir / "config.toml", database_overrides)
    open_database(url)
    barrier = threading.Barrier(3)
    applied: list[list[int]] = []
    errors: list[BaseException] = []

    def start():  # each thread has its own connection, like a process
        barrier.wait()
        try:
            with database.connection_context():
                applied.append([m.number for m in ensure_current(MODELS)])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(applied, key=len) == [[], [], [m.number for m in MIGRATIONS]]
    with database.connection_context():
        assert SchemaVersion.select().count() == len(MIGRATIONS)


def test_an_unreachable_database_is_named_without_its_password(config_dir):
    url = "postgresql://verbund:geheim-123@127.0.0.1:1/verbund"
    for args in (["migrate"], ["migrate", "--check"], ["user", "add", "x", "--role", "clerk",
                 "--org", "o"]):  # fmt: skip
        result = CliRunner().invoke(
            main, ["--config", str(config_dir / "config.toml"), *args],
            env={"VERBUND_DATABASE_URL": url},
        )  # fmt: skip
        assert result.exit_code == 1, result.output
        assert "Keine Verbindung zur Datenbank (PostgreSQL 127.0.0.1:1/verbund)" in result.output
        assert "geheim" not in result.output and "Traceback" not in result.output
