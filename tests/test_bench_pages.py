"""bench/bench_pages.py keeps working: a tiny run of every page type and of the load run.

Only that it completes and reports every page: times are not asserted (a shared machine
measures nothing reliable in a test). Runs as a developer runs it, in a subprocess, with its
cache in the test's own directory; on PostgreSQL against the test database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE_LABELS = (
    "statistics crosstab, coordination",
    "start page, coordination",
    "start page, team lead",
    "search as team lead",
    "deadlines, team lead",
    "deadlines, case manager",
    "decision register",
    "record page of one case",
    "start page, case manager",
)


def test_the_page_benchmark_runs_every_page_type_and_the_load_run(tmp_path: Path):
    command = [
        sys.executable,
        str(ROOT / "bench" / "bench_pages.py"),
        "--sizes", "50",
        "--repeat", "2",
        "--budget", "5",
        "--fresh",
        "--clients", "1",
        "--load-seconds", "1",
        "--json", str(tmp_path / "figures.json"),
        # a fresh process per page measures memory: two of them show that it works
        "--memory-pages", "record,statistics",
    ]  # fmt: skip
    url = os.environ.get("VERBUND_TEST_DATABASE_URL", "")
    if url:
        command += ["--database-url", url]
    env = dict(os.environ, VERBUND_BENCH_CACHE=str(tmp_path / "cache"))
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=900, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "50 case records" in out
    for label in PAGE_LABELS:
        assert label in out, f"{label!r} missing from:\n{out}"
    for request in ("record", "list", "save"):
        assert f"\n  {request} " in out, out
    figures = json.loads((tmp_path / "figures.json").read_text())
    pages = figures["sizes"]["50"]
    assert len(pages) == len(PAGE_LABELS)
    for key, page in pages.items():
        assert page["status"] == 200, (key, page)
        assert page["sql"] > 0 and page["seconds"] > 0 and page["bare"] > 0, (key, page)
        if key in ("record", "statistics"):
            assert "peak_mb" in page["memory"], (key, page["memory"])
    for runs in figures["load"].values():
        assert all(run["requests"] > 0 for run in runs.values()), runs
    # the upper bound of the record page: Verbund without its rendering, on that page only
    assert list(figures["load"]["unrendered"]) == ["record/1"]
    assert "rendering replaced by its bytes" in out
