"""The Lenkungskreis report as a file (issue 17): Word and Excel for a year against the bare
aggregate queries, at 1k and 100k case records.

Same data as ``bench_report_time.py`` (bulk KIM cases of ``page_data.py`` with moves to the
assessment and to the end added once), in its own cache (``$VERBUND_BENCH_CACHE``, default
``/tmp/verbund-bench-lk``). Rows, in one process over the same year:

* ``bare count`` and ``bare percentiles``: the two aggregate statements of
  ``bench_report_time.py`` (the floor for counting and for a duration);
* ``figures (report_content)``: every measure of the report for the year and the year before,
  the open barriers and the register – what both files print;
* ``word`` / ``excel``: the file from those figures (charts drawn with cairosvg);
* ``job, word``: the whole document job for a year (queue row to finished file, in process).

Run: ``.venv/bin/python bench/bench_report_file.py [--sizes 1000,100000] [--database-url URL]``
"""

from __future__ import annotations

import os

os.environ.setdefault("VERBUND_BENCH_CACHE", "/tmp/verbund-bench-lk")

from bench_report_time import add_moves, once  # noqa: E402
from common import arguments, report, timed  # noqa: E402
from page_data import prepare  # noqa: E402


def measure(size: int, args) -> list[tuple[str, float]]:
    from server import create_app
    from server.jobs.report_documents import render_report_job
    from server.models import ReportDocument, User, database, is_sqlite
    from server.report_settings import read_reports
    from server.runtime import current_runtime
    from server.services.privacy.periods import default_period
    from server.services.privacy.report_content import report_content
    from server.services.privacy.report_files import to_docx, to_xlsx

    office = prepare(size, args.database_url)
    app = create_app(str(office.config), office.overrides)
    rows: list[tuple[str, float]] = []
    with app.app_context():
        database.connect(reuse_if_open=True)
        sqlite = is_sqlite()
        add_moves(sqlite)
        runtime = current_runtime(app)
        defs, settings = runtime.definitions, runtime.settings
        report = read_reports(settings.raw["reports"])[0]
        year = default_period("year")
        low, high = year.bounds()
        mark = "?" if sqlite else "%s"
        if sqlite:
            low, high = (m.strftime("%Y-%m-%d %H:%M:%S") for m in (low, high))
        user = next(u for u in User.select() if "coordination" in (u.roles or []))

        def bare_count():
            return list(
                database.execute_sql(
                    'SELECT state, COUNT(*) FROM "record" WHERE workflow = '
                    f"{mark} AND created_at >= {mark} AND created_at < {mark} GROUP BY state",
                    ["case_management", low, high],
                )
            )

        def bare_median():
            moved = (
                '(SELECT MIN(t.at) FROM "transition_log" AS t WHERE t.record_id = r.id '
                f"AND t.to_state = {mark})"
            )
            days = (
                "ROUND(julianday(e) - julianday(b), 1)"
                if sqlite
                else "ROUND(CAST(EXTRACT(EPOCH FROM (e - b)) / 86400 AS numeric), 1)"
            )
            sql = (
                f"SELECT {days}, COUNT(*) FROM (SELECT {moved} AS e, r.created_at AS b "
                f'FROM "record" AS r WHERE r.workflow = {mark}) AS x '
                f"WHERE e >= {mark} AND e < {mark} GROUP BY 1"
            )
            return list(database.execute_sql(sql, ["assessment", "case_management", low, high]))

        content = report_content(defs, settings, report, year, 5, user)

        def figures():
            return report_content(defs, settings, report, year, 5, user)

        def job():
            row = ReportDocument.create(
                report=report.id,
                format="docx",
                period_start=year.start,
                period_end=year.end,
                period_kind=year.kind,
                requested_by=user,
                filename="bench.docx",
            )
            status = render_report_job(row.id)
            assert status == "finished", ReportDocument.get_by_id(row.id).error
            ReportDocument.delete().where(ReportDocument.id == row.id).execute()

        repeat = max(3, min(args.repeat, 20_000 // size))
        rows.append((f"{size:>7} bare count by state, year", timed(bare_count, repeat)))
        rows.append((f"{size:>7} bare duration histogram, year", timed(bare_median, 3)))
        rows.append((f"{size:>7} figures (report_content), year", once(figures)))
        rows.append((f"{size:>7} word from the figures", timed(lambda: to_docx(content), 3)))
        rows.append((f"{size:>7} excel from the figures", timed(lambda: to_xlsx(content), 3)))
        rows.append((f"{size:>7} job, word, year", once(job)))
        database.close()
    return rows


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    for size in (int(s) for s in args.sizes.split(",")):
        report(f"{size} case records ({args.database_url or 'SQLite'})", measure(size, args))


if __name__ == "__main__":
    main()
