"""The document job: render one requested Word document and keep it in the database.

Idempotent: a request that is already finished is left alone, and the file is unique per
request, so a job that runs twice (a retry, a re-enqueue after a crash, two workers picking
up the same request) yields one document. The final write locks the request row (SQLite:
``BEGIN IMMEDIATE``; PostgreSQL: ``SELECT … FOR UPDATE``), so two finishing runs cannot both
store a file.
"""

from __future__ import annotations

import logging
import time
import traceback
from pathlib import Path

from peewee import JOIN

from ..documents.context import document_context
from ..documents.pdf_export import convert_to_pdfa
from ..documents.render import TemplateFailed
from ..documents.sandbox_process import render_limited
from ..documents.store import current_content
from ..models import (
    DocumentFile,
    DocumentRequest,
    Organisation,
    Record,
    User,
    database,
    is_sqlite,
    transaction,
    utcnow,
)
from ..runtime import current_runtime
from ..services.notifications.create import notify_document_failed
from ..services.records.hooks import work_refusal

log = logging.getLogger(__name__)


class DocumentJobError(RuntimeError):
    """An unexpected failure of a document job, told without its message.

    RQ keeps the traceback of a failed job in Redis (for days); an exception's message may
    quote record data (a database error naming a value, a filter given odd input). What RQ
    gets instead names the kind of error and where it happened, and the worker's log has the
    stack (code lines only), so the fault can still be found."""


def _scrubbed(exc: BaseException) -> DocumentJobError:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" in {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return DocumentJobError(f"{type(exc).__name__}{where}")


def _retries_left() -> int:
    """Retries RQ still has for the job running now (0 outside a worker)."""
    from rq import get_current_job

    job = get_current_job()
    return int(job.retries_left or 0) if job is not None else 0


def _unfinished(request_id: int):
    return (DocumentRequest.id == request_id) & (DocumentRequest.status != "finished")


def render_document_job(request_id: int) -> str:
    """Render document request ``request_id``; returns its final status."""
    runtime = current_runtime()
    request_id = int(request_id)
    started_at = time.monotonic()
    with database.connection_context():
        started = (
            DocumentRequest.update(
                status="started",
                started_at=utcnow(),
                attempts=DocumentRequest.attempts + 1,
            )
            .where(_unfinished(request_id))
            .execute()
        )
        if not started:
            exists = DocumentRequest.select().where(DocumentRequest.id == request_id).exists()
            return "finished" if exists else "gone"
        request = DocumentRequest.get_by_id(request_id)
        try:
            record = _record(request.record_id)
            defs = runtime.definitions
            if record.workflow not in defs.workflows:
                raise TemplateFailed(f"Den Ablauf „{record.workflow}“ gibt es nicht mehr.")
            if refusal := work_refusal(defs.workflows[record.workflow], record):
                raise TemplateFailed(refusal)  # consent withdrawn since it was requested
            context = document_context(defs, record)
            template, number = current_content(runtime.settings, request.template)
            # in the render child: time, memory and size limits end it, not the worker
            content = render_limited(runtime.settings, template, request.template, context)
            pdf = None
            if "pdf" in request.formats.split(","):
                pdf = pdf_of(runtime.settings, content, request.template, started_at)
        except TemplateFailed as exc:
            # a broken template, or one over a render limit (time, memory, size), fails the
            # same way every time: no retry, say why
            if _fail(request_id, str(exc)):
                _tell_requester(runtime, request_id)
            log.info("document %s failed: %s", request_id, exc)
            return "failed"
        except Exception as exc:
            if _retries_left() > 0:
                # RQ tries again with backoff; until then the request waits
                _fail(
                    request_id,
                    f"Vorübergehender Fehler ({type(exc).__name__}); "
                    "ein neuer Versuch folgt automatisch.",
                    status="queued",
                )
            elif _fail(request_id, f"Unerwarteter Fehler beim Erstellen ({type(exc).__name__})."):
                _tell_requester(runtime, request_id)
            scrubbed = _scrubbed(exc)
            stack = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
            log.error("document %s: %s\n%s", request_id, scrubbed, stack.rstrip())
            raise scrubbed from None
        return _store(request_id, content, number or 0, pdf)


def _record(record_id: int) -> Record:
    """The record with its organisation and owner in one query (the template shows both)."""
    return (
        Record.select(Record, Organisation, User)
        .join(Organisation, JOIN.LEFT_OUTER, on=(Record.organisation == Organisation.id))
        .switch(Record)
        .join(User, JOIN.LEFT_OUTER, on=(Record.owner == User.id))
        .where(Record.id == record_id)
        .get()
    )


def _fail(request_id: int, error: str, status: str = "failed") -> int:
    return (
        DocumentRequest.update(status=status, finished_at=utcnow(), error=error)
        .where(_unfinished(request_id))
        .execute()
    )


def _tell_requester(runtime, request_id: int) -> None:
    """The document failed for good: notify who requested it (kind and number only).

    A notification that cannot be made must not hide the failure itself: logged, not raised.
    """
    try:
        notify_document_failed(runtime.settings, runtime.definitions, request_id)
    except Exception as exc:  # noqa: BLE001 - the request's own state is already written
        log.error("document %s: requester not notified (%s)", request_id, type(exc).__name__)


def pdf_of(settings, content: bytes, name: str, started_at: float) -> bytes:
    """The PDF/A of a rendered .docx, in the time the job has left before RQ's own alarm
    (which would count as a passing fault and retry what fails the same way again)."""
    section = settings.section("documents")
    job_timeout = float(settings.section("queue").get("job_timeout", 0) or 0)
    seconds = float(section.get("pdf_seconds", 90))
    if job_timeout > 0:
        seconds = min(seconds, job_timeout * 0.9 - (time.monotonic() - started_at))
    max_bytes = int(section.get("output_max_bytes", 50 * 1024 * 1024))
    return convert_to_pdfa(settings.instance_dir, content, name, seconds, max_bytes)


def _store(
    request_id: int, content: bytes, template_revision: int, pdf: bytes | None = None
) -> str:
    with transaction():
        query = DocumentRequest.select().where(DocumentRequest.id == request_id)
        if not is_sqlite():
            query = query.for_update()
        current = query.first()
        if current is None:
            return "gone"
        if current.status == "finished":
            return "finished"  # another run of this job was faster: its file stands
        DocumentFile.delete().where(DocumentFile.request == request_id).execute()
        DocumentFile.create(request=request_id, content=content, pdf=pdf)
        DocumentRequest.update(
            status="finished",
            finished_at=utcnow(),
            size=len(content),
            error="",
            template_revision=template_revision,
        ).where(DocumentRequest.id == request_id).execute()
    return "finished"
