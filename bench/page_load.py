"""The load run of ``bench_pages.py``: ``verbund serve`` against a bare app, 1/8/32 clients.

Verbund is started as ``verbund serve --no-worker`` starts it (gunicorn, 2 processes of 4
threads, ``server/serve.py``); the bare Flask + peewee app (``page_bare_app.py``) under
gunicorn with the same settings. The clients are threads of a second process (this module
run with ``--client``), each on its own keep-alive connection, as many requests as they
manage in ``--load-seconds``. Three requests: the record page of one case (HTML, as its
owner), the record list (``GET /api/v1/records``, team lead) and a form save
(``PUT /api/v1/records/<id>/forms/barriers``, team lead, each client on its own case).
Both servers run side by side and take turns in short slices (``ROUNDS``), so the ratio
compares figures measured under the same load from elsewhere. Printed: requests per second,
Verbund over bare, and the 95th percentile of the latency. For the record page a third
server takes its turns: Verbund with the page's rendering replaced by its captured bytes
(``page_norender_app.py``) – what Verbund would reach there if rendering cost nothing.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
GOALS = {"record": 0.5, "save": 0.6}
LIST_URL = "/api/v1/records?workflow=case_management&state=monitoring"
SAVE_FORM = "barriers"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server ended with code {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"no server on port {port}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _login_cookie(port: int, username: str, password: str) -> str:
    """Log in through the login form over HTTP; the session cookie as a Cookie header."""
    from tests.helpers import csrf_token

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/auth/login")
    page = conn.getresponse()
    cookies = _cookies(page)
    token = csrf_token(page.read().decode())
    form = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": token})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies}
    conn.request("POST", "/auth/login", body=form, headers=headers)
    answer = conn.getresponse()
    answer.read()
    if answer.status not in (302, 303):
        raise RuntimeError(f"login {username}: HTTP {answer.status}")
    jar = dict(pair.split("=", 1) for pair in cookies.split("; ") if "=" in pair)
    jar.update(pair.split("=", 1) for pair in _cookies(answer).split("; ") if "=" in pair)
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def _cookies(response) -> str:
    """The cookies a response sets (name=value), for the next request's Cookie header."""
    return "; ".join(v.split(";")[0] for k, v in response.getheaders() if k.lower() == "set-cookie")


def _setup(office, who, owner: str) -> dict:
    """Tokens, the cases to save, and the bodies Verbund answers (for the bare app)."""
    from server.models import Record, User, database
    from server.services.accounts.people import issue_token

    with database.connection_context():
        lead = User.get(User.username == "teamleitung")
        token = issue_token(lead, "Lastlauf")
        cases = (
            Record.select(Record.id)
            .where(
                (Record.workflow == "case_management")
                & (Record.organisation == lead.organisation_id)
                & Record.state.in_(["intake", "assessment", "goals", "planning", "monitoring"])
            )
            .order_by(Record.id.desc())
            .limit(32)
        )
        return {"token": token, "cases": [r.id for r in cases], "owner": owner}


def _versions(cases: list[int]) -> dict[int, int]:
    from server.models import Record, database

    with database.connection_context():
        return {r.id: r.version for r in Record.select().where(Record.id.in_(cases))}


def _save_body(n: int, version: int) -> str:
    entry = {
        "category": "wartezeit",
        "institution": "Jobcenter",
        "description": f"Termin erst nach {n} Wochen",
        "system_level": True,
    }
    return json.dumps({"data": {"entries": [entry]}, "version": version})


def load_run(office, who, owner: str, args) -> dict:
    """Both servers, every request kind and client count; prints and returns the figures.

    Both servers run at the same time and take turns in short slices (Verbund, bare,
    Verbund, bare …, ``ROUNDS`` each), so a change in the machine's load from other work
    falls on both alike and the ratio stays comparable (an idle gunicorn costs nothing).
    """
    from page_data import PASSWORD

    setup = _setup(office, who, owner)
    clients = [int(c) for c in args.clients.split(",") if c.strip()]
    env = dict(os.environ, VERBUND_DATABASE_URL=office.url, PYTHONPATH=str(ROOT))
    bodies = Path(tempfile.mkdtemp(prefix="verbund-bench-bodies-"))
    port = _free_port()
    verbund = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "--config", str(office.config), "serve",
         "--host", "127.0.0.1", "--port", str(port), "--no-worker"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    bare = unrendered = None
    try:
        _wait(port, verbund, seconds=240)  # a loaded machine starts slowly
        cookie = _login_cookie(port, owner, PASSWORD)
        requests = {
            "record": ("GET", f"/records/case_management/{who.record}", {"Cookie": cookie}),
            "list": ("GET", LIST_URL, {"Authorization": f"Bearer {setup['token']}"}),
            "save": ("PUT", SAVE_FORM, {"Authorization": f"Bearer {setup['token']}"}),
        }
        _capture(port, requests, setup, bodies)
        bare_env = dict(
            env,
            BENCH_DATABASE=office.url,
            BENCH_BODIES=str(bodies),
            BENCH_ORGANISATION=str(who.organisation),
        )
        bare_port = _free_port()
        bare = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{bare_port}", "--workers",
             "2", "--worker-class", "gthread", "--threads", "4", "--log-level", "warning",
             "page_bare_app:app"],
            env=bare_env, cwd=BENCH, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        _wait(bare_port, bare, seconds=60)
        unrendered = _start_unrendered(office, env, bodies)
        ports = {"verbund": port, "bare": bare_port, "unrendered": unrendered[1]}
        results = _runs(ports, requests, setup, clients, args.load_seconds)
    finally:
        _stop(verbund)
        if bare is not None:
            _stop(bare)
        if unrendered is not None:
            _stop(unrendered[0])
    _print(results, clients, args.load_seconds)
    return results


def _start_unrendered(office, env: dict, bodies: Path) -> tuple[subprocess.Popen, int]:
    """Verbund under gunicorn exactly as ``verbund serve`` starts it, but with the record
    page's rendering replaced by its captured bytes (``page_norender_app.py``)."""
    from server.config import load_settings
    from server.serve import MULTIPROCESS_VARIABLE, web_command

    settings = load_settings(office.config, environ=env)
    port = _free_port()
    command = web_command(settings, "127.0.0.1", port, 2, 4)
    command[-1] = "page_norender_app:app"
    metrics = Path(tempfile.mkdtemp(prefix="verbund-bench-metrics-"))
    child_env = dict(
        env,
        VERBUND_CONFIG=str(office.config),
        BENCH_BODIES=str(bodies),
        PYTHONPATH=f"{ROOT}{os.pathsep}{BENCH}",
        **{MULTIPROCESS_VARIABLE: str(metrics)},
    )
    process = subprocess.Popen(
        command, env=child_env, cwd=BENCH, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _wait(port, process, seconds=240)
    return process, port


def _capture(port: int, requests: dict, setup: dict, bodies: Path) -> None:
    """Verbund's answer to each request, once: the bytes the bare app sends back."""
    versions = _versions(setup["cases"][:1])
    for name, (method, path, headers) in requests.items():
        body = None
        if name == "save":
            case = setup["cases"][0]
            path = f"/api/v1/records/{case}/forms/{SAVE_FORM}"
            body = _save_body(0, versions[case])
            headers = {**headers, "Content-Type": "application/json"}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request(method, path, body=body, headers=headers)
        answer = conn.getresponse()
        content = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"{name}: HTTP {answer.status} {content[:300]!r}")
        suffix = "html" if name == "record" else "json"
        (bodies / f"{name}.{suffix}").write_bytes(content)


ROUNDS = 2  # slices per server and measurement, taken in turns


def _runs(ports: dict, requests: dict, setup: dict, clients: list[int], seconds: float) -> dict:
    out: dict = {server: {} for server in ports}
    for name, (method, path, headers) in requests.items():
        if method == "GET":  # untimed: each server process's first request of this kind
            for port in ports.values():
                for _ in range(4):
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                    conn.request(method, path, headers=headers)
                    conn.getresponse().read()
        # the server without rendering only differs on the record page
        servers = {s: p for s, p in ports.items() if name == "record" or s != "unrendered"}
        for count in clients:
            slices: dict = {server: [] for server in servers}
            for _ in range(ROUNDS):
                for server, port in servers.items():
                    spec = {"port": port, "method": method, "path": path, "headers": headers}
                    spec.update(clients=count, seconds=seconds / ROUNDS)
                    if name == "save":
                        cases = setup["cases"][:count]
                        spec["cases"] = _versions(cases)
                        spec["form"] = SAVE_FORM
                    done = subprocess.run(
                        [sys.executable, __file__, "--client", json.dumps(spec)],
                        capture_output=True,
                        text=True,
                        check=True,
                        cwd=BENCH,
                    )
                    slices[server].append(json.loads(done.stdout.strip().splitlines()[-1]))
            for server, parts in slices.items():
                out[server][f"{name}/{count}"] = _merged(parts)
    return out


def _merged(parts: list[dict]) -> dict:
    """One figure from a server's slices: requests over time, p95 over every latency."""
    latencies = sorted(t for p in parts for t in p.pop("latencies"))
    elapsed = sum(p["elapsed"] for p in parts)
    errors = sum(p["errors"] for p in parts)
    return {
        "requests": len(latencies),
        "rate": (len(latencies) - errors) / elapsed if elapsed else 0.0,
        "p95": latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0,
        "median": statistics.median(latencies) if latencies else 0.0,
        "errors": errors,
    }


def _print(results: dict, clients: list[int], seconds: float) -> None:
    print(f"\nLoad run ({seconds:.0f} s each): requests/s, Verbund over bare, p95")
    print(f"  {'request':<8} {'clients':>7} {'Verbund/s':>10} {'bare/s':>8} {'ratio':>7} "
          f"{'p95 ms':>8} {'bare p95':>9} {'errors':>7}  goal")  # fmt: skip
    unrendered = results.get("unrendered", {})
    for key, mine in results["verbund"].items():
        name, count = key.split("/")
        bare = results["bare"][key]
        ratio = mine["rate"] / bare["rate"] if bare["rate"] else 0.0
        goal = GOALS.get(name)
        verdict = f">= {goal}x {'ok' if ratio >= goal else 'under'}" if goal else ""
        errors = f"{mine['errors']}/{bare['errors']}"
        print(
            f"  {name:<8} {count:>7} {mine['rate']:10.1f} {bare['rate']:8.1f} {ratio:6.2f}x "
            f"{mine['p95'] * 1000:8.0f} {bare['p95'] * 1000:9.0f} {errors:>7}  {verdict}"
        )
    if unrendered:
        print("  Verbund with the record page's rendering replaced by its bytes (an upper bound):")
        for key, figures in unrendered.items():
            bare = results["bare"][key]["rate"]
            ratio = figures["rate"] / bare if bare else 0.0
            print(
                f"  {'record':<8} {key.split('/')[1]:>7} {figures['rate']:10.1f} {bare:8.1f} "
                f"{ratio:6.2f}x {figures['p95'] * 1000:8.0f}"
            )


# -- the client process -----------------------------------------------------------------------


def client_main(spec: dict) -> None:
    """Threads on keep-alive connections for ``seconds``; prints rate, p95 and errors."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + spec["seconds"]
    cases = list((spec.get("cases") or {}).items())

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", spec["port"], timeout=120)
        path, headers = spec["path"], dict(spec["headers"])
        case, version = cases[n % len(cases)] if cases else (None, 0)
        version = int(version)
        if case is not None:
            path = f"/api/v1/records/{case}/forms/{spec['form']}"
            headers["Content-Type"] = "application/json"
        mine, sent = [], 0
        while time.monotonic() < stop_at:
            body = _save_body(sent, version) if case is not None else None
            t0 = time.perf_counter()
            try:
                conn.request(spec["method"], path, body=body, headers=headers)
                answer = conn.getresponse()
                answer.read()
                ok = answer.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", spec["port"], timeout=120)
                ok = False
            sent += 1
            if ok and case is not None:
                version += 1
            mine.append(time.perf_counter() - t0)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    count = spec["clients"]
    if cases:
        count = min(count, len(cases))  # one case per client: no lost-update conflicts
    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    # the latencies go back whole: the slices of one measurement are merged by the caller
    print(
        json.dumps(
            {
                "latencies": [round(t, 5) for t in latencies],
                "elapsed": elapsed,
                "errors": errors[0],
            }
        )
    )


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--client":
    client_main(json.loads(sys.argv[2]))
