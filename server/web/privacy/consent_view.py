"""Recording and withdrawing consent from the record page (POST, then back to the record)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose

from ...models import Record
from ...services.errors import NotFound, ServiceError
from ...services.privacy.consent import record_consent, withdraw_consent
from ..base import StaffView, definitions
from ..session import current_user


class ConsentView(StaffView):
    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self):
        return redirect(url_for("admin.index"))

    def _back(self, record_id: int):
        record = Record.get_or_none(Record.id == record_id)
        if record is None:
            abort(404)
        return redirect(
            url_for("records.record", workflow_id=record.workflow, record_id=record_id)
            + "#einwilligungen"
        )

    def _run(self, record_id: int, action, success: str):
        try:
            action()
        except NotFound:
            abort(404)
        except ServiceError as exc:
            messages = exc.errors.values() if isinstance(exc.errors, dict) else []
            flash(" ".join([exc.message, *(m for ms in messages for m in ms)]), "error")
        else:
            flash(success, "success")
        return self._back(record_id)

    @expose("/<int:record_id>/erteilen", methods=["POST"])
    def give(self, record_id: int):
        form = request.form
        return self._run(
            record_id,
            lambda: record_consent(
                definitions(),
                current_user(),
                record_id,
                form.get("purpose"),
                form.get("given_at"),
                form.get("text_version"),
            ),
            "Die Einwilligung wurde erfasst.",
        )

    @expose("/<int:record_id>/widerrufen", methods=["POST"])
    def withdraw(self, record_id: int):
        form = request.form
        return self._run(
            record_id,
            lambda: withdraw_consent(
                definitions(),
                current_user(),
                record_id,
                form.get("purpose"),
                form.get("withdrawn_at"),
            ),
            "Der Widerruf wurde erfasst.",
        )
