"""A text index for record search (issue 21), filled from the records already there.

Search finds every record whose ``search_text`` contains each word typed as a substring
(``0012`` finds ``kim-2026-0012``, ``müll`` finds Müller, any script). Both indexes keep
exactly that meaning and answer it from trigrams:

- SQLite: an FTS5 table ``record_search`` with the trigram tokenizer, external content
  (the text stays in ``record.search_text``; the index holds only the trigrams and which
  records have them: ``detail=none``, about 1.3x the text instead of 3.5x with positions).
  Triggers on ``record`` keep it current in the statement that writes the record, so in the
  same transaction, whoever writes (saves, anonymisation, imports, restores).
- PostgreSQL: a GIN index with ``pg_trgm``'s operator class on ``record.search_text``;
  PostgreSQL keeps it current itself. The extension is "trusted" (PostgreSQL 13 and later):
  the owner of the database may create it without being a superuser.

Filling the index reads every record once (SQLite: about 13 s per 100,000 records here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import peewee

from ..base import database

if TYPE_CHECKING:
    from .runner import Context

TITLE = "Suchindex für Datensätze (SQLite FTS5-Trigramme, PostgreSQL pg_trgm)"

SQLITE = (
    "CREATE VIRTUAL TABLE record_search USING fts5(search_text, content='record', "
    "content_rowid='id', tokenize='trigram', detail='none')",
    # the 'delete' of external content must be given the text that was indexed: old.*
    "CREATE TRIGGER record_search_insert AFTER INSERT ON record BEGIN "
    "INSERT INTO record_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER record_search_delete AFTER DELETE ON record BEGIN "
    "INSERT INTO record_search(record_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER record_search_update AFTER UPDATE OF search_text ON record "
    "WHEN old.search_text IS NOT new.search_text BEGIN "
    "INSERT INTO record_search(record_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO record_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO record_search(record_search) VALUES ('rebuild')",
)

POSTGRESQL_INDEX = (
    'CREATE INDEX "record_search_text_trgm" ON "record" USING gin ("search_text" gin_trgm_ops)'
)


def _create_pg_trgm() -> None:
    try:
        with database.atomic():  # a savepoint: the error below replaces PostgreSQL's
            database.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except peewee.DatabaseError as exc:
        raise RuntimeError(
            "Die PostgreSQL-Erweiterung pg_trgm ließ sich nicht anlegen "
            f"({str(exc).strip().splitlines()[0]}); bitte einmal als Eigentümer der "
            "Datenbank oder Administrator „CREATE EXTENSION pg_trgm;“ ausführen und "
            "„verbund migrate“ wiederholen"
        ) from exc


def upgrade(ctx: Context) -> None:
    if ctx.dialect == "sqlite":
        for statement in SQLITE:
            ctx.execute(statement)
    else:
        _create_pg_trgm()
        ctx.execute(POSTGRESQL_INDEX)
    ctx.note("Suchindex angelegt und gefüllt")
