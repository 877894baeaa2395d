"""The Lenkungskreis report as a file (issue 17): Word and Excel for a year against the bare
aggregate queries, at 1k and 100k case records.

Data and bare queries: ``report_setup.py`` (as ``bench_report_time.py``), in this bench's
own cache (``$VERBUND_BENCH_CACHE``, default ``/tmp/verbund-bench-lk``). Rows, in one process
over the same year:

* ``bare count`` and ``bare durations``: the floor for counting and for a duration;
* ``figures (report_content)``: every measure of the report for the year and the year before,
  the open barriers and the register – what both files print;
* ``word`` / ``excel``: the file from those figures (charts drawn with cairosvg);
* ``job, word``: the whole document job for a year (queue row to finished file, in process).

Run: ``.venv/bin/python bench/bench_report_file.py [--sizes 1000,100000] [--database-url URL]``
"""

from __future__ import annotations

import os

os.environ.setdefault("VERBUND_BENCH_CACHE", "/tmp/verbund-bench-lk")

from common import arguments, report, timed  # noqa: E402
from report_setup import close_bench, open_bench  # noqa: E402


def measure(size: int, args) -> list[tuple[str, float]]:
    from server.jobs.report_documents import render_report_job
    from server.models import ReportDocument, User
    from server.services.privacy.report_content import report_content
    from server.services.privacy.report_files import to_docx, to_xlsx

    bench = open_bench(size, args.database_url)
    defs, settings, year, lk = bench.defs, bench.settings, bench.year, bench.report
    user = next(u for u in User.select() if "coordination" in (u.roles or []))
    content = report_content(defs, settings, lk, year, 5, user)

    def figures():
        return report_content(defs, settings, lk, year, 5, user)

    def job():
        row = ReportDocument.create(
            report=lk.id,
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

    repeat = min(args.repeat, max(3, 20_000 // size))
    few = min(args.repeat, 3)  # --repeat 1: once, for a million records
    rows = [
        (f"{size:>7} bare count by state, year", timed(bench.bare_count, repeat)),
        (f"{size:>7} bare duration histogram, year", timed(bench.bare_durations, few)),
        (f"{size:>7} figures (report_content), year", timed(figures, few)),
        (f"{size:>7} word from the figures", timed(lambda: to_docx(content), few)),
        (f"{size:>7} excel from the figures", timed(lambda: to_xlsx(content), few)),
        (f"{size:>7} job, word, year", timed(job, few)),
    ]
    close_bench(bench)
    return rows


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    for size in (int(s) for s in args.sizes.split(",")):
        report(f"{size} case records ({args.database_url or 'SQLite'})", measure(size, args))


if __name__ == "__main__":
    main()
