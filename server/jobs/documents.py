"""The document job: render one requested Word document and keep it in the database.

Idempotent: a request that is already finished is left alone, and the file is unique per
request, so a job that runs twice (a retry, a re-enqueue after a crash) yields one document.
"""

from __future__ import annotations

import logging

from ..documents.context import document_context
from ..documents.render import TemplateFailed, render_docx
from ..models import DocumentFile, DocumentRequest, Record, database, transaction, utcnow
from ..runtime import get_runtime

log = logging.getLogger(__name__)


def _mark(request_id: int, **changes) -> None:
    DocumentRequest.update(**changes).where(DocumentRequest.id == request_id).execute()


def render_document_job(request_id: int) -> str:
    """Render document request ``request_id``; returns its final status."""
    runtime = get_runtime()
    with database.connection_context():
        request = DocumentRequest.get_or_none(DocumentRequest.id == int(request_id))
        if request is None:
            return "gone"
        if request.status == "finished":
            return "finished"
        _mark(
            request.id,
            status="started",
            started_at=utcnow(),
            error="",
            attempts=DocumentRequest.attempts + 1,
        )
        try:
            record = Record.get_by_id(request.record_id)
            defs = runtime.definitions
            if record.workflow not in defs.workflows:
                raise TemplateFailed(f"Den Ablauf „{record.workflow}“ gibt es nicht mehr.")
            context = document_context(defs, record)
            content = render_docx(runtime.settings.exports_dir / request.template, context)
        except TemplateFailed as exc:
            # a broken template fails the same way every time: no retry, say why
            _mark(request.id, status="failed", finished_at=utcnow(), error=str(exc))
            log.info("document %s failed: %s", request.id, exc)
            return "failed"
        except Exception as exc:
            _mark(
                request.id,
                status="failed",
                finished_at=utcnow(),
                error=f"Unerwarteter Fehler beim Erstellen ({type(exc).__name__}).",
            )
            raise  # RQ retries with backoff
        with transaction():
            current = DocumentRequest.get_by_id(request.id)
            if current.status != "finished":
                DocumentFile.delete().where(DocumentFile.request == request.id).execute()
                DocumentFile.create(request=request.id, content=content)
                _mark(
                    request.id, status="finished", finished_at=utcnow(), size=len(content), error=""
                )
        return "finished"
