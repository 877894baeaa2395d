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
    from server.models import User, database, is_sqlite
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
    if not is_sqlite():
        database.execute_sql("ANALYZE record")  # as autovacuum would have by now
    users = [User.get(User.username == who) for who in ("head", "clerk")]

    def run_all(kind: str, search) -> dict:
        """Every search as every user with ``search`` in the list query: times, answers."""
        listing.apply_search = search
        answers = {}
        try:
            for user in users:
                for label, text in SEARCHES.items():
                    query = listing.ListQuery(workflow="foerderung", search=text)
                    page = listing.list_records(defs, user, query)
                    answers[user.username, text] = ([r.id for r in page.items], page.total)
                    run = functools.partial(listing.list_records, defs, user, query)
                    timings[f"{user.username}: {label}"][kind] = timed(run, args.repeat)
        finally:
            listing.apply_search = apply_search
        return answers

    timings = {f"{u}: {label}": {} for u in ("head", "clerk") for label in SEARCHES}
    with_index = run_all("index", apply_search)
    saves = {"with index": save_cost(args.repeat)}
    drop_index()  # the scan as before: on PostgreSQL the same ILIKE, without the GIN index
    assert run_all("scan", scan_search) == with_index  # the same answers
    saves["without index"] = save_cost(args.repeat)
    rows = [(f"{name}, {kind}", t) for name, both in timings.items() for kind, t in both.items()]
    rows += [(f"one save, {kind}", t) for kind, t in saves.items()]
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
