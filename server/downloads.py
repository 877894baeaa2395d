"""One download response for every file Verbund sends: screens, administration and API.

Documents, uploads, template revisions, register and statistics exports, the audit log and
subject-access archives all leave through :func:`send_download`, so every file gets the same
treatment:

- ``Content-Disposition: attachment`` with the name as RFC 6266 asks: an ASCII ``filename``
  for old clients and ``filename*=UTF-8''…`` for the real one (umlauts, „Fallkonferenz
  Müller.docx“) – werkzeug's ``send_file`` writes both;
- the content type given, and ``nosniff`` plus a sandboxing Content-Security-Policy, so a
  browser never renders an uploaded file as a page of Verbund's origin;
- ``Cache-Control: no-store``: every file here may hold social data (SGB X), and no proxy
  or browser cache keeps a copy;
- the audit entry of the download, when the door (not a service) is where it is decided.
  Documents and uploads are audited by the service that hands out their bytes
  (``document_file``, ``upload_content``): that is where the access check happens too.

It sits below the front doors (web, admin, api) and above the services: both the staff
screens and the JSON API import it, and it imports neither.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import IO, Any

from flask import Response, g, send_file

from .forms.filekinds import KINDS
from .models import DocumentRequest, Upload
from .services.audit import audit
from .services.documents.requests import pdf_filename

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# what a browser may do with a downloaded file opened in the page's origin: nothing
SANDBOX = "sandbox; default-src 'none'"


@dataclass(frozen=True)
class DownloadAudit:
    """The audit entry written when the file is sent (by the person of the request)."""

    action: str
    object_type: str
    object_id: Any = None
    record_id: int | None = None
    detail: dict[str, Any] | None = field(default=None)


def send_download(
    content: bytes | memoryview | str | IO[bytes],
    filename: str,
    mimetype: str,
    *,
    audited: DownloadAudit | None = None,
) -> Response:
    """``content`` as an attachment named ``filename`` (text is sent as UTF-8; an open
    binary file is sent from where it stands and closed after).

    Write ``audited`` first, so no file leaves without its entry.
    """
    if not hasattr(content, "read"):  # text or bytes (PostgreSQL hands bytea as memoryview)
        content = io.BytesIO(
            content.encode("utf-8") if isinstance(content, str) else bytes(content)
        )
    if audited is not None:
        audit(
            audited.action,
            g.get("user"),
            record_id=audited.record_id,
            object_type=audited.object_type,
            object_id=audited.object_id,
            detail=audited.detail,
        )
    response = send_file(content, mimetype=mimetype, as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SANDBOX
    return response


def send_document(request: DocumentRequest, content: bytes) -> Response:
    """A finished Word document (audited by ``document_file``, which read it)."""
    return send_download(content, request.filename or f"dokument-{request.id}.docx", DOCX)


def send_document_pdf(request: DocumentRequest, content: bytes) -> Response:
    """The PDF/A-2b beside a finished Word document (audited by ``document_file``)."""
    return send_download(content, pdf_filename(request), "application/pdf")


def send_upload(upload: Upload, content: bytes) -> Response:
    """An uploaded file as the kind the server recognised (audited by ``upload_content``)."""
    kind = KINDS.get(upload.kind)
    return send_download(
        content,
        upload.filename or f"datei-{upload.id}",
        kind.mimetype if kind else "application/octet-stream",
    )
