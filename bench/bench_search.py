"""Record search (``search=`` of the list, issue 21) on the text index against the scan it
replaced, in the same process: the same list query (scope, sort, count, first page of 50)
once with the index condition and once with the former ``search_text LIKE '%word%'``.

Searches: a rare word (one record), the same with a word every record has, a word in about
a thousandth of the records, a word in every record, a word of one character (no trigram:
both scan), as the team lead (organisation scope) and as the clerk (all records). Also one
save's cost with and without the index (SQLite: the triggers; PostgreSQL: the GIN index).

    .venv/bin/python bench/bench_search.py --sizes 1000,100000 [--database-url …] --repeat 20
"""

from __future__ import annotations

import functools
import time

from common import arguments, office, populate, report, timed

SEARCHES = {
    "rare (one record)": "77777",
    "rare and a word of every record": "verein 77777",
    "about 1 in 1000": "zweck 123",
    "every record": "verein",
    "one character": "7",
}


def scan_search(query, text):
    """The search before the index: every word a LIKE over all of ``search_text``."""
    from server.models import Record

    for word in (text or "").lower().split()[:5]:
        query = query.where(Record.search_text.contains(word))
    return query


def save_cost(repeat: int) -> float:
    """Median seconds of one ``search_text`` update in its own transaction."""
    from server.models import Record, database

    rid = Record.select(Record.id).order_by(Record.id.desc()).scalar()
    counter = iter(range(10**9))

    def save():
        with database.atomic():
            Record.update(search_text=f"verein neu {next(counter)} zweck").where(
                Record.id == rid
            ).execute()

    return timed(save, repeat)


def drop_index() -> None:
    from server.models import database, is_sqlite

    if is_sqlite():
        for name in ("insert", "update", "delete"):
            database.execute_sql(f"DROP TRIGGER record_search_{name}")
    else:
        database.execute_sql('DROP INDEX "record_search_text_trgm"')


def measure(size: int, args) -> list[tuple[str, float]]:
    config, overrides = office(args.database_url)
    from server import create_app
    from server.models import User, database
    from server.runtime import current_runtime
    from server.services.records import listing
    from server.services.records.search import apply_search

    create_app(str(config), overrides)
    database.connect(reuse_if_open=True)
    defs = current_runtime().definitions
    started = time.perf_counter()
    populate(size)
    print(f"\n  {size:,} records inserted (index kept by the database): "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    rows = []
    for who in ("head", "clerk"):
        user = User.get(User.username == who)
        for label, text in SEARCHES.items():
            query = listing.ListQuery(workflow="foerderung", search=text)
            results = {}
            for kind, search in (("index", apply_search), ("scan", scan_search)):
                listing.apply_search = search
                try:
                    page = listing.list_records(defs, user, query)
                    results[kind] = ([r.id for r in page.items], page.total)
                    run = functools.partial(listing.list_records, defs, user, query)
                    rows.append((f"{who}: {label}, {kind}", timed(run, args.repeat)))
                finally:
                    listing.apply_search = apply_search
            assert results["index"] == results["scan"], (who, text)  # same answer
    rows.append(("one save, with index", save_cost(args.repeat)))
    drop_index()
    rows.append(("one save, without index", save_cost(args.repeat)))
    database.close()
    return rows


def main() -> None:
    args = arguments(__doc__)
    kind = "PostgreSQL" if args.database_url else "SQLite"
    for size in (int(s) for s in args.sizes.split(",")):
        rows = measure(size, args)
        report(f"Search, {size:,} records ({kind}, median of {args.repeat})", rows)


if __name__ == "__main__":
    main()
