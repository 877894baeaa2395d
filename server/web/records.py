"""Staff screens for records: the list of a workflow, creating, the record page, saving a form.

The other actions of the record page (copying rows, a step, a hand-over, a document) are in
:mod:`.record_actions`.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose

from ..forms import raw_from_formdata
from ..forms.error_cap import MORE_KEY, UNKNOWN_KEY
from ..models import Organisation, Record, User
from ..services.errors import Conflict, Invalid, NotFound, ServiceError, StaleVersion
from ..services.paging import page_number
from ..services.records import listing as record_list
from ..services.records.access import (
    can_create,
    may_see_workflow,
    scope_in,
    scope_of,
)
from ..services.records.assignment import assignable_users
from ..services.records.changes import create_record, get_readable, save_form
from ..services.records.form_fill import save_form_step
from ..services.records.view import record_view
from .base import StaffView, definitions
from .form_page import (
    attach_uploads,
    copy_buttons,
    form_panel,
    page_extras,
    unsaved_input,
    value_lookup,
)
from .form_steps import requested_step, step_panel, step_url
from .record_actions import RecordActions, form_version
from .session import current_user

DOCUMENTS_SHOWN = 50  # newest document requests on the record page


class RecordsView(RecordActions, StaffView):
    """Records of every workflow the user may see, under /records/<workflow>/."""

    def is_visible(self) -> bool:
        return False  # the menu lists workflows itself (templates/verbund/master.html)

    def _workflow(self, workflow_id: str):
        workflow = definitions().workflows.get(workflow_id)
        if workflow is None or not may_see_workflow(current_user(), workflow):
            abort(404)
        return workflow

    @expose("/")
    def index(self):
        return redirect(url_for("admin.index"))

    @expose("/<workflow_id>/")
    def list_records(self, workflow_id: str):
        defs, user = definitions(), current_user()
        workflow = self._workflow(workflow_id)
        args = {k: v for k, v in request.args.items() if k != "workflow"}
        try:
            query = record_list.parse_list_args({**args, "workflow": workflow.id}, per_page_max=100)
        except Invalid as exc:
            flash("; ".join(m for ms in exc.errors.values() for m in ms), "error")
            query = record_list.ListQuery(workflow=workflow.id)
        page = record_list.list_records(
            defs, user, query, count_limit=record_list.SCREEN_COUNT_LIMIT
        )
        return self.render(
            "verbund/record_list.html",
            workflow=workflow,
            rows=page.items,
            q=query,
            page=page.page,
            pages=page.pages,
            total=page.total,
            capped=page.capped,
            may_create=can_create(user, workflow),
            organisations=self._organisation_choices(workflow),
            owners=self._owner_choices(workflow),
            args=args,
            record_base=url_for(".list_records", workflow_id=workflow.id),
            state_labels={s.id: s.label for s in workflow.states},
        )

    @expose("/<workflow_id>/new", methods=["GET"])
    def confirm_create(self, workflow_id: str):
        """ "Neuen Fall anlegen?": a record is only created by the button on this page.

        A record cannot be deleted by its creator (it is in the history and the audit log),
        so one click on "Neu" only asks; the page says what will be created and offers the
        way back. GET changes nothing, as everywhere.
        """
        workflow = self._workflow(workflow_id)
        user = current_user()
        if not can_create(user, workflow):
            flash(f"Sie dürfen keine neuen Datensätze in „{workflow.title}“ anlegen.", "error")
            return redirect(url_for(".list_records", workflow_id=workflow.id))
        return self.render(
            "verbund/record_new.html",
            workflow=workflow,
            initial=workflow.state(workflow.initial),
            organisation=user.organisation.label if user.organisation_id else "",
        )

    @expose("/<workflow_id>/new", methods=["POST"])
    def create(self, workflow_id: str):
        workflow = self._workflow(workflow_id)
        try:
            record = create_record(definitions(), current_user(), workflow.id)
        except ServiceError as exc:
            flash(exc.message, "error")
            return redirect(url_for(".list_records", workflow_id=workflow.id))
        flash(f"{workflow.record_label} {record.id} wurde angelegt.", "success")
        return redirect(url_for(".record", workflow_id=workflow.id, record_id=record.id))

    def _record(self, workflow_id: str, record_id: int) -> Record:
        try:
            record = get_readable(definitions(), current_user(), record_id)
        except NotFound:
            abort(404)
        if record.workflow != workflow_id:
            abort(404)
        return record

    @expose("/<workflow_id>/<int:record_id>")
    def record(
        self,
        workflow_id: str,
        record_id: int,
        form_input=None,
        form_errors=None,
        status=200,
        unsaved=None,
        form_step=None,
    ):
        defs, user = definitions(), current_user()
        try:
            view = record_view(defs, user, record_id, documents_limit=DOCUMENTS_SHOWN)
        except NotFound:
            abort(404)
        if view.record.workflow != workflow_id:
            abort(404)
        forms = [
            form_panel(
                item.form,
                item.values,
                (form_input or {}).get(item.form.id),
                (form_errors or {}).get(item.form.id, {}),
            )
            for item in view.state_forms
        ]
        for panel, item in zip(forms, view.state_forms, strict=True):
            form = item.form
            if form.steps:  # one step at a time (server/web/form_steps.py)
                step = (form_step or {}).get(form.id, requested_step(form, request.args))
                saved = (view.record.data or {}).get(form.id) or item.values
                panel["stepped"] = step_panel(
                    form, saved, step, workflow_id, record_id, panel["errors"]
                )
        copies = copy_buttons(defs, view.state_forms)
        lookup = value_lookup(defs, user, [(f.form, f.values) for f in view.workflow_forms])
        record, workflow = view.record, view.workflow
        # the history only when asked for (the link of its card; server/web/record_history.py)
        history, older, history_page = None, False, 0
        if "verlauf" in request.args:
            history_page = page_number(request.args["verlauf"])
            history, older = view.timeline_page(lookup, history_page)
        body = self.render(
            "verbund/record.html",
            record=record,
            workflow=workflow,
            state=view.state,
            forms=forms,
            other_forms=[(f.form, lookup.shown(f.form, f.values)) for f in view.other_forms],
            editable=view.editable,
            transitions=view.transitions,
            documents=view.available_documents,
            requests=view.documents,
            history=history,
            history_page=history_page,
            history_older=older,
            unavailable_documents=view.unavailable_documents,
            display=lookup.display,
            order={s.id: i for i, s in enumerate(workflow.states)},
            handover_targets=view.handover_targets,
            handover_narrowed=bool(view.handover_targets) and view.handover_narrowed,
            deadlines=view.deadlines,
            today=view.today,
            ref_options=view.reference_options,
            extras=page_extras(defs, user, record, [f["form"] for f in forms]),
            unsaved=unsaved,
            copies=copies,
        )
        return body, status

    @staticmethod
    def _owner_choices(workflow) -> list[User] | None:
        """People to filter by: colleagues of one's organisation; None (a text field) for
        those who read every organisation's records, where a list would be endless."""
        user = current_user()
        if scope_of(definitions(), user) == "all" or user.organisation_id is None:
            return None
        return assignable_users(workflow, user.organisation)

    @staticmethod
    def _organisation_choices(workflow) -> list[Organisation]:
        """Organisations to filter by: every one for those who read every organisation's
        records of ``workflow``, else only their own (a large installation has hundreds of
        organisations, and the others' records are not theirs to see anyway)."""
        user = current_user()
        if scope_in(definitions(), user, workflow) == "all":
            return list(Organisation.select().order_by(Organisation.label))
        return [user.organisation] if user.organisation_id is not None else []

    @expose("/<workflow_id>/<int:record_id>/forms/<form_id>", methods=["POST"])
    def save(self, workflow_id: str, record_id: int, form_id: str):
        defs, user = definitions(), current_user()
        record = self._record(workflow_id, record_id)
        form = defs.forms.get(form_id)
        if form is None:
            abort(404)
        raw = raw_from_formdata(form, request.form, prefix=f"{form_id}-")
        version = form_version()
        step = _step(form)
        try:
            attach_uploads(defs, user, record, form, request.files, raw)
            if step is None:
                save_form(defs, user, record.id, form_id, raw, version)
            else:
                save_form_step(defs, user, record.id, form_id, raw, version, step)
        except Invalid as exc:
            # the cells past the cap have no place beside a field: the summary says how many
            errors = exc.errors if isinstance(exc.errors, dict) else {}
            more = [m for k in (UNKNOWN_KEY, MORE_KEY) for m in errors.get(k, [])]
            flash(" ".join([exc.message, *more]), "error")
            return self.record(
                workflow_id,
                record_id,
                form_input={form_id: getattr(exc, "input", raw)},
                form_errors={form_id: exc.errors or {}},
                status=422,
                form_step={form_id: step} if step is not None else None,
            )
        except Conflict as exc:
            said = exc.changed if isinstance(exc, StaleVersion) else exc.message
            if form_id not in _state_forms(workflow_id, record_id):
                # a step was taken meanwhile and the form left with it: what was typed is
                # shown as text to carry over, never dropped
                flash(
                    f"{said} „{form.title}“ ist im jetzigen Zustand nicht mehr zu bearbeiten; "
                    "Ihre Eingaben wurden nicht gespeichert und stehen unten zum Übernehmen.",
                    "error",
                )
                unsaved = {"title": form.title, "lines": unsaved_input(form, raw)}
                return self.record(workflow_id, record_id, unsaved=unsaved, status=409)
            flash(
                f"{said} Ihre Eingaben sind unten erhalten; bitte prüfen und erneut speichern.",
                "error",
            )
            # the page is rendered with the current version and the user's input, so saving
            # again overwrites knowingly instead of losing what was typed
            return self.record(
                workflow_id,
                record_id,
                form_input={form_id: raw},
                status=409,
                form_step={form_id: step} if step is not None else None,
            )
        except ServiceError as exc:
            flash(exc.message, "error")
            return redirect(url_for(".record", workflow_id=workflow_id, record_id=record_id))
        if step is not None:
            # onwards (the summary follows the last step) or back, each after saving
            target = step - 1 if request.form.get("go") == "back" else step + 1
            where = form.steps[step].title
            flash(f"„{form.title}“, Schritt „{where}“ wurde gespeichert.", "success")
            return redirect(step_url(workflow_id, record_id, form, max(target, 0)))
        flash(f"„{form.title}“ wurde gespeichert.", "success")
        return redirect(url_for(".record", workflow_id=workflow_id, record_id=record_id))


def _state_forms(workflow_id: str, record_id: int) -> tuple[str, ...]:
    """The forms of the record's current state (after a conflict: what the page offers)."""
    workflow = definitions().workflows.get(workflow_id)
    record = Record.get_or_none(Record.id == record_id)
    state = workflow.state(record.state) if workflow and record else None
    return state.forms if state else ()


def _step(form) -> int | None:
    """The step a stepped form's screen posted (0-based), None for a whole-form save."""
    if not form.steps:
        return None
    try:
        step = int(request.form.get("step", ""))
    except ValueError:
        return None
    return step if 0 <= step < len(form.steps) else None
