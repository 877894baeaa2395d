"""Figures over time (issue 17): the Lenkungskreis report for a year against the bare query.

The data are the bulk KIM cases of ``page_data.py`` (created over five years), and, added
here once, a move to the assessment after 1–60 days for every case past the intake and
an end after 30–400 days for every closed case – so the durations have something to
measure. Because that changes the data, the bench keeps its own cache
(``$VERBUND_BENCH_CACHE``, default ``/tmp/verbund-bench-report``), never the pages' one.

Baselines in the same process, over the same year:

* ``bare count``: ``SELECT state, COUNT(*) … WHERE created_at in the year GROUP BY state``;
* ``bare percentiles`` (PostgreSQL): ``percentile_cont(0.5)`` and ``(0.9)`` of the days
  from creation to the assessment, in one statement; on SQLite the bare histogram query.

Run: ``.venv/bin/python bench/bench_report_time.py [--sizes 1000,100000] [--database-url URL]``
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("VERBUND_BENCH_CACHE", "/tmp/verbund-bench-report")

from common import arguments, report, timed  # noqa: E402
from page_data import prepare  # noqa: E402

MARK = "bench-report"  # the label of the transitions added here


def once(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def add_moves(sqlite: bool) -> None:
    """Transitions to the assessment and to the end, once per database."""
    from server.models import database

    done = database.execute_sql(
        'SELECT COUNT(*) FROM "transition_log" WHERE label = %s' % ("?" if sqlite else "%s"),
        [MARK],
    ).fetchone()[0]
    if done:
        return

    def plus(base: int, modulo: int) -> str:
        """created_at + base + (id mod modulo) days (a literal %, psycopg2 would read)."""
        if sqlite:
            return f"datetime(created_at, '+' || ({base} + id % {modulo}) || ' days')"
        return f"created_at + ({base} + MOD(id, {modulo})) * interval '1 day'"

    with database.atomic():
        database.execute_sql(
            'INSERT INTO "transition_log" (record_id, from_state, to_state, label, at, '
            "record_version) SELECT id, 'intake', 'assessment', '"
            + MARK
            + "', "
            + plus(1, 60)
            + " , 2 FROM \"record\" WHERE workflow = 'case_management' AND state <> 'intake'"
        )
        database.execute_sql(
            'INSERT INTO "transition_log" (record_id, from_state, to_state, label, at, '
            "record_version) SELECT id, 'evaluation', 'closed', '"
            + MARK
            + "', "
            + plus(30, 371)
            + " , 3 FROM \"record\" WHERE workflow = 'case_management' AND state = 'closed'"
        )
        if not sqlite:
            database.execute_sql("ANALYZE")


def measure(size: int, args) -> list[tuple[str, float]]:
    from server import create_app
    from server.models import database, is_sqlite
    from server.report_settings import read_reports
    from server.runtime import current_runtime
    from server.services.privacy.durations import duration_table
    from server.services.privacy.periods import default_period
    from server.services.privacy.report import run_report
    from server.services.privacy.statistics import count_table

    office = prepare(size, args.database_url)
    app = create_app(str(office.config), office.overrides)
    rows: list[tuple[str, float]] = []
    with app.app_context():
        database.connect(reuse_if_open=True)
        sqlite = is_sqlite()
        add_moves(sqlite)
        runtime = current_runtime(app)
        defs = runtime.definitions
        workflow = defs.workflows["case_management"]
        lenkungskreis = read_reports(runtime.settings.raw["reports"])[0]
        year = default_period("year")
        low, high = year.bounds()
        mark = "?" if sqlite else "%s"
        if sqlite:
            low, high = (m.strftime("%Y-%m-%d %H:%M:%S") for m in (low, high))

        def bare_count():
            return list(
                database.execute_sql(
                    'SELECT state, COUNT(*) FROM "record" WHERE workflow = '
                    f"{mark} AND created_at >= {mark} AND created_at < {mark} GROUP BY state",
                    ["case_management", low, high],
                )
            )

        def bare_percentiles():
            moved = (
                '(SELECT MIN(t.at) FROM "transition_log" AS t WHERE t.record_id = r.id '
                f"AND t.to_state = {mark})"
            )
            if sqlite:
                days = "ROUND(julianday(e) - julianday(b), 1)"
                sql = (
                    f"SELECT {days}, COUNT(*) FROM (SELECT {moved} AS e, r.created_at AS b "
                    f'FROM "record" AS r WHERE r.workflow = {mark}) AS x '
                    f"WHERE e >= {mark} AND e < {mark} GROUP BY 1"
                )
            else:
                days = "EXTRACT(EPOCH FROM (e - b)) / 86400"
                sql = (
                    f"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY {days}), "
                    f"percentile_cont(0.9) WITHIN GROUP (ORDER BY {days}) FROM "
                    f'(SELECT {moved} AS e, r.created_at AS b FROM "record" AS r '
                    f"WHERE r.workflow = {mark}) AS x WHERE e >= {mark} AND e < {mark}"
                )
            return list(database.execute_sql(sql, ["assessment", "case_management", low, high]))

        def counted():
            return count_table(defs, workflow, "state", None, 5, period=year)

        def durations():
            return duration_table(workflow, "created", "state:assessment", year, 5)

        def whole_report():
            return run_report(defs, lenkungskreis, year, 5)

        repeat = max(3, min(args.repeat, 200_000 // size))
        figures = durations().total
        print(f"  {size}: {year.label}: n={figures.n} median={figures.median} p90={figures.p90}")
        if not sqlite:  # the same figures from percentile_cont over the exact durations
            print(f"  {size}: bare percentile_cont: {bare_percentiles()}")
        rows.append((f"{size:>7} bare count by state, year", timed(bare_count, repeat)))
        rows.append((f"{size:>7} count_table by state, year", timed(counted, repeat)))
        rows.append((f"{size:>7} bare percentiles, year", timed(bare_percentiles, repeat)))
        rows.append((f"{size:>7} duration_table, year", timed(durations, repeat)))
        rows.append((f"{size:>7} whole report + year before", once(whole_report)))
        database.close()
    return rows


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    for size in (int(s) for s in args.sizes.split(",")):
        report(f"{size} case records ({args.database_url or 'SQLite'})", measure(size, args))


if __name__ == "__main__":
    main()
