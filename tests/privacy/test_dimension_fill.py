"""A statistics dimension added by a publication is filled in the background (issue 21).

Publishing only declares it (also with Redis down); until a real worker has filled it in
batches, the statistics page shows a notice instead of a partial count; then it counts
every record. A value too long for the counting index is counted as „(zu lang)“ (and the
save that stores it works on PostgreSQL). On SQLite, and on PostgreSQL when
VERBUND_TEST_DATABASE_URL names a database."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from pathlib import Path

import pytest

from server.models import Record, RecordDimension, RecordValue, database
from server.queue.dimensions import fill_jobs
from server.runtime import current_runtime
from server.services.configuration.publish import publish
from server.services.privacy import dimension_fill
from server.services.privacy.record_values import pending_workflows
from server.services.privacy.statistics import count_table
from tests.helpers import login, worker_env

from .conftest import CASE, new_case

ROOT = Path(__file__).resolve().parent.parent.parent
NOTICE = "Diese Zahlen werden gerade aufgebaut"


@pytest.fixture
def config_dir(config_dir: Path) -> Path:
    # tiny batches, one batch per job: the fill runs as many jobs and continuations
    with (config_dir / "config.toml").open("a", encoding="utf-8") as f:
        f.write("\n[queue]\ndimension_fill_batch = 4\ndimension_fill_seconds = 0\n")
    return config_dir


def _fall(config_dir: Path) -> str:
    return (config_dir / "forms" / "fall.toml").read_text(encoding="utf-8")


def test_a_new_dimension_is_filled_by_the_worker_and_shown_only_when_complete(
    app, office, make_user, config_dir, monkeypatch
):
    for n in range(14):
        group = ["neu", "lang"][n % 2]
        new_case(office["berater"], {**CASE, "name": f"P {n}", "zielgruppe": group})
    monkeypatch.setattr(dimension_fill, "SMALL", 0)  # a count never fills in place here
    runtime = current_runtime(app)
    admin = make_user("admin.fill", ["admin"], "verwaltung")
    text = _fall(config_dir)
    personal = text.replace('label = "Zielgruppe"', 'label = "Zielgruppe"\npersonal = true')
    publish(runtime, admin, "form", "fall", personal, "Zielgruppe personenbezogen", confirm=True)
    assert not RecordDimension.select().where(RecordDimension.dimension == "fall.zielgruppe")
    # Redis down while the field becomes countable again: publishing still works
    live = runtime.settings
    dead = dataclasses.replace(live, redis_url="unix:///nonexistent/redis.sock")
    monkeypatch.setattr(runtime, "settings", dead)
    publish(runtime, admin, "form", "fall", text, "Zielgruppe wieder zählbar", confirm=True)
    monkeypatch.setattr(runtime, "settings", live)
    dimension = RecordDimension.get(workflow="beratung", dimension="fall.zielgruppe")
    assert dimension.fill_after == 0
    assert not RecordValue.select().where(RecordValue.dimension == "fall.zielgruppe").count()
    assert fill_jobs(live, "beratung") == []  # nothing reached Redis

    browser = app.test_client()
    login(browser, "koordination")
    page = browser.get("/statistik/?workflow=beratung&rows=fall.zielgruppe")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert NOTICE in html and 'role="status"' in html
    assert 'id="statistik"' not in html  # no partial table
    export = browser.get("/statistik/tabelle.csv?workflow=beratung&rows=fall.zielgruppe")
    assert export.status_code == 302  # back to the page with the notice, no partial CSV
    dpo = app.test_client()
    login(dpo, "dpo")
    lines = dpo.get("/statistik/einzeldaten.csv?workflow=beratung")
    assert lines.status_code == 302  # the single-record export reads the values too
    assert lines.location.endswith("/statistik/?workflow=beratung")

    worker = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "worker"],
        env=worker_env(app),
        cwd=str(ROOT),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while "beratung" in pending_workflows() and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
            time.sleep(0.3)
        assert "beratung" not in pending_workflows(), "the worker did not fill the dimension"
        jobs = fill_jobs(live, "beratung")
        assert jobs and all(job.args == ["beratung"] for job in jobs)  # names only
        # 14 records and more (the office's) in batches of 4, one batch per job: both ids used
        ids = {job.id for job in jobs}
        assert ids == {"dimension-fill-beratung-0", "dimension-fill-beratung-1"}
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    page = browser.get("/statistik/?workflow=beratung&rows=fall.zielgruppe")
    html = page.get_data(as_text=True)
    assert NOTICE not in html and 'id="statistik"' in html
    assert '<td class="text-right">7</td>' in html and '<td class="text-right">14</td>' in html


def test_a_value_too_long_for_the_index_is_counted_as_too_long(app, office):
    defs = current_runtime(app).definitions
    for n in range(5):
        new_case(office["berater"], {**CASE, "name": f"P {n}"})
    # an import (past the form's checks) with a long text where a choice belongs; on
    # PostgreSQL this insert failed on the index before (a row over ~2.7 KB)
    long_text = "Ä" * 3000
    with database.atomic():
        for _ in range(5):
            data = {"fall": {"zielgruppe": long_text}}
            Record.create(workflow="beratung", state="offen", data=data)
    stored = {
        v.value for v in RecordValue.select().where(RecordValue.dimension == "fall.zielgruppe")
    }
    assert '"(zu lang)"' in stored
    assert all(len(v.encode()) <= 1000 for v in stored if v)
    table = count_table(defs, defs.workflows["beratung"], "fall.zielgruppe", None, 1)
    assert "(zu lang)" in table.rows
    assert table.cells[table.rows.index("(zu lang)")][0] == 5
    # counting from the JSON (the baseline) buckets it the same way
    from_json = count_table(
        defs, defs.workflows["beratung"], "fall.zielgruppe", None, 1, from_json=True
    )
    assert from_json == table
