"""The record page's actions besides saving a form: copying rows, a step, a hand-over, a document.

Part of the records screen (:class:`server.web.records.RecordsView` inherits these routes;
flask-admin finds exposed methods on every base class, so the endpoints stay
``records.copy``, ``records.transition``, ``records.handover``, ``records.request_document``).
Each answers with a redirect to the record page, or the page itself for input to correct.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose

from ..models import Record
from ..services.documents import requests as document_service
from ..services.errors import Invalid, ServiceError, StaleVersion
from ..services.records.access import can_read
from ..services.records.assignment import hand_over
from ..services.records.changes import apply_transition
from ..services.records.form_fill import copy_rows
from .base import definitions, runtime
from .form_steps import step_url
from .session import current_user


class RecordActions:
    """The routes; the view class supplies ``record`` (the page) and ``_record`` (the
    readable record of a URL, else 404)."""

    @expose("/<workflow_id>/<int:record_id>/forms/<form_id>/copy/<field>", methods=["POST"])
    def copy(self, workflow_id: str, record_id: int, form_id: str, field: str):
        """ "Aus Ziele übernehmen": rows from another form of the record, saved at once."""
        defs, user = definitions(), current_user()
        record = self._record(workflow_id, record_id)
        form = defs.forms.get(form_id)
        if form is None:
            abort(404)
        step = form.step_of(field) if form.steps else None
        back = (
            step_url(workflow_id, record_id, form, step)
            if step is not None
            else url_for(".record", workflow_id=workflow_id, record_id=record_id)
            + f"#form-{form_id}"
        )
        try:
            _, added = copy_rows(defs, user, record.id, form_id, field, form_version())
        except Invalid as exc:
            flash(
                f"{exc.message} Die übernommenen Zeilen sind noch nicht gespeichert: bitte "
                "ergänzen und speichern.",
                "error",
            )
            return self.record(
                workflow_id,
                record_id,
                form_input={form_id: getattr(exc, "input", None) or {}},
                form_errors={form_id: exc.errors or {}},
                status=422,
                form_step={form_id: step} if step is not None else None,
            )
        except StaleVersion as exc:
            flash(f"{exc.changed} Es wurde nichts übernommen; bitte erneut wählen.", "error")
            return redirect(back)
        except ServiceError as exc:
            flash(exc.message, "error")
            return redirect(back)
        if added:
            flash(f"{added} Zeile(n) übernommen und gespeichert.", "success")
        else:
            flash("Es gibt nichts Neues zu übernehmen: alle Zeilen sind schon da.", "info")
        return redirect(back)

    @expose("/<workflow_id>/<int:record_id>/transition", methods=["POST"])
    def transition(self, workflow_id: str, record_id: int):
        record = self._record(workflow_id, record_id)
        version = form_version()
        try:
            apply_transition(
                definitions(), current_user(), record.id, request.form.get("to"), version
            )
        except StaleVersion as exc:
            # nothing typed is lost (a step is one button); the page shows the current state
            flash(
                f"{exc.changed} Der Schritt wurde nicht ausgeführt; bitte prüfen Sie den "
                "aktuellen Stand und wählen Sie ihn dann erneut.",
                "error",
            )
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash("Der Zustand wurde geändert.", "success")
        return redirect(url_for(".record", workflow_id=workflow_id, record_id=record_id))

    @expose("/<workflow_id>/<int:record_id>/handover", methods=["POST"])
    def handover(self, workflow_id: str, record_id: int):
        record = self._record(workflow_id, record_id)
        target = request.form.get("target", "")
        owner, _, organisation = target.partition("@")
        try:
            hand_over(
                definitions(),
                current_user(),
                record.id,
                owner=owner or None,
                organisation=organisation or None,
                version=form_version(),
                note=request.form.get("note", ""),
            )
        except ServiceError as exc:
            flash(_messages(exc), "error")
        else:
            flash("Der Datensatz wurde übergeben.", "success")
            if not can_read(definitions(), current_user(), Record.get_by_id(record.id)):
                return redirect(url_for(".list_records", workflow_id=workflow_id))
        return redirect(url_for(".record", workflow_id=workflow_id, record_id=record_id))

    @expose("/<workflow_id>/<int:record_id>/documents", methods=["POST"])
    def request_document(self, workflow_id: str, record_id: int):
        record = self._record(workflow_id, record_id)
        try:
            document_service.request_document(
                definitions(),
                runtime().settings,
                current_user(),
                record.id,
                request.form.get("document"),
            )
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash("Das Dokument wird erstellt.", "info")
        return redirect(
            url_for(".record", workflow_id=workflow_id, record_id=record_id) + "#dokumente"
        )


def form_version() -> int | None:
    """The record version the posted form was made from (None when missing or no number)."""
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        return None


def _messages(exc: ServiceError) -> str:
    if isinstance(exc.errors, dict):
        return " ".join(m for ms in exc.errors.values() for m in ms)
    return exc.message
