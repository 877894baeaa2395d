"""Every page type of issue 21 at several sizes, against the bare query; then a load run.

For each size (KIM case records in all; ``page_data.py`` generates them in bulk once and
caches the database) and each page – statistics crosstab as coordination; start page as
coordination, team lead and case manager; search as team lead; deadlines as team lead and as
case manager; decision register; record page of one case – it prints:

* the median time of up to ``--repeat`` requests with the Flask test client (after one
  warm-up; a slow page stops after ``--budget`` seconds, with at least 3 requests),
* the bare query's median (``page_bare.py``: the same figures asked directly with SQL in the
  same process) and the ratio,
* the SQL statements one request sends (``tests/sql_statements.py``),
* the response size, and the peak resident memory of one request in a fresh process
  (``VmHWM`` reset just before the request, minus ``VmRSS`` before it; the peak beside it).

After the sizes: each page's time at the largest size over its time at the smallest (goal
≤ 1.5x), and the load run at the largest size (``page_load.py``: ``verbund serve`` against a
bare Flask + peewee app under gunicorn with the same settings, 1/8/32 clients; goals: record
page ≥ 0.5x the bare throughput, save ≥ 0.6x).

Usage (the repository's venv; PostgreSQL needs a database of its own, see page_data.py)::

    .venv/bin/python bench/bench_pages.py --sizes 1000,100000
    .venv/bin/python bench/bench_pages.py --sizes 1000,100000,1000000 \\
        --database-url postgresql://verbund:verbund@localhost/verbund_bench
    options: --repeat 30 --budget 20 --pages record,search --no-load --clients 1,8,32
             --load-seconds 8 --json results.json --fresh (generate anew, cache nothing)
             --no-memory, --memory-only (only the fresh-process memory figures),
             --memory-pages record,statistics (memory processes for these pages only)
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import page_bare  # noqa: E402
from page_data import PASSWORD, SEARCH_WORD, prepare  # noqa: E402

MEMORY_GOAL_MB = 300
SCALE_GOAL = 1.5


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    username: str  # "" : the owner of the record page's case
    url: str
    bare: object  # page_bare function


PAGES = (
    Page(
        "statistics",
        "statistics crosstab, coordination",
        "koordination",
        "/statistik/?workflow=case_management&rows=intake.target_group&columns=state",
        page_bare.statistics,
    ),
    Page(
        "start_coord", "start page, coordination", "koordination", "/", page_bare.start_coordination
    ),
    Page("start_lead", "start page, team lead", "teamleitung", "/", page_bare.start_team_lead),
    Page(
        "search",
        "search as team lead",
        "teamleitung",
        f"/records/case_management/?search={SEARCH_WORD}",
        page_bare.search,
    ),
    Page(
        "deadlines_lead",
        "deadlines, team lead",
        "teamleitung",
        "/deadlines/",
        page_bare.deadlines_team_lead,
    ),
    Page(
        "deadlines_cm",
        "deadlines, case manager",
        "cm.amt",
        "/deadlines/",
        page_bare.deadlines_case_manager,
    ),
    Page("register", "decision register", "sekretariat", "/register/", page_bare.register),
    Page(
        "record",
        "record page of one case",
        "",
        "/records/case_management/{record}",
        page_bare.record_page,
    ),
    Page("start_cm", "start page, case manager", "cm.amt", "/", page_bare.start_case_manager),
)


def arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--sizes", default="1000,100000", help="case records, comma-separated")
    parser.add_argument("--repeat", type=int, default=30, help="requests per page (median)")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per page at most")
    parser.add_argument("--pages", default="", help="page keys, comma-separated (default all)")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory processes")
    parser.add_argument("--memory-only", action="store_true", help="only the memory processes")
    parser.add_argument(
        "--memory-pages", default="", help="memory processes only for these page keys"
    )
    parser.add_argument("--no-load", action="store_true", help="skip the load run")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--load-seconds", type=float, default=8.0)
    parser.add_argument("--json", default="", help="write the figures to this file too")
    parser.add_argument("--fresh", action="store_true", help="generate anew, cache nothing")
    parser.add_argument("--probe", default="", help=argparse.SUPPRESS)  # memory child
    parser.add_argument("--probe-office", default="", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# -- the app and who looks at it -------------------------------------------------------------


def start(office):
    """The app on the prepared database, and the ids the pages need."""
    from server import create_app
    from server.models import Record, User, database

    app = create_app(str(office.config), office.overrides)
    app.config.update(TESTING=True)
    database.connect(reuse_if_open=True)
    # the demo case with the longest history (the demo's records come before the bulk's)
    first = Record.select().where(Record.workflow == "case_management").order_by(Record.id)
    case = max(first.limit(100), key=lambda r: (r.version, -r.id))
    who = page_bare.Who(
        organisation=User.get(User.username == "teamleitung").organisation_id,
        manager=User.get(User.username == "cm.amt").id,
        record=case.id,
        search=SEARCH_WORD,
    )
    owner = User.get_by_id(case.owner_id).username
    database.close()
    return app, who, owner


def logged_in(app, username: str):
    from tests.helpers import login

    client = app.test_client()
    response = login(client, username, PASSWORD)
    assert response.status_code in (302, 303), f"login {username}: {response.status_code}"
    return client


def page_url(page: Page, who) -> str:
    return page.url.format(record=who.record)


# -- measuring --------------------------------------------------------------------------------


def median_seconds(call, repeat: int, budget: float) -> tuple[float, int]:
    """Median of up to ``repeat`` calls after one warm-up; at least 3, at most ``budget`` s."""
    call()
    samples: list[float] = []
    began = time.perf_counter()
    while len(samples) < max(1, repeat):
        if len(samples) >= 3 and time.perf_counter() - began > budget:
            break
        t0 = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), len(samples)


def measure_page(app, page: Page, who, owner: str, args) -> dict:
    from server.models import database
    from tests.sql_statements import counted_statements

    client = logged_in(app, page.username or owner)
    url = page_url(page, who)
    first = client.get(url)
    result = {"status": first.status_code, "kb": len(first.get_data()) / 1024}

    def request():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{page.key}: HTTP {response.status_code}")

    if first.status_code == 200:
        # PostgreSQL prepares a connection's statements on their second use (PREPARE, once
        # per connection): counted is a request after that, as nearly all requests are
        request()
        with counted_statements() as log:
            request()
        result["sql"] = len(log)
        result["seconds"], result["requests"] = median_seconds(request, args.repeat, args.budget)

    def bare():
        with database.connection_context():
            page.bare(who)

    result["bare"], _ = median_seconds(bare, args.repeat, args.budget)
    return result


def memory_of(page: Page, office, owner: str) -> dict:
    """Peak resident memory of one request of ``page``, in a fresh process."""
    spec = json.dumps({"config": str(office.config), "overrides": office.overrides, "owner": owner})
    out = subprocess.run(
        [sys.executable, __file__, "--probe", page.key, "--probe-office", spec],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"error": (out.stderr.strip().splitlines() or ["?"])[-1][:200]}
    return json.loads(lines[-1])


def _status_mb(key: str) -> float:
    """A figure of /proc/self/status in MB (VmRSS: resident now, VmHWM: its peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def probe(key: str, spec_text: str) -> None:
    """In the child: start, log in, one cheap page, then the page once; print its peak.

    The peak of the process is reset before the request (``/proc/self/clear_refs``), so
    what the start-up needed does not hide it; the start-up's own peak is printed too."""
    from types import SimpleNamespace

    spec = json.loads(spec_text)
    office = SimpleNamespace(config=Path(spec["config"]), overrides=spec["overrides"])
    app, who, owner = start(office)
    page = next(p for p in PAGES if p.key == key)
    client = logged_in(app, page.username or spec["owner"])
    client.get("/barrierefreiheit/")  # templates, menu, session: what any page loads
    start_mb = _status_mb("VmHWM")
    Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from now
    before = _status_mb("VmRSS")
    status = client.get(page_url(page, who)).status_code
    peak = _status_mb("VmHWM")
    figures = {"status": status, "peak_mb": peak, "extra_mb": peak - before}
    print(json.dumps({**figures, "start_mb": start_mb}))


# -- report -----------------------------------------------------------------------------------


def _ms(seconds) -> str:
    return f"{seconds * 1000:9.1f}" if isinstance(seconds, float) else f"{'–':>9}"


def _mb(value, width: int) -> str:
    return f"{value:{width}.1f}" if isinstance(value, float | int) else "–".rjust(width)


def print_size(kind: str, size: int, office, results: dict, args) -> None:
    made = (
        f"generated in {office.generated_seconds:.0f} s"
        if office.generated_seconds is not None
        else "from the cache"
    )
    print(f"\n{kind}, {size:,} case records ({made}); median of up to {args.repeat} requests")
    print(
        f"  {'page':<36} {'Verbund ms':>10} {'bare ms':>9} {'x bare':>7} {'SQL':>5} "
        f"{'KB':>7} {'+MB':>7} {'peak MB':>8}  (goal: +MB <= {MEMORY_GOAL_MB})"
    )
    for page in PAGES:
        r = results.get(page.key)
        if r is None:
            continue
        ratio = r["seconds"] / r["bare"] if r.get("seconds") and r["bare"] else None
        memory = r.get("memory", {})
        extra = memory.get("extra_mb")
        flag = " !" if extra is not None and extra > MEMORY_GOAL_MB else ""
        note = f" HTTP {r['status']}" if r["status"] != 200 else ""
        note += f" memory: {memory['error']}" if "error" in memory else ""
        print(
            f"  {page.label:<36} {_ms(r.get('seconds'))} {_ms(r['bare'])} "
            f"{(f'{ratio:6.1f}x' if ratio else '      –')} {r.get('sql', '–'):>5} "
            f"{r['kb']:7.0f} {_mb(extra, 7)}"
            f" {_mb(memory.get('peak_mb'), 8)}"
            f"{flag}{note}"
        )
    starts = [
        r["memory"]["start_mb"] for r in results.values() if "start_mb" in r.get("memory", {})
    ]
    if starts:
        print(
            "  (+MB: the request's peak over the resident memory before it; a fresh "
            f"process's peak before its first page: {max(starts):.0f} MB)"
        )


def print_scaling(all_results: dict[int, dict]) -> None:
    sizes = sorted(all_results)
    if len(sizes) < 2:
        return
    small, large = sizes[0], sizes[-1]
    print(f"\nPage time at {large:,} over {small:,} (goal <= {SCALE_GOAL}x)")
    for page in PAGES:
        a, b = all_results[small].get(page.key), all_results[large].get(page.key)
        if not a or not b or not a.get("seconds") or not b.get("seconds"):
            continue
        ratio = b["seconds"] / a["seconds"]
        verdict = "ok" if ratio <= SCALE_GOAL else "over"
        print(
            f"  {page.label:<36} {_ms(a['seconds'])} -> {_ms(b['seconds'])} ms "
            f"{ratio:8.1f}x  {verdict}"
        )


def main(argv=None) -> None:
    args = arguments(argv)
    if args.probe:
        probe(args.probe, args.probe_office)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    chosen = {k for k in args.pages.split(",") if k}
    kind = "PostgreSQL" if args.database_url else "SQLite"
    all_results: dict[int, dict] = {}
    for size in sizes:
        office = prepare(size, args.database_url, fresh=args.fresh)
        app, who, owner = start(office)
        results = {}
        for page in PAGES:
            if chosen and page.key not in chosen:
                continue
            began = time.perf_counter()
            if args.memory_only:
                results[page.key] = {"status": 200, "kb": 0.0, "bare": None}
            else:
                results[page.key] = measure_page(app, page, who, owner, args)
            memory_pages = [k for k in args.memory_pages.split(",") if k]
            if not args.no_memory and (not memory_pages or page.key in memory_pages):
                results[page.key]["memory"] = memory_of(page, office, owner)
            spent = time.perf_counter() - began
            print(
                f"  ({size:,}: {page.label} measured in {spent:.0f} s)", file=sys.stderr, flush=True
            )
        all_results[size] = results
        print_size(kind, size, office, results, args)
    print_scaling(all_results)
    load = None
    if not args.no_load:
        from page_load import load_run

        load = load_run(office, who, owner, args)
    if args.json:
        Path(args.json).write_text(
            json.dumps({"backend": kind, "sizes": all_results, "load": load}, indent=1)
        )


if __name__ == "__main__":
    main()
