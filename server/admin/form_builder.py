"""The form builder: a form's fields as a list to edit, for administrators who do not write TOML.

It edits the same TOML the text editor shows (:class:`~server.schema.builder.form_model.
FormModel`, comments and order kept) and carries the draft from request to request in a hidden
field, so it works without JavaScript and switching to the text editor loses nothing. After
every change the draft is checked like a publication (``publishing.check_change``: the German
message at the field, and the text's ``path:line``), and the preview shows the form as staff
will see it. Publishing calls the same service as the text editor and the API.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose

from ..forms import defaults
from ..schema.builder.conditions import COMPARISONS, JOINS, read_condition, shown_value
from ..schema.builder.form_model import BuilderError, FormModel, field_at_line
from ..schema.builder.key_names import KEY_INFO, german_message
from ..schema.fieldtypes import REGISTRY
from ..services.configuration import publish as publishing
from ..services.configuration import store
from ..services.errors import Conflict, Invalid, NotFound
from ..web.base import definitions, runtime
from ..web.form_page import form_panel
from ..web.session import current_user
from . import form_builder_edits as edits
from .base import AdminView
from .builder_check import live_result


def _base(raw: str | None) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


def posted_draft(kind: str, config_id: str) -> tuple[str, int | None, str, str]:
    """The draft a builder page posted: ``(text, base revision, action, argument)``.

    404 for a file that does not exist, 422 with the German reason for a text that cannot
    be a configuration file; both builders read their button presses the same way."""
    if store.current_text(runtime().settings, kind, config_id) is None:
        abort(404)
    try:
        text = publishing.normalise_text(request.form.get("toml", ""))
    except Invalid as exc:
        abort(422, exc.message)
    base = _base(request.form.get("base_revision"))
    action, _, argument = (request.form.get("action") or "").partition("|")
    return text, base, action, argument


def publish_draft(view, kind: str, name: str, text: str, base: int | None):
    """Publish a builder's draft through the one publishing service (impact, revision,
    reload); on refusal ``view._page`` shows the draft again with the reason."""
    try:
        result = publishing.publish(
            runtime(),
            current_user(),
            kind,
            name,
            text,
            request.form.get("message", ""),
            confirm=request.form.get("confirm") == "1",
            base_revision=base,
        )
    except publishing.NeedsConfirmation as exc:
        return view._page(name, text, base, status=409, impact=exc.impact, notice=exc.message)
    except (publishing.ConfigInvalid, Conflict, Invalid, NotFound) as exc:
        return view._page(name, text, base, status=422, notice=exc.message)
    if result.unchanged:
        flash("Keine Änderung gegenüber der veröffentlichten Fassung.", "info")
    else:
        flash(
            f"{store.KIND_LABELS[kind]} „{name}“ ist veröffentlicht "
            f"(Revision {result.revision.id}) und gilt sofort überall.",
            "success",
        )
    return redirect(url_for(".show", config_id=name))


class FormBuilderView(AdminView):
    """/admin/builder/forms/<id>: reached from the configuration editor, not from the menu."""

    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self):
        return redirect(url_for("admin_config.index"))

    @expose("/forms/<config_id>", methods=["GET"])
    def show(self, config_id: str):
        current = store.current_text(runtime().settings, "form", config_id)
        if current is None:
            abort(404)
        return self._page(config_id, current.text, current.revision_id)

    @expose("/forms/<config_id>", methods=["POST"])
    def change(self, config_id: str):
        text, base, action, argument = posted_draft("form", config_id)
        if action == "publish":
            return self._publish(config_id, text, base)
        selected = request.form.get("path") or ""
        try:
            model = FormModel(text)
        except BuilderError as exc:
            return self._page(config_id, text, base, status=422, notice=exc.message)
        try:
            selected = self._apply(model, config_id, action, argument, selected)
        except BuilderError as exc:
            # nothing of this request is applied: the draft stays as it was
            return self._page(
                config_id, text, base, status=422, selected=selected, notice=exc.message
            )
        return self._page(config_id, model.text, base, selected=selected)

    @expose("/forms/<config_id>/check", methods=["POST"])
    def live_check(self, config_id: str):
        """The field editor's inputs applied to the draft and checked (JSON, nothing kept)."""
        text, _base, _action, _argument = posted_draft("form", config_id)
        path = request.form.get("path") or ""
        notice = ""
        try:
            model = FormModel(text)
            if path:
                self._apply(model, config_id, "save", "", path)
            text = model.text
        except BuilderError as exc:
            notice = exc.message
        check = publishing.check_change(runtime(), "form", config_id, text)
        fields = FormModel(text).fields() if not notice else []
        top = path.partition("/")[0]
        return live_result(
            check, text, self._german(fields), lambda line: field_at_line(text, line) == top, notice
        )

    def _apply(self, model: FormModel, form_id: str, action: str, argument: str, path: str):
        """Carry out one button; returns the path of the field to show in the editor."""
        form = request.form
        if action in ("", "show"):
            return path
        if action == "edit":
            return argument
        if action == "close":
            return ""
        if action in ("up", "down"):
            model.move_field(argument, -1 if action == "up" else 1)
            return path
        if action == "add-field":
            return edits.add_field(model, form)
        if action == "remove-field":
            model.remove_field(argument)
            return ""
        if not path:
            raise BuilderError("Bitte zuerst ein Feld zum Bearbeiten wählen.")
        edits.apply_editor(model, form_id, path, form)
        if action in ("choice-up", "choice-down"):
            model.move_choice(path, argument, -1 if action == "choice-up" else 1)
        elif action == "choice-remove":
            edits.remove_choice(model, definitions(), form_id, path, argument)
        elif action == "choice-add":
            edits.add_choice(model, path, form)
        elif action == "cond-add":
            return path  # the page draws one more row
        return path

    def _publish(self, config_id: str, text: str, base: int | None):
        return publish_draft(self, "form", config_id, text, base)

    def _page(self, name, text, base, *, status=200, selected="", notice="", impact=None):
        settings = runtime().settings
        path = store.display_path(settings, "form", name)
        check = publishing.check_change(runtime(), "form", name, text)
        at_field: dict[str, list] = {}
        for problem in check.errors + check.warnings:
            if problem.path == path:
                field = field_at_line(text, problem.line)
                if field:
                    at_field.setdefault(field, []).append(problem)
        try:
            model = FormModel(text)
            fields = model.fields()
        except BuilderError as exc:
            model, fields, notice = None, [], notice or exc.message
        view = None
        if model is not None and selected:
            try:
                view = model.field(selected)
            except BuilderError:
                selected = ""
        preview = None
        if check.ok and name in check.after.forms:
            form = check.after.forms[name]
            preview = form_panel(form, defaults(form))
        context = {
            "name": name,
            "title": model.title if model else name,
            "path": path,
            "text": text,
            "base": base,
            "fields": fields,
            "selected": selected,
            "view": view,
            "condition": self._condition(view, name, fields),
            "show_if_choices": [
                (f.name, f.label or f.name) for f in fields if view is None or f.name != view.name
            ],
            "problems": check.errors,
            "warnings": check.warnings,
            "at_field": at_field,
            "notice": notice,
            "impact": impact,
            "preview": preview,
            "types": [REGISTRY[n] for n in REGISTRY],
            "comparisons": COMPARISONS,
            "joins": JOINS,
            "settings_shown": edits.settings_shown(view) if view else {},
            "setting_keys": edits.type_setting_keys(view.type) if view else (),
            "setting_labels": edits.setting_labels(view.type) if view else {},
            "setting_explanations": edits.setting_explanations(view.type) if view else {},
            "german": self._german(fields),
            "key_info": KEY_INFO,
            "choice_types": edits.types_with("choices"),
            "table_types": edits.types_with("columns"),
            "shown_value": shown_value,
            "added_row": request.form.get("action") == "cond-add",
        }
        return self.render("verbund/admin/form_builder.html", **context), status

    @staticmethod
    def _german(fields):
        """The checker's messages with German key names (those of the form's types too)."""
        names: dict[str, str] = {}
        for ftype in {f.type for f in fields} | {c.type for f in fields for c in f.columns}:
            names.update(edits.setting_labels(ftype))
        return lambda message: german_message(message, names)

    @staticmethod
    def _condition(view, form_id, fields):
        if view is None or "/" in view.path:
            return None
        return read_condition(view.show_if, form_id, [f.name for f in fields])
