"""Record search as SQL conditions on the text index (migration m0008, issue 21).

A search is up to five words; a record matches when its ``search_text`` (lower-case title
and displayed values) contains every word as a substring, case-insensitively. The conditions
go into the same query as the access scope, the list filters and the paging: nothing is
filtered in Python.

SQLite answers words of three or more characters from the FTS5 trigram table
``record_search`` with ``LIKE`` (never ``MATCH``: typed ``"``, ``*``, ``NEAR``, ``-`` or ``:``
are plain characters then, no query syntax). Shorter words, and words with ``LIKE``'s own
``%``/``_``/``\\``, have no trigram to look up; they are checked on ``record.search_text``
of the rows the other conditions leave. Words in many records (above a tenth of them or
:data:`INDEX_LIMIT`) are checked the same way (the index would hand over all of them; see
:func:`_few_matches`). PostgreSQL answers every word with ``LIKE`` on
``record.search_text`` (:func:`_contains`), which its ``pg_trgm`` GIN index serves. On both,
a scope of at most :data:`SCOPE_READ` records is searched in its own rows' text.
"""

from __future__ import annotations

import json

import peewee

from ...models import Record, database, is_sqlite, unindexed_on_postgresql
from ...models.derived import derived_data
from ..paging import count_upto

MAX_WORDS = 5
TRIGRAM = 3  # the index knows strings of three characters and longer
_LIKE_SPECIAL = ("%", "_", "\\")
# SQLite: above this many matching records a search reads the list's rows instead (see
# _few_matches); the API's count stops at the same number (listing.COUNT_LIMIT), the
# screen's sooner (listing.SCREEN_COUNT_LIMIT)
INDEX_LIMIT = 10_000
MIN_LIMIT = 100  # small databases: the index for up to this many matches all the same
# up to this many records in the searched scope (with its filters), their text is read
# directly – the index would be asked for the whole installation's matches first
SCOPE_READ = 2_000


def search_words(text: str | None) -> list[str]:
    """The words of a search, lower-case, at most :data:`MAX_WORDS`."""
    return (text or "").lower().split()[:MAX_WORDS]


def _indexed(word: str) -> bool:
    return len(word) >= TRIGRAM and not any(c in word for c in _LIKE_SPECIAL)


def apply_search(query: peewee.ModelSelect, text: str | None) -> peewee.ModelSelect:
    """``query`` (records, any scope and filters) narrowed to those that contain ``text``."""
    words = search_words(text)
    if not words:
        return query
    conditions = []
    if is_sqlite():
        indexed = [w for w in words if _indexed(w)]
        # a small scope (a team lead's organisation among hundreds): its rows' text, not
        # the index, which lists every match of the installation (42 ms for "tesfaye" at
        # a million records, against 2 ms for the 300 records of the organisation)
        few_rows = indexed and not count_upto(query, SCOPE_READ)[1]
        matches = _few_matches(indexed) if indexed and not few_rows else None
        if matches is not None:
            conditions.append(Record.id.in_(_listed(matches)))
            words = [w for w in words if not _indexed(w)]
            # few matches: look them up by id and sort them, rather than walking the
            # scope's index in list order and testing every row against the matches
            # (SQLite prefers the walk, as it saves the sort; 10x slower at 100k records)
            query = query.from_(_RecordNotIndexed())
    elif any(_indexed(w) for w in words) and not count_upto(query, SCOPE_READ)[1]:
        # PostgreSQL, a small scope: its planner ANDed the organisation's index with the
        # trigram index, which lists every match of the installation (41,609 records for
        # "tesfaye" at a million: 14 ms a statement); the scope's own 1,009 rows' text: ~2 ms
        return query.where(*(_contains(w, indexed=False) for w in words))
    conditions += [_contains(w) for w in words]
    for condition in conditions:
        query = query.where(condition)
    return query


def _contains(word: str, indexed: bool = True) -> peewee.Expression:
    """``search_text`` contains ``word`` (both lower-case already).

    PostgreSQL: ``LIKE``, not ``ILIKE`` – the text and the word are lower-case, and ``ILIKE``
    folds every character of each row's ~1.5 KB again: a team lead's 314 cases at a million
    records, 5.0 → 1.7 ms per statement. The ``pg_trgm`` index serves both. ``%``, ``_`` and
    ``\\`` typed match only themselves (backslash is PostgreSQL's escape in ``LIKE``).
    ``indexed=False``: the text as no index condition (``search_text || ''``), read row by
    row."""
    if is_sqlite():
        return Record.search_text.contains(word)  # LIKE with ESCAPE: case-blind for ASCII
    escaped = "".join("\\" + c if c in _LIKE_SPECIAL else c for c in word)
    text = Record.search_text if indexed else unindexed_on_postgresql(Record.search_text)
    return text % f"%{escaped}%"


class _RecordNotIndexed(peewee.Node):
    """``"record" AS "t1" NOT INDEXED``: SQLite uses no index of ``record`` but its rowid."""

    def __sql__(self, ctx):
        ctx.sql(Record._meta.table)  # with the alias the query's columns use
        return ctx.literal(" NOT INDEXED")


def _lookup_sql(words: list[str]) -> tuple[str, list[str]]:
    # one lookup for all long words; the FTS5 table rechecks each candidate's text, so the
    # result is exactly "contains every word"
    likes = " AND ".join(["search_text LIKE ?"] * len(words))
    return f"SELECT rowid FROM record_search WHERE {likes}", [f"%{w}%" for w in words]


def _listed(ids: list[int]) -> peewee.SQL:
    # the ids as one JSON parameter: one value however many, and the index is not asked
    # again by the count and the page (each would read every match anew: 186 ms of a
    # search at 100,000 records, against 60 ms from the list)
    return peewee.SQL("(SELECT value FROM json_each(?))", [json.dumps(ids)])


def _few_matches(words: list[str]) -> list[int] | None:
    """The records that contain the words (SQLite), if they are few: at most a tenth of
    all, and at most :data:`INDEX_LIMIT`; None if more.

    The index answers with every matching record before the scope and the paging apply;
    for a word in many records ("verein", "beratung") that is slower than reading the
    list's own rows in order and testing their text, which stops after one page and the
    capped count. The index streams, so asking it for one more than the limit costs little
    either way; the ids it gives (integers, at most the limit) serve the count and the page.
    """
    newest = Record.select(peewee.fn.MAX(Record.id)).scalar() or 0  # rowid: no scan
    limit = min(INDEX_LIMIT, max(MIN_LIMIT, newest // 10))
    sql, params = _lookup_sql(words)
    ids = [row[0] for row in database.execute_sql(f"{sql} LIMIT ?", [*params, limit + 1])]
    return ids if len(ids) <= limit else None


def purge_removed_text() -> None:
    """Remove what deleted or replaced texts left in the index's storage.

    SQLite's FTS5 deletes by writing delete markers; the trigrams of the old text stay in
    older segments until they are merged. After anonymisation they must go: ``optimize``
    merges the index into one segment without them (about 1 s per 100,000 records here;
    a batch of anonymisations purges once at its end). PostgreSQL keeps old row versions,
    with their index entries, until (auto)vacuum – for the whole row, not only the index;
    nothing to do here.
    """
    if is_sqlite():
        database.execute_sql("INSERT INTO record_search(record_search) VALUES ('optimize')")


@derived_data("record_search")
def rebuild_search_index() -> None:
    """Index every record's ``search_text`` anew (after rows were written around the triggers).

    SQLite: FTS5's ``rebuild`` reads the external content once, faster than a row at a time.
    PostgreSQL's GIN index is kept by PostgreSQL itself: nothing to do."""
    if is_sqlite():
        database.execute_sql("INSERT INTO record_search(record_search) VALUES ('rebuild')")
