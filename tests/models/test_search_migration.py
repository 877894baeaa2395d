"""Migration 0008 on a database that already holds records: it builds the search index from
them, and from then on the index follows every write. SQLite, and PostgreSQL with
VERBUND_TEST_DATABASE_URL."""

from __future__ import annotations

from server.models import MODELS, Record, database, is_sqlite, open_database
from server.models.migrations import apply_pending
from server.services.records.search import apply_search
from tests.models.test_upgrade import database_url, fill_old_database, load_old_schema


def ids(search: str) -> list[int]:
    return [r.id for r in apply_search(Record.select(Record.id), search)]


def test_existing_records_are_found_after_the_migration(config_dir, database_overrides):
    url = database_url(config_dir / "config.toml", database_overrides)
    load_old_schema(url)
    facts = fill_old_database(url)
    open_database(url)
    with database.connection_context():
        # the text an earlier release saved with the record, written before any index exists
        Record.update(search_text="tus grün-weiß 1906 олена أحمد akte kim-2026-0012").where(
            Record.id == facts["record_id"]
        ).execute()
        later = Record.create(workflow="foerderung", state="entwurf", search_text="sv blau")
        _, applied = apply_pending(MODELS)
        assert 8 in [m.number for m in applied]
        rid = facts["record_id"]
        for search in ("grün-weiß", "олена", "أحمد", "kim-2026-0012", "0012", "1906 tus"):
            assert ids(search) == [rid], search
        assert ids("sv blau") == [later.id] and ids("gelb") == []
        # after the migration the index follows writes in the same transaction
        with database.atomic():
            Record.update(search_text="tus rot").where(Record.id == rid).execute()
            assert ids("grün") == [] and ids("rot") == [rid]
        Record.delete().where(Record.id == later.id).execute()
        assert ids("blau") == []
        if is_sqlite():
            database.execute_sql(
                "INSERT INTO record_search(record_search) VALUES ('integrity-check')"
            )
