"""Requesting documents of a record and reading their status and file."""

from __future__ import annotations

import re
from typing import Any

from ... import clock
from ...config import Settings
from ...documents.store import exports_file, latest
from ...documents.variants import choose_template
from ...german import file_stamp
from ...models import DocumentFile, DocumentRequest, Record, User, transaction
from ...queue.documents import enqueue_document
from ...schema.definitions import Definitions, DocumentDef
from ...workflow.engine import documents_in_state
from ..audit import audit
from ..errors import Conflict, Invalid, NotFound
from ..records.access import can_read
from ..records.changes import get_readable, workflow_of
from ..records.hooks import work_refusal


def available_documents(defs: Definitions, record: Record) -> list[DocumentDef]:
    """Documents of the record's workflow that may be produced in its current state."""
    workflow = defs.workflows.get(record.workflow)
    if workflow is None:
        return []
    return documents_in_state(workflow, record.state)


def request_document(
    defs: Definitions, settings: Settings, user: User, record_id: Any, document_id: Any
) -> DocumentRequest:
    """Queue the document ``document_id`` of a record the user may read."""
    record = get_readable(defs, user, record_id)
    workflow = workflow_of(defs, record.workflow)
    document = workflow.document(document_id) if isinstance(document_id, str) else None
    if document is None:
        # input the caller can fix (like an unknown consent purpose); a 404 would read as
        # "record not readable" and hide which documents there are
        known = ", ".join(d.id for d in workflow.documents) or "keine"
        raise Invalid(
            f"Das Dokument „{str(document_id)[:64]}“ gibt es in diesem Ablauf nicht.",
            {"document": [f"Bekannt: {known}."]},
        )
    if refusal := work_refusal(workflow, record):
        raise Conflict(refusal)
    if document not in available_documents(defs, record):
        state = workflow.state(record.state)
        raise Conflict(
            f"„{document.label}“ kann im Zustand „{state.label if state else record.state}“ "
            "nicht erstellt werden."
        )
    with transaction():
        request = DocumentRequest.create(
            record=record,
            document=document.id,
            label=document.label,
            # the variant in the record's language (einwilligung.ar.docx) if there is one
            template=choose_template(document, record.data or {}, _template_exists(settings)),
            requested_by=user,
            filename=document_filename(document, record),
            formats=",".join(document.formats),
        )
        audit(
            "document.request",
            user,
            record_id=record.id,
            object_type="document",
            object_id=request.id,
            detail={"document": document.id},
        )
    # after the commit, so the worker finds the row; if Redis is down the sweep retries
    job_id = enqueue_document(settings, request.id)
    if job_id:
        DocumentRequest.update(job_id=job_id).where(DocumentRequest.id == request.id).execute()
        request.job_id = job_id
    return request


def _template_exists(settings: Settings):
    return lambda name: latest(name) is not None or exports_file(settings, name) is not None


def document_filename(document: DocumentDef, record: Record) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", f"{document.id}-{record.id}").strip("-")
    return f"{stem}-{file_stamp(clock.now())}.docx"  # local time, as the screen shows it


def get_document_request(defs: Definitions, user: User, request_id: Any) -> DocumentRequest:
    """A document request of a record the user may read, else NotFound."""
    try:
        request_id = int(request_id)
    except (TypeError, ValueError):
        raise NotFound("Dokument nicht gefunden.") from None
    request = DocumentRequest.get_or_none(DocumentRequest.id == request_id)
    if request is None or not can_read(defs, user, request.record):
        raise NotFound("Dokument nicht gefunden.")
    return request


def document_file(
    defs: Definitions, user: User, request_id: Any, fmt: str = "docx"
) -> tuple[DocumentRequest, bytes]:
    """The finished .docx (``fmt="pdf"``: its PDF/A) of a request the user may read."""
    request = get_document_request(defs, user, request_id)
    stored = DocumentFile.get_or_none(DocumentFile.request == request.id)
    if request.status != "finished" or stored is None:
        raise NotFound("Das Dokument ist noch nicht fertig.")
    if fmt == "pdf" and stored.pdf is None:
        # readable and finished, but made without a PDF: not the 404 of an unreadable record
        raise Conflict("Zu diesem Dokument gibt es keine PDF-Fassung.")
    audit(
        "document.download",
        user,
        record_id=request.record_id,
        object_type="document",
        object_id=request.id,
        detail={"format": "pdf"} if fmt == "pdf" else None,
    )
    return request, bytes(stored.pdf if fmt == "pdf" else stored.content)


def pdf_filename(request: DocumentRequest) -> str:
    """The PDF's download name: the .docx's with .pdf."""
    stem = (request.filename or f"dokument-{request.id}.docx").rsplit(".", 1)[0]
    return f"{stem}.pdf"


def document_json(request: DocumentRequest) -> dict[str, Any]:
    return {
        "id": request.id,
        "record": request.record_id,
        "document": request.document,
        "label": request.label,
        "status": request.status,
        "error": request.error or None,
        "requested_at": _iso(request.requested_at),
        "finished_at": _iso(request.finished_at),
        "filename": request.filename,
        "size": request.size,
        "template_revision": request.template_revision,
        # additions: the files made ("docx", "pdf"); the PDF at GET /documents/<id>/file.pdf
        "formats": (request.formats or "docx").split(","),
    }


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def retry_document(
    defs: Definitions, settings: Settings, user: User, request_id: Any
) -> DocumentRequest:
    """Try a failed request again (after the template or the data was fixed).

    Only a failed request can be retried, by anybody who may read its record; it is enqueued
    afresh and renders with the current template revision and the current data.
    """
    request = get_document_request(defs, user, request_id)
    workflow = defs.workflows.get(request.record.workflow)
    if workflow is not None and (refusal := work_refusal(workflow, request.record)):
        raise Conflict(refusal)  # withdrawn consent or anonymised: no new document
    with transaction():
        changed = (
            DocumentRequest.update(status="queued", error="", started_at=None, finished_at=None)
            .where((DocumentRequest.id == request.id) & (DocumentRequest.status == "failed"))
            .execute()
        )
        if not changed:
            raise Conflict("Nur ein fehlgeschlagenes Dokument kann neu erstellt werden.")
        audit(
            "document.retry",
            user,
            record_id=request.record_id,
            object_type="document",
            object_id=request.id,
        )
    job_id = enqueue_document(settings, request.id, replace=True)
    if job_id:
        DocumentRequest.update(job_id=job_id).where(DocumentRequest.id == request.id).execute()
    return DocumentRequest.get_by_id(request.id)
