"""Document status (polled by the record page) and download, behind the record's access check."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_admin import expose

from ..downloads import send_document, send_document_pdf
from ..services.documents.requests import (
    document_file,
    document_json,
    get_document_request,
    retry_document,
)
from ..services.errors import NotFound, ServiceError
from .base import StaffView, definitions, runtime
from .session import current_user


class DocumentsView(StaffView):
    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self):
        return redirect(url_for("admin.index"))

    @expose("/<int:request_id>")
    def status(self, request_id: int):
        try:
            request_ = get_document_request(definitions(), current_user(), request_id)
        except NotFound:
            abort(404)
        return jsonify(document_json(request_))

    @expose("/<int:request_id>/retry", methods=["POST"])
    def retry(self, request_id: int):
        """The retry button of a failed document: enqueue it again, back to the record."""
        try:
            request_ = retry_document(definitions(), runtime().settings, current_user(), request_id)
        except NotFound:
            abort(404)
        except ServiceError as exc:
            request_ = get_document_request(definitions(), current_user(), request_id)
            flash(exc.message, "error")
        else:
            flash(f"„{request_.label}“ wird neu erstellt.", "info")
        record = request_.record
        target = url_for("records.record", workflow_id=record.workflow, record_id=record.id)
        if request.accept_mimetypes.best == "application/json":
            return jsonify(document_json(request_))
        return redirect(target + "#dokumente")

    @expose("/<int:request_id>/file")
    def download(self, request_id: int):
        try:
            request_, content = document_file(definitions(), current_user(), request_id)
        except NotFound:
            abort(404)
        return send_document(request_, content)

    @expose("/<int:request_id>/file.pdf")
    def download_pdf(self, request_id: int):
        """The PDF/A beside the .docx (documents whose workflow asks for "pdf")."""
        try:
            request_, content = document_file(definitions(), current_user(), request_id, "pdf")
        except NotFound:
            abort(404)
        except ServiceError as exc:  # made without a PDF: say so on the record page
            flash(exc.message, "error")
            record = get_document_request(definitions(), current_user(), request_id).record
            target = url_for("records.record", workflow_id=record.workflow, record_id=record.id)
            return redirect(target + "#dokumente")
        return send_document_pdf(request_, content)
