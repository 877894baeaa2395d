"""Downloading a record's files from the staff screens, behind the record's access check."""

from __future__ import annotations

from flask import abort, redirect, url_for
from flask_admin import expose

from ..downloads import send_upload
from ..services.errors import NotFound
from ..services.records.uploads import upload_content
from .base import StaffView, definitions
from .session import current_user


class FilesView(StaffView):
    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self):
        return redirect(url_for("admin.index"))

    @expose("/<int:upload_id>")
    def download(self, upload_id: int):
        try:
            upload, content = upload_content(definitions(), current_user(), upload_id)
        except NotFound:
            abort(404)  # unknown, or the record is not this person's to read: the same
        return send_upload(upload, content)
