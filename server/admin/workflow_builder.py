"""The workflow builder: states and transitions as lists, the diagram as a map to click.

Same construction as the form builder (:mod:`.form_builder`): the draft TOML travels in a
hidden field, each button is one edit of :class:`~server.schema.builder.workflow_model.
WorkflowModel`, the draft is checked after every change (German message with ``path:line``),
the diagram of the draft is drawn with a link on every state and arrow, and publishing calls
the one publishing service.
"""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_admin import expose
from markupsafe import Markup

from ..schema.builder.conditions import COMPARISONS, JOINS, read_condition, shown_value
from ..schema.builder.form_model import BuilderError
from ..schema.builder.key_names import german_message
from ..schema.builder.workflow_model import WorkflowModel
from ..schema.builder.workflow_parts import DEADLINE_ORDER, DOCUMENT_ORDER, entry_at_line
from ..services.configuration import publish as publishing
from ..services.configuration import store
from ..services.documents.templates import template_names
from ..web.base import definitions, runtime
from . import workflow_builder_edits as edits
from . import workflow_builder_parts as parts
from .base import AdminView
from .builder_check import live_result
from .diagram import workflow_svg
from .form_builder import posted_draft, publish_draft


def _number(text: str) -> int:
    return int(text) if text.isdigit() else -1


class WorkflowBuilderView(AdminView):
    """/admin/workflow-builder/workflows/<id>: reached from the configuration editor."""

    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self):
        return redirect(url_for("admin_config.index"))

    @expose("/workflows/<config_id>", methods=["GET"])
    def show(self, config_id: str):
        current = store.current_text(runtime().settings, "workflow", config_id)
        if current is None:
            abort(404)
        return self._page(config_id, current.text, current.revision_id)

    @expose("/workflows/<config_id>", methods=["POST"])
    def change(self, config_id: str):
        text, base, action, argument = posted_draft("workflow", config_id)
        if action == "publish":
            return publish_draft(self, "workflow", config_id, text, base)
        selected = request.form.get("selected") or ""
        try:
            model = WorkflowModel(text)
            selected = self._apply(model, action, argument, selected)
        except BuilderError as exc:
            return self._page(
                config_id, text, base, status=422, selected=selected, notice=exc.message
            )
        return self._page(config_id, model.text, base, selected=selected)

    @expose("/workflows/<config_id>/check", methods=["POST"])
    def live_check(self, config_id: str):
        """The open editor's inputs applied to the draft and checked (JSON, nothing kept)."""
        text, _base, _action, _argument = posted_draft("workflow", config_id)
        selected = request.form.get("selected") or ""
        notice = ""
        try:
            model = WorkflowModel(text)
            if selected:
                self._apply(model, "save", "", selected)
            text = model.text
        except BuilderError as exc:
            notice = exc.message
        check = publishing.check_change(runtime(), "workflow", config_id, text)
        return live_result(check, text, german_message, _belongs(text, selected), notice)

    def _apply(self, model: WorkflowModel, action: str, argument: str, selected: str) -> str:
        form, defs = request.form, definitions()
        if action in ("", "show"):
            return selected
        if action == "edit":
            return argument
        if action == "close":
            return ""
        if action in ("state-up", "state-down"):
            model.move_state(argument, -1 if action == "state-up" else 1)
            return selected
        if action == "add-state":
            return "state:" + edits.add_state(model, form)
        if action == "add-transition":
            return f"transition:{edits.add_transition(model, form)}"
        if action == "remove-transition":
            model.remove_transition(_number(argument))
            return ""
        if action == "add-deadline":
            return f"deadline:{parts.add_deadline(model, form)}"
        if action == "add-document":
            return f"document:{parts.add_document(model, form)}"
        if action in ("remove-deadline", "remove-document"):
            model.remove_part(action.partition("-")[2] + "s", _number(argument))
            return ""
        kind, _, key = selected.partition(":")
        if kind == "deadline" and action == "save":
            parts.save_deadline(model, _number(key), form, defs)
        elif kind == "document" and action == "save":
            parts.save_document(model, _number(key), form)
        elif kind == "state" and action == "save":
            edits.save_state(model, key, form, list(defs.forms), list(defs.roles))
        elif kind == "transition" and action in ("save", "cond-add"):
            guards = edits.guard_fields(defs, model)
            edits.save_transition(model, _number(key), form, guards, list(defs.roles))
        else:
            raise BuilderError(
                "Bitte zuerst einen Zustand, Übergang, eine Frist oder ein Dokument wählen."
            )
        return selected

    def _page(self, name, text, base, *, status=200, selected="", notice="", impact=None):
        defs = definitions()
        path = store.display_path(runtime().settings, "workflow", name)
        check = publishing.check_change(runtime(), "workflow", name, text)
        try:
            model = WorkflowModel(text)
            states, transitions = model.states(), model.transitions()
            deadlines, documents = model.deadlines(), model.documents()
        except BuilderError as exc:
            model, states, transitions, notice = None, [], [], notice or exc.message
            deadlines, documents = [], []
        kind, _, key = selected.partition(":")
        state = next((s for s in states if kind == "state" and s.id == key), None)
        transition = next(
            (t for t in transitions if kind == "transition" and str(t.index) == key), None
        )
        guards = edits.guard_fields(defs, model) if model else {}
        deadline = next((d for d in deadlines if selected == f"deadline:{d.index}"), None)
        document = next((d for d in documents if selected == f"document:{d.index}"), None)
        diagram = None
        if check.ok and name in check.after.workflows:
            diagram = Markup(workflow_svg(check.after.workflows[name], href=_anchor))
        context = {
            "name": name,
            "title": str(model.doc.get("title", name)) if model else name,
            "path": path,
            "text": text,
            "base": base,
            "states": states,
            "transitions": transitions,
            "state_labels": {s.id: s.label for s in states},
            "selected": selected,
            "state": state,
            "transition": transition,
            "guard_choices": [(key, label) for key, (label, _type) in guards.items()],
            "condition": read_condition(transition.when, "", guards) if transition else None,
            "comparisons": COMPARISONS,
            "joins": JOINS,
            "shown_value": shown_value,
            "added_row": request.form.get("action") == "cond-add",
            "forms": defs.forms,
            "roles": defs.roles,
            "problems": check.errors,
            "warnings": check.warnings,
            "notice": notice,
            "impact": impact,
            "diagram": diagram,
            "german": german_message,
            **self._parts_context(text, path, check, model, deadline, document),
        }
        return self.render("verbund/admin/workflow_builder.html", **context), status

    @staticmethod
    def _parts_context(text, path, check, model, deadline, document) -> dict:
        """What the deadline and document editors show: entries, choices, problems."""
        defs, settings = definitions(), runtime().settings
        at_part: dict[str, list] = {}
        for problem in check.errors + check.warnings:
            for kind in ("deadlines", "documents") if problem.path == path else ():
                index = entry_at_line(text, kind, problem.line)
                if index is not None:
                    at_part.setdefault(f"{kind[:-1]}:{index}", []).append(problem)
        fields = parts.workflow_fields(defs, model) if model else {}
        days_field = str(deadline.get("days_field")) if deadline else ""
        return {
            "deadlines": model.deadlines() if model else [],
            "documents": model.documents() if model else [],
            "deadline": deadline,
            "document": document,
            "at_part": at_part,
            "field_choices": fields,
            "path_labels": {path: label for pairs in fields.values() for path, label in pairs},
            "choice_days": parts.choices_of(defs, days_field) if days_field else [],
            "templates": parts.document_templates(template_names(defs, settings, None)),
            "deadline_keys": parts.key_info(DEADLINE_ORDER),
            "document_keys": parts.key_info(DOCUMENT_ORDER),
            "number_keys": parts.NUMBER_KEYS,
            "scopes": parts.SCOPES,
        }


def _belongs(text: str, selected: str):
    """Whether a line of ``text`` lies in the entry ``selected`` (``kind:key``) shows."""
    kind, _, key = selected.partition(":")
    if kind == "state":
        try:
            ids = [s.id for s in WorkflowModel(text).states()]
        except BuilderError:
            ids = []
        key = str(ids.index(key)) if key in ids else ""
    table = {"state": "states", "transition": "transitions"}.get(kind, kind + "s")

    def belongs(line: int) -> bool:
        return bool(kind) and str(entry_at_line(text, table, line)) == key

    return belongs


def _anchor(what: str, key) -> str:
    return f"#zustand-{key}" if what == "state" else f"#uebergang-{key}"
