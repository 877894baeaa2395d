"""Folding a tally's deltas (migration 0021) against rewriting the whole tally (before it).

A read that meets more than ``tallies.SLACK`` deltas folds them, in someone's request and –
on SQLite – under the write lock. Before migration 0021 that fold rewrote the workflow's
whole tally; now it folds the deltas into their keys' rows and the totals (``tally_fold``).
On the cached benchmark data (``page_data.py``) of ``--size`` case records this appends
``--deltas`` deltas (+1 and -1 on random existing keys: the figures stay as they are) to
each tally of the case workflow, times ``fold``, appends them again and times ``compact``
(the whole rewrite, the baseline), and checks that every sum is unchanged. Last, the
periodic month fold (``fold_months``) against the whole rewrite it did before.

Usage: ``.venv/bin/python bench/bench_tally_fold.py --size 1000000 [--database-url URL]``
(set ``VERBUND_BENCH_CACHE`` to where the cached data lives).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

from page_data import prepare  # noqa: E402

WORKFLOW = "case_management"
TABLES = ("value_tally", "record_period_tally", "record_tally")


def _append_deltas(table: str, key: str, deltas: int) -> None:
    from server.models import database, is_sqlite
    from server.models.tallies import ALL_ORGANISATIONS

    mark = "?" if is_sqlite() else "%s"
    random = "random()"
    with database.atomic():
        rows = database.execute_sql(
            f"SELECT {key} FROM {table} WHERE workflow = {mark} AND organisation_id <> "
            f"{ALL_ORGANISATIONS} ORDER BY {random} LIMIT {mark}",
            [WORKFLOW, deltas // 2],
        ).fetchall()
        values = ", ".join([mark] * (len(key.split(", ")) + 1))
        for row in rows:
            for sign in (1, -1):
                database.execute_sql(
                    f"INSERT INTO {table} ({key}, n) VALUES ({values})", [*row, sign]
                )


def _sums(table: str) -> tuple:
    from server.models import database

    return tuple(database.execute_sql(f"SELECT SUM(n) FROM {table}").fetchone())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--deltas", type=int, default=800)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    office = prepare(args.size, args.database_url)
    from server import create_app
    from server.models import database
    from server.services.records.tally_fold import KEYS, compact, fold, fold_months

    create_app(str(office.config), office.overrides)
    database.connect(reuse_if_open=True)
    kind = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{kind}, {args.size:,} case records; {args.deltas} deltas per tally")
    print(f"  {'tally':22} {'rows':>10} {'fold ms':>9} {'rewrite ms':>11} {'x':>7}")
    for table in TABLES:
        before = _sums(table)
        rows = database.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        timed = []
        for merge in (fold, compact):
            _append_deltas(table, KEYS[table], args.deltas)
            started = time.perf_counter()
            assert merge(table, WORKFLOW), f"{merge.__name__} gave way to a writer"
            timed.append((time.perf_counter() - started) * 1000)
            assert _sums(table) == before, f"{table}: the sums changed"
        ratio = timed[1] / timed[0] if timed[0] else float("inf")
        print(f"  {table:22} {rows:>10,} {timed[0]:>9.1f} {timed[1]:>11.1f} {ratio:>6.0f}x")
    # the periodic job "tally-months" once the past months are folded (most of its runs):
    # the days of ended months folded into them, against the whole rewrite it did before
    table = "record_period_tally"
    before = _sums(table)
    timed = []
    for run in (lambda: fold_months(WORKFLOW), lambda: compact(table, WORKFLOW)):
        started = time.perf_counter()
        assert run(), "gave way to a writer"
        timed.append((time.perf_counter() - started) * 1000)
        assert _sums(table) == before, f"{table}: the sums changed"
    ratio = timed[1] / timed[0] if timed[0] else float("inf")
    label = "months (periodic job)"
    print(f"  {label:22} {'':>10} {timed[0]:>9.1f} {timed[1]:>11.1f} {ratio:>6.0f}x")
    database.close()


if __name__ == "__main__":
    main()
