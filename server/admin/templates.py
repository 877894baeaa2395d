"""Word templates in the browser: see every template, upload a new revision, download the
current or an older one, restore an older one, take over a newer file from exports/.

All of it for the ``admin`` role only; the checks themselves live in
:mod:`server.services.documents.templates`, so the rules hold for every other way in, too.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose

from ..documents import store
from ..downloads import DOCX, send_download
from ..services.documents import templates as service
from ..services.errors import NotFound, ServiceError
from ..web.base import definitions, runtime
from ..web.session import current_user
from .base import AdminView


def _special():
    return service.special_templates(runtime().settings)


class TemplatesAdmin(AdminView):
    """/admin/templates/: the Word templates and their revisions."""

    @expose("/")
    def index(self):
        overview = service.template_overview(
            definitions(), runtime().settings, current_user(), _special()
        )
        return self.render(
            "verbund/admin_templates.html",
            overview=overview,
            max_bytes=store.max_template_bytes(runtime().settings),
        )

    @expose("/<template>/")
    def detail(self, template: str):
        name = template
        if not store.valid_name(name):
            abort(404)
        overview = service.template_overview(
            definitions(), runtime().settings, current_user(), _special()
        )
        entry = next((t for t in overview if t["name"] == name), None)
        if entry is None:
            abort(404)
        return self.render(
            "verbund/admin_template.html",
            entry=entry,
            revisions=store.revisions(name),
            max_bytes=store.max_template_bytes(runtime().settings),
        )

    def _back(self, name: str | None):
        if name and store.valid_name(name) and store.latest(name) is not None:
            return redirect(url_for(".detail", template=name))
        return redirect(url_for(".index"))

    def _report(self, exc: ServiceError) -> None:
        flash(exc.message, "error")
        for message in exc.errors if isinstance(exc.errors, list) else []:
            flash(message, "error")

    @expose("/upload", methods=["POST"])
    def upload(self):
        name = (request.form.get("name") or "").strip()
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash("Bitte eine Word-Datei (.docx) auswählen.", "error")
            return self._back(name)
        if not name:
            name = upload.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
        limit = store.max_template_bytes(runtime().settings)
        content = upload.stream.read(limit + 1)
        try:
            revision = service.upload_template(
                definitions(),
                runtime().settings,
                current_user(),
                name,
                content,
                filename=upload.filename[:255],
                comment=request.form.get("comment", "")[:500],
                special=_special(),
            )
        except ServiceError as exc:
            self._report(exc)
            return self._back(name)
        flash(
            f"„{revision.name}“ ist jetzt Fassung {revision.number}; neue Dokumente verwenden "
            "sie sofort.",
            "success",
        )
        return self._back(revision.name)

    @expose("/<template>/download")
    def download(self, template: str):
        name = template
        try:
            revision = service.revision_file(current_user(), name, request.args.get("fassung"))
        except NotFound:
            abort(404)
        except ServiceError:
            abort(403)
        stem = revision.name[: -len(".docx")]
        return send_download(revision.content, f"{stem}-fassung-{revision.number}.docx", DOCX)

    @expose("/<template>/restore", methods=["POST"])
    def restore(self, template: str):
        name = template
        try:
            revision = service.restore_revision(
                definitions(),
                runtime().settings,
                current_user(),
                name,
                request.form.get("fassung"),
                _special(),
            )
        except NotFound:
            abort(404)
        except ServiceError as exc:
            self._report(exc)
        else:
            flash(f"Fassung {revision.number} ist jetzt aktuell ({revision.comment}).", "success")
        return self._back(name)

    @expose("/<template>/exports", methods=["POST"])
    def take_file(self, template: str):
        name = template
        try:
            revision = service.take_exports_file(
                definitions(), runtime().settings, current_user(), name, _special()
            )
        except NotFound:
            abort(404)
        except ServiceError as exc:
            self._report(exc)
        else:
            flash(f"Die Datei aus exports/ ist jetzt Fassung {revision.number}.", "success")
        return self._back(name)
