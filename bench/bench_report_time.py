"""Figures over time (issue 17): the Lenkungskreis report for a year against the bare query.

Data and bare queries: ``report_setup.py`` (bulk KIM cases of ``page_data.py`` with moves
to the assessment and to the end, in this bench's own cache, ``$VERBUND_BENCH_CACHE``,
default ``/tmp/verbund-bench-report``). Rows, in one process over the same year:

* ``bare count`` / ``count_table``: cases by phase;
* ``bare durations`` / ``duration_table``: creation to the assessment (PostgreSQL prints
  its own ``percentile_cont`` beside the figures: the same);
* ``phase times from transition_log`` / ``phase_table``: time in each phase, the way before
  ``phase_stay`` (migration 0018) and the report's;
* ``run_report``: every measure of the report for the year and the year before;
* ``report page``: ``GET /statistik/berichte/<id>`` for the year with the comparison, as
  the coordination (Flask test client, logged in).

Run: ``.venv/bin/python bench/bench_report_time.py [--sizes 1000,100000] [--database-url URL]``
(``--repeat 1``: each slow row once, for a million records)
"""

from __future__ import annotations

import os

os.environ.setdefault("VERBUND_BENCH_CACHE", "/tmp/verbund-bench-report")

from common import arguments, report, timed  # noqa: E402
from page_data import PASSWORD  # noqa: E402
from report_setup import close_bench, open_bench  # noqa: E402


def measure(size: int, args) -> list[tuple[str, float]]:
    from server.services.privacy.durations import duration_table, phase_table
    from server.services.privacy.report import run_report
    from server.services.privacy.statistics import count_table
    from tests.helpers import login

    bench = open_bench(size, args.database_url)
    defs, year = bench.defs, bench.year
    workflow = defs.workflows[bench.report.workflow]
    client = bench.app.test_client()
    assert login(client, "koordination", PASSWORD).status_code in (302, 303)
    page = f"/statistik/berichte/{bench.report.id}?zeitraum=jahr&jahr={year.start.year}&vergleich=1"

    def counted():
        return count_table(defs, workflow, "state", None, 5, period=year)

    def durations():
        return duration_table(workflow, "created", "state:assessment", year, 5)

    def phases():
        return phase_table(workflow, year, 5)

    def whole_report():
        return run_report(defs, bench.report, year, 5)

    def report_page():
        response = client.get(page)
        assert response.status_code == 200, response.status_code

    repeat = min(args.repeat, max(3, 200_000 // size))
    few = min(args.repeat, max(3, 20_000 // size))
    figures = durations().total
    created = sum(n for _state, n in bench.bare_count())
    print(f"  {size}: {year.label}: {created} cases created in the year")
    print(f"  {size}: {year.label}: n={figures.n} median={figures.median} p90={figures.p90}")
    if not bench.sqlite:  # the same figures from percentile_cont over the exact durations
        print(f"  {size}: bare percentile_cont: {bench.bare_durations(exact=True)}")
    rows = [
        (f"{size:>7} bare count by state, year", timed(bench.bare_count, repeat)),
        (f"{size:>7} count_table by state, year", timed(counted, repeat)),
        (f"{size:>7} bare duration histogram, year", timed(bench.bare_durations, few)),
        (f"{size:>7} duration_table, year", timed(durations, few)),
        (f"{size:>7} phase times from transition_log, year", timed(bench.log_phases, few)),
        (f"{size:>7} phase_table, year", timed(phases, few)),
        (f"{size:>7} run_report, year + year before", timed(whole_report, few)),
        (f"{size:>7} report page, year + year before", timed(report_page, few)),
    ]
    close_bench(bench)
    return rows


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    for size in (int(s) for s in args.sizes.split(",")):
        report(f"{size} case records ({args.database_url or 'SQLite'})", measure(size, args))


if __name__ == "__main__":
    main()
