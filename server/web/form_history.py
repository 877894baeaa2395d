"""Every saved version of one form of a record, and what changed from one to the next."""

from __future__ import annotations

from flask import abort, request
from flask_admin import expose
from peewee import JOIN

from ..models import FormSave, User
from ..services.paging import page_number
from .base import RecordPartView
from .form_page import value_lookup
from .values import changes

VERSIONS_PER_PAGE = 20  # versions of one form on one page (each with all its values)


class FormHistoryView(RecordPartView):
    """/records/<workflow>/<id>/forms/<form>/history: newest version first."""

    @expose("/<workflow_id>/<int:record_id>/forms/<form_id>/history")
    def history(self, workflow_id: str, record_id: int, form_id: str):
        defs, user, record, workflow = self.readable(workflow_id, record_id)
        form = defs.forms.get(form_id)
        if form is None or form_id not in workflow.form_ids:
            abort(404)
        # a page of versions, newest first, plus the one before the page's oldest (to tell
        # what that one changed): a form saved a thousand times is never read whole
        of_form = (FormSave.record == record.id) & (FormSave.form == form.id)
        total = FormSave.select().where(of_form).count()
        pages = max(1, -(-total // VERSIONS_PER_PAGE))
        page = min(page_number(request.args.get("page", 1)), pages)
        offset = (page - 1) * VERSIONS_PER_PAGE
        saves = list(
            FormSave.select(FormSave, User)
            .join(User, on=(FormSave.author == User.id), join_type=JOIN.LEFT_OUTER)
            .where(of_form)
            .order_by(FormSave.id.desc())
            .offset(offset)
            .limit(VERSIONS_PER_PAGE + 1)
        )
        saves.reverse()
        before: dict = {}
        if len(saves) > VERSIONS_PER_PAGE:  # the version before the page's oldest
            before = saves.pop(0).data or {}
        lookup = value_lookup(defs, user, [(form, s.data) for s in saves])
        versions = []
        previous = before
        first_number = total - offset - len(saves) + 1
        for number, save in enumerate(saves, start=first_number):
            data = save.data or {}
            versions.append(
                {
                    "number": number,
                    "record_version": save.record_version,
                    "at": save.saved_at,
                    "who": save.author if save.author_id else None,
                    "changes": changes(form, previous, data, lookup),
                    "values": lookup.shown(form, data),
                }
            )
            previous = data
        versions.reverse()
        return self.render(
            "verbund/form_history.html",
            record=record,
            workflow=workflow,
            form=form,
            versions=versions,
            page=page,
            pages=pages,
        )
