"""Document jobs against a real Redis and a real SQLite file; results opened with python-docx."""

from __future__ import annotations

import io

import docx
import pytest
from rq.job import Job
from rq.serializers import JSONSerializer

from server.config import load_settings
from server.documents.sandbox_process import render_limits, shared_sandbox
from server.jobs.documents import render_document_job
from server.jobs.worker import requeue_pending
from server.models import DocumentFile, DocumentRequest, Record
from server.queue.documents import document_job_id, document_queue
from server.runtime import Runtime, current_runtime
from server.services.documents.requests import request_document
from server.services.errors import Conflict, Invalid
from server.services.records.changes import apply_transition, create_record, save_form
from tests.helpers import install_template, work_burst

ANTRAG = {
    "verein": "Kanu & Kajak <Süd> e.V. ‏עברית",
    "email": "kanu@example.org",
    "beginn": "2027-06-01",
    "zweck": "Paddel",
    "betrag": "99,90",
    "gemeinnuetzig": False,
    "posten": [{"posten": "Paddel", "betrag": "99,90"}],
}


def submitted_record(app, user):
    defs = current_runtime(app).definitions
    record = create_record(defs, user, "foerderung")
    record = save_form(defs, user, record.id, "antrag", ANTRAG, record.version)
    return apply_transition(defs, user, record.id, "eingereicht", record.version)


def request(app, user, record, document="eingang"):
    runtime = current_runtime(app)
    return request_document(runtime.definitions, runtime.settings, user, record.id, document)


def test_job_renders_stores_and_is_idempotent(app, make_user, work_jobs):
    user = make_user("kanu", ["applicant"], "kanu")
    record = submitted_record(app, user)
    req = request(app, user, record)
    assert DocumentRequest.get_by_id(req.id).status == "queued"
    work_jobs()
    done = DocumentRequest.get_by_id(req.id)
    assert done.status == "finished" and done.started_at and done.finished_at
    assert done.attempts == 1
    content = bytes(DocumentFile.get(DocumentFile.request == req.id).content)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    assert "Verein: Kanu & Kajak <Süd> e.V. ‏עברית" in text
    assert "Gemeinnützig: Nein" in text

    assert render_document_job(req.id) == "finished"  # a second run changes nothing
    assert DocumentFile.select().where(DocumentFile.request == req.id).count() == 1
    assert DocumentRequest.get_by_id(req.id).attempts == 1


def test_jobs_carry_the_request_id_only_as_json_with_ttls(app, make_user, redis_url):
    user = make_user("kanu2", ["applicant"], "kanu2")
    record = submitted_record(app, user)
    req = request(app, user, record)
    settings = current_runtime(app).settings
    queue = document_queue(settings)
    job = Job.fetch(document_job_id(req.id), connection=queue.connection, serializer=JSONSerializer)
    assert job.args == [req.id] and job.kwargs == {}
    assert job.result_ttl > 0 and job.failure_ttl > 0 and job.timeout > 0
    assert job.retries_left == 3
    raw = queue.connection.hget(job.key, "data")
    assert b"Kanu" not in raw and b"kanu@example.org" not in raw


def test_a_template_reaching_for_internals_fails_cleanly(app, make_user, work_jobs):
    evil = docx.Document()
    evil.add_paragraph().add_run("{{ antrag.verein.__class__.__mro__ }}")
    install_template("eingang.docx", evil)
    user = make_user("kanu3", ["applicant"], "kanu3")
    record = submitted_record(app, user)
    version = Record.get_by_id(record.id).version
    req = request(app, user, record)
    work_jobs()
    failed = DocumentRequest.get_by_id(req.id)
    assert failed.status == "failed"
    assert "nicht erlaubt" in failed.error
    assert not DocumentFile.select().where(DocumentFile.request == req.id).exists()
    assert Record.get_by_id(record.id).version == version


def test_method_calls_in_templates_fail_with_a_reason(app, make_user, work_jobs):
    evil = docx.Document()
    evil.add_paragraph().add_run("{{ antrag.verein.upper() }}")
    install_template("eingang.docx", evil)
    user = make_user("kanu4", ["applicant"], "kanu4")
    req = request(app, user, submitted_record(app, user))
    work_jobs()
    failed = DocumentRequest.get_by_id(req.id)
    assert failed.status == "failed" and "nur Werte" in failed.error


def test_request_survives_redis_being_down_and_the_sweep_produces_it(
    config_dir, redis_url, database_overrides, make_user, tmp_path
):
    from server import create_app
    from server.queue.connection import forget_clients

    forget_clients()
    down = create_app(
        str(config_dir / "config.toml"),
        {"queue": {"redis_url": f"unix://{tmp_path}/kein-redis.sock"}, **database_overrides},
    )
    user = make_user("kanu5", ["applicant"], "kanu5")
    record = submitted_record(down, user)
    req = request(down, user, record)  # Redis unreachable: no error for the user
    assert DocumentRequest.get_by_id(req.id).status == "queued"
    assert DocumentRequest.get_by_id(req.id).job_id == ""

    healthy = Runtime(
        load_settings(
            str(config_dir / "config.toml"),
            {"queue": {"redis_url": redis_url}, **database_overrides},
        )
    )
    assert requeue_pending(healthy) == 1
    queue = document_queue(healthy.settings)
    work_burst(queue)
    assert DocumentRequest.get_by_id(req.id).status == "finished"


def test_document_not_available_in_this_state_is_refused(app, make_user):
    user = make_user("kanu6", ["applicant"], "kanu6")
    runtime = current_runtime(app)
    record = create_record(runtime.definitions, user, "foerderung")
    with pytest.raises(Conflict, match="Entwurf"):
        request_document(runtime.definitions, runtime.settings, user, record.id, "eingang")
    with pytest.raises(Invalid, match="gibtsnicht"):  # 422 naming the known ones, not 404
        request_document(runtime.definitions, runtime.settings, user, record.id, "gibtsnicht")


@pytest.fixture
def one_second_jobs(config_dir):
    with (config_dir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n[queue]\njob_timeout = 1\n")


def test_a_render_over_the_job_timeout_is_stopped_and_not_retried(
    one_second_jobs, app, make_user, work_jobs
):
    # render_seconds (60) is cut to 90 % of job_timeout: the render child is killed first,
    # so the template, not a passing fault, is blamed, and retrying would only fail again
    slow = docx.Document()
    slow.add_paragraph().add_run(
        "{% for i in range(30000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}x"
    )
    install_template("eingang.docx", slow)
    user = make_user("kanu7", ["applicant"], "kanu7")
    req = request(app, user, submitted_record(app, user))
    # as `verbund worker` does: the render process is up before the first job (starting
    # Python may take longer than this one-second job on a busy machine)
    settings = current_runtime(app).settings
    shared_sandbox(render_limits(settings)).start()
    work_jobs()
    failed = DocumentRequest.get_by_id(req.id)
    assert failed.status == "failed" and failed.attempts == 1, failed.error
    # the render limit or, when starting the render process took part of the second,
    # RQ's alarm during the render: either way the template's time is up
    assert "abgebrochen" in failed.error and "eingang.docx" in failed.error
    queue = document_queue(current_runtime(app).settings)
    job = Job.fetch(document_job_id(req.id), connection=queue.connection, serializer=JSONSerializer)
    assert job.get_status() == "finished" and job.retries_left == 3  # no retry planned
    assert not DocumentFile.select().where(DocumentFile.request == req.id).exists()
