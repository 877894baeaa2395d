"""Shared set-up of the report benchmarks (``bench_report_time.py``, ``bench_report_file.py``).

The data are the bulk KIM cases of ``page_data.py`` (created over five years), and, added
once per database, a move to the assessment after 1–60 days for every case past the intake
and an end after 30–400 days for every closed case – so the durations have something to
measure. Because that changes the data, each report bench keeps its own cache
(``$VERBUND_BENCH_CACHE``), never the pages' one.

The bare queries, run in the same process over the same year, are the floor:

* :meth:`ReportBench.bare_count`: ``SELECT state, COUNT(*) … WHERE created_at in the year
  GROUP BY state`` on the record table;
* :meth:`ReportBench.bare_durations`: the per-day histogram of the days from creation to the
  first entry into the assessment (PostgreSQL: ``percentile_cont(0.5)`` and ``(0.9)`` of the
  exact days, one statement, with ``exact=True``), looked up per record in ``transition_log``
  as the report did before ``phase_stay`` (migration 0018);
* :meth:`ReportBench.log_phases`: the time in each phase as the report worked it out before
  ``phase_stay``: each record with a transition in the year, its stays from
  ``transition_log`` by a window over its transitions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from page_data import prepare

MARK = "bench-report"  # the label of the transitions added here
WORKFLOW = "case_management"


def once(fn) -> float:
    """Seconds of one run of ``fn()`` (for what is too slow to repeat)."""
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
            + f" , 2 FROM \"record\" WHERE workflow = '{WORKFLOW}' AND state <> 'intake'"
        )
        database.execute_sql(
            'INSERT INTO "transition_log" (record_id, from_state, to_state, label, at, '
            "record_version) SELECT id, 'evaluation', 'closed', '"
            + MARK
            + "', "
            + plus(30, 371)
            + f" , 3 FROM \"record\" WHERE workflow = '{WORKFLOW}' AND state = 'closed'"
        )
    if not sqlite:  # as autovacuum would; SQLite keeps no statistics unless asked
        database.execute_sql("ANALYZE")


@dataclass
class ReportBench:
    """The app over a prepared database, the first declared report and the last year."""

    app: Any
    context: Any  # the app context pushed by open_bench
    sqlite: bool
    defs: Any
    settings: Any
    report: Any
    year: Any
    low: Any
    high: Any

    @property
    def mark(self) -> str:
        return "?" if self.sqlite else "%s"

    def bare_count(self) -> list:
        from server.models import database

        m = self.mark
        return list(
            database.execute_sql(
                'SELECT state, COUNT(*) FROM "record" WHERE workflow = '
                f"{m} AND created_at >= {m} AND created_at < {m} GROUP BY state",
                [WORKFLOW, self.low, self.high],
            )
        )

    def bare_durations(self, exact: bool = False) -> list:
        from server.models import database

        m = self.mark
        moved = (
            '(SELECT MIN(t.at) FROM "transition_log" AS t WHERE t.record_id = r.id '
            f"AND t.to_state = {m})"
        )
        source = (
            f'(SELECT {moved} AS e, r.created_at AS b FROM "record" AS r '
            f"WHERE r.workflow = {m}) AS x WHERE e >= {m} AND e < {m}"
        )
        if exact and not self.sqlite:
            days = "EXTRACT(EPOCH FROM (e - b)) / 86400"
            sql = (
                f"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY {days}), "
                f"percentile_cont(0.9) WITHIN GROUP (ORDER BY {days}) FROM {source}"
            )
        else:
            days = (
                "ROUND(julianday(e) - julianday(b), 1)"
                if self.sqlite
                else "ROUND(CAST(EXTRACT(EPOCH FROM (e - b)) / 86400 AS numeric), 1)"
            )
            sql = f"SELECT {days}, COUNT(*) FROM {source} GROUP BY 1"
        params = ["assessment", WORKFLOW, self.low, self.high]
        return list(database.execute_sql(sql, params))

    def log_phases(self) -> list:
        """Time in each phase of the year from ``transition_log`` (the statement of
        ``durations.phase_tables`` before migration 0018, one period)."""
        from server.models import database

        m = self.mark
        days = (
            "ROUND(julianday(s.left_at) - julianday(s.at), 1)"
            if self.sqlite
            else "ROUND(CAST(EXTRACT(EPOCH FROM (s.left_at - s.at)) / 86400 AS numeric), 1)"
        )
        stays = (
            "SELECT t.record_id, t.to_state, t.at, LEAD(t.at) OVER "
            "(PARTITION BY t.record_id ORDER BY t.at, t.id) AS left_at "
            'FROM "transition_log" AS t JOIN "record" AS r ON r.id = t.record_id '
            f"WHERE r.workflow = {m} AND t.record_id IN (SELECT c.record_id FROM "
            f'"transition_log" AS c WHERE c.at >= {m} AND c.at < {m})'
        )
        per_record = (
            f"SELECT g, SUM(d) AS d FROM (SELECT s.record_id, s.to_state AS g, {days} AS d "
            f"FROM ({stays}) AS s WHERE s.left_at >= {m} AND s.left_at < {m}) AS q "
            "GROUP BY record_id, g"
        )
        sql = f"SELECT g, ROUND(d, 1), COUNT(*) FROM ({per_record}) AS x GROUP BY 1, 2"
        params = [WORKFLOW, self.low, self.high, self.low, self.high]
        return list(database.execute_sql(sql, params))


def open_bench(size: int, database_url: str) -> ReportBench:
    """Prepare (or take from the cache) ``size`` cases with their moves; the app's context
    is pushed and the database connected – call :func:`close_bench` at the end."""
    from server import create_app
    from server.models import database, is_sqlite
    from server.report_settings import read_reports
    from server.runtime import current_runtime
    from server.services.privacy.periods import default_period

    office = prepare(size, database_url)
    app = create_app(str(office.config), office.overrides)
    context = app.app_context()
    context.push()
    database.connect(reuse_if_open=True)
    sqlite = is_sqlite()
    add_moves(sqlite)
    runtime = current_runtime(app)
    year = default_period("year")
    low, high = year.bounds()
    if sqlite:
        low, high = (m.strftime("%Y-%m-%d %H:%M:%S") for m in (low, high))
    report = read_reports(runtime.settings.raw["reports"])[0]
    return ReportBench(
        app, context, sqlite, runtime.definitions, runtime.settings, report, year, low, high
    )


def close_bench(bench: ReportBench) -> None:
    from server.models import database

    database.close()
    bench.context.pop()
