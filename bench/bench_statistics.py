"""Statistics and start-page figures: counted from ``record_value`` against the baselines.

Baselines, in the same process, over the same generated case records of the KIM
configuration: "JSON" is the grouped statement over every record's JSON (issue 21's first
step, ``from_json=True``), "Python" the counting before issue 21 (every record read into
Python; the reference of tests/privacy/test_statistics_in_sql.py; only up to 10,000
records, where the tables are also compared). Also measured: publishing a configuration
with new dimensions (it only declares them), the background job filling every dimension's
values for all records in batches (its time, its longest batch – the longest a save of a
record can wait for it – and the growth of the process's resident memory while it runs),
and the cost of one save with and without dimensions kept (the triggers' work). Run:

    .venv/bin/python bench/bench_statistics.py [--sizes 1000,100000] [--database-url URL]
    [--fill-only]
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from common import arguments, report, timed

from server import create_app
from server.models import Organisation, Record, database
from server.runtime import current_runtime
from server.services.privacy.dimension_fill import BATCH, fill_batch
from server.services.privacy.record_values import (
    fill_values,
    pending_workflows,
    sync_dimensions,
)
from server.services.privacy.statistics import count_table, stored_dimensions
from server.services.records.figures import count_by
from tests.kim_site import copy_kim, empty_postgres
from tests.privacy.test_statistics_in_sql import WORKFLOW, generate, reference_table

TABLES = [
    ("state", None, None),
    ("organisation", "state", None),
    ("intake.languages", "intake.district", None),
    ("barriers.entries.category", None, "barriers.entries.system_level"),
]


def once(fn) -> float:
    """Seconds of one run: the baseline takes seconds at 100k records, a median is no use."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _rss() -> int:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def fill_in_background() -> tuple[float, float, float]:
    """What the fill job does, batch after batch: (seconds, longest batch, peak growth of
    the resident memory in MB, sampled every 10 ms)."""
    start_rss, peak, running = _rss(), [0], [True]

    def sample():
        while running[0]:
            peak[0] = max(peak[0], _rss() - start_rss)
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    longest, t0 = 0.0, time.perf_counter()
    for workflow in pending_workflows():
        while True:
            b0 = time.perf_counter()
            count = fill_batch(workflow, BATCH)
            longest = max(longest, time.perf_counter() - b0)
            if not count:
                break
    total = time.perf_counter() - t0
    running[0] = False
    sampler.join()
    return total, longest, peak[0] / 2**20


def measure(size: int, args) -> list[tuple[str, float]]:
    site = copy_kim(Path(tempfile.mkdtemp(prefix="verbund-bench-")) / "kim")
    overrides: dict = {}
    if args.database_url:
        empty_postgres(args.database_url)
        overrides["database"] = {"url": args.database_url}
    app = create_app(str(site / "config.toml"), overrides)
    rows: list[tuple[str, float]] = []
    with app.app_context():
        database.connect(reuse_if_open=True)
        defs = current_runtime(app).definitions
        workflow = defs.workflows[WORKFLOW]
        with database.atomic():
            for n in range(8):
                Organisation.create(name=f"org{n}", label=f"Träger {n}")
        sync_dimensions({})  # the generated rows are written without dimensions kept
        generate(defs, size)
        wanted = stored_dimensions(defs)
        declare = once(lambda: sync_dimensions(wanted))
        rows.append((f"{size:>7} publish every dimension (declared only)", declare))
        fill, longest, grown = fill_in_background()
        rows.append((f"{size:>7} fill    every dimension (background job)", fill))
        rows.append((f"{size:>7} fill    longest batch of {BATCH} records", longest))
        rows.append((f"{size:>7} fill    resident memory growth, MB (not s)", grown))
        if FILL_ONLY:
            # the baseline: every dimension for every record in one transaction, as publishing
            # did before (with today's statements), in the same process
            def one_transaction():
                with database.atomic():
                    database.execute_sql("DELETE FROM record_value")
                    fill_values("1 = 1", [])

            rows.append((f"{size:>7} fill    in one transaction (before)", once(one_transaction)))
            database.close()
            return rows
        database.execute_sql("ANALYZE")
        repeat = max(3, min(args.repeat, 2_000_000 // size))
        ids = [r.id for r in Record.select(Record.id).where(Record.workflow == WORKFLOW).limit(50)]

        def saves():
            for record_id in ids:
                record = Record.get_by_id(record_id)
                data = dict(record.data)
                intake = dict(data.get("intake") or {})
                intake["district"] = "mitte" if intake.get("district") != "mitte" else "nord"
                data["intake"] = intake
                with database.atomic():
                    Record.update(data=data, version=Record.version + 1).where(
                        Record.id == record_id
                    ).execute()

        rows.append((f"{size:>7} 50 saves, dimensions kept", timed(saves, 5)))
        for row, column, where in TABLES:
            name = f"{row} x {column or '-'}{' where ' + where if where else ''}"

            def in_sql(row=row, column=column, where=where):
                return count_table(defs, workflow, row, column, 5, where)

            def in_json(row=row, column=column, where=where):
                return count_table(defs, workflow, row, column, 5, where, from_json=True)

            def in_python(row=row, column=column, where=where):
                records = Record.select(
                    Record.id, Record.state, Record.organisation, Record.data
                ).where(Record.workflow == WORKFLOW)
                return reference_table(defs, workflow, records, row, column, 5, where)

            assert in_sql() == in_json(), name
            if size <= 10_000:
                assert in_sql() == in_python(), name
            rows.append((f"{size:>7} values  {name}", timed(in_sql, repeat)))
            json_time = timed(in_json, 3) if size <= 10_000 else once(in_json)
            rows.append((f"{size:>7} JSON    {name}", json_time))
            if size <= 10_000:
                rows.append((f"{size:>7} Python  {name}", once(in_python)))
        # the team lead's figure: her organisation's open cases by person and state
        first = Organisation.select().order_by(Organisation.id).first()
        open_states = [s.id for s in workflow.states if not s.final]
        query = Record.select().where(
            (Record.workflow == WORKFLOW)
            & (Record.organisation == first.id)
            & Record.state.in_(open_states)
        )

        def owners_in_sql():
            return count_by(query, Record.owner, Record.state)

        def owners_in_python():
            return Counter((r.owner_id, r.state) for r in query.select(Record.state, Record.owner))

        rows.append((f"{size:>7} SQL     by owner and state", timed(owners_in_sql, repeat)))
        rows.append((f"{size:>7} Python  by owner and state", once(owners_in_python)))
        sync_dimensions({})
        rows.append((f"{size:>7} 50 saves, no dimensions", timed(saves, 5)))
        database.close()
    return rows


FILL_ONLY = "--fill-only" in sys.argv


def main() -> None:
    if FILL_ONLY:
        sys.argv.remove("--fill-only")
    args = arguments(__doc__.splitlines()[0])
    for size in (int(s) for s in args.sizes.split(",")):
        report(f"{size} case records ({args.database_url or 'SQLite'})", measure(size, args))


if __name__ == "__main__":
    main()
