"""Record search as SQL conditions on the text index (migration m0008, issue 21).

A search is up to five words; a record matches when its ``search_text`` (lower-case title
and displayed values) contains every word as a substring, case-insensitively. The conditions
go into the same query as the access scope, the list filters and the paging: nothing is
filtered in Python.

SQLite answers words of three or more characters from the FTS5 trigram table
``record_search`` with ``LIKE`` (never ``MATCH``: typed ``"``, ``*``, ``NEAR``, ``-`` or ``:``
are plain characters then, no query syntax). Shorter words, and words with ``LIKE``'s own
``%``/``_``/``\\``, have no trigram to look up; they are checked on ``record.search_text``
of the rows the other conditions leave. PostgreSQL answers every word with ``ILIKE`` on
``record.search_text``, which its ``pg_trgm`` GIN index serves.
"""

from __future__ import annotations

import peewee

from ...models import Record, database, is_sqlite

MAX_WORDS = 5
TRIGRAM = 3  # the index knows strings of three characters and longer
_LIKE_SPECIAL = ("%", "_", "\\")


def search_words(text: str | None) -> list[str]:
    """The words of a search, lower-case, at most :data:`MAX_WORDS`."""
    return (text or "").lower().split()[:MAX_WORDS]


def _indexed(word: str) -> bool:
    return len(word) >= TRIGRAM and not any(c in word for c in _LIKE_SPECIAL)


def search_condition(text: str | None) -> peewee.Expression | None:
    """The condition on ``Record`` that finds ``text``; None for an empty search."""
    words = search_words(text)
    if not words:
        return None
    conditions = []
    if is_sqlite():
        indexed = [w for w in words if _indexed(w)]
        if indexed:
            # one lookup in the index for all long words; the FTS5 table rechecks each
            # candidate's text, so the result is exactly "contains every word"
            likes = " AND ".join(["search_text LIKE ?"] * len(indexed))
            ids = peewee.SQL(
                f"(SELECT rowid FROM record_search WHERE {likes})",
                [f"%{w}%" for w in indexed],
            )
            conditions.append(Record.id.in_(ids))
        words = [w for w in words if not _indexed(w)]
    conditions += [Record.search_text.contains(w) for w in words]
    condition = conditions[0]
    for other in conditions[1:]:
        condition &= other
    return condition


def purge_removed_text() -> None:
    """Remove what deleted or replaced texts left in the index's storage.

    SQLite's FTS5 deletes by writing delete markers; the trigrams of the old text stay in
    older segments until they are merged. After anonymisation they must go: ``optimize``
    merges the index into one segment without them (about 1 s per 100,000 records here, so
    once per batch, not per record). PostgreSQL keeps old row versions, with their index
    entries, until (auto)vacuum – for the whole row, not only the index; nothing to do here.
    """
    if is_sqlite():
        database.execute_sql("INSERT INTO record_search(record_search) VALUES ('optimize')")
