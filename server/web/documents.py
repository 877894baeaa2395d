"""Document status (polled by the record page) and download, behind the record's access check."""

from __future__ import annotations

import io

from flask import abort, jsonify, redirect, send_file, url_for
from flask_admin import expose

from ..services.documents import document_file, document_json, get_document_request
from ..services.errors import NotFound
from .base import StaffView, definitions
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

    @expose("/<int:request_id>/file")
    def download(self, request_id: int):
        try:
            request_, content = document_file(definitions(), current_user(), request_id)
        except NotFound:
            abort(404)
        response = send_file(
            io.BytesIO(content),
            mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            as_attachment=True,
            download_name=request_.filename or f"dokument-{request_.id}.docx",
        )
        response.headers["Cache-Control"] = "no-store"
        return response
