"""The configuration editor: forms, workflows and templates; edit, check, preview, publish.

The editor checks a text together with every other live file and shows each problem at its
line; „Prüfen“ shows the form as staff will see it (or the workflow's diagram) without
publishing anything. „Veröffentlichen“ keeps a revision and applies it to every process.
"""

from __future__ import annotations

import peewee
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from markupsafe import Markup

from ..forms import defaults
from ..forms.error_cap import MAX_ERRORS, cap_errors, more_message
from ..models import ConfigRevision, Record
from ..schema.checking import id_problem
from ..services.configuration import publish as publishing
from ..services.configuration import store
from ..services.errors import Conflict, Invalid, NotFound
from ..web.base import definitions, runtime
from ..web.form_page import form_panel
from ..web.session import current_user
from .base import AdminView
from .config_support import (
    URL_PART,
    form_starter,
    kind_of,
    template_rows,
    workflow_starter,
    working_roles,
)
from .diagram import workflow_svg

NEW = -1  # base revision of something that does not exist yet


def _base_revision(raw: str | None) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


def _messages(exc) -> list[str]:
    """What to tell about a refused input: the detailed messages, else the summary."""
    if isinstance(exc.errors, list) and exc.errors:
        return cap_errors([str(e) for e in exc.errors])
    return [exc.message]


class ConfigView(AdminView):
    """/admin/config"""

    @expose("/")
    def index(self):
        rt = runtime()
        defs = definitions()
        sources = store.newest_revisions()
        record_counts = dict(
            Record.select(Record.workflow, peewee.fn.COUNT(Record.id))
            .group_by(Record.workflow)
            .tuples()
        )
        templates, template_problems = template_rows(rt.settings, defs)
        return self.render(
            "verbund/admin/config_index.html",
            defs=defs,
            sources=sources,
            record_counts=record_counts,
            templates=templates,
            template_problems=template_problems,
            problems=rt.problems,
            url_part=URL_PART,
        )

    @expose("/new", methods=["GET", "POST"])
    def new(self):
        kind = request.values.get("kind") or "form"
        if kind not in URL_PART:
            abort(404)
        name = (request.form.get("name") or "").strip()
        title = " ".join((request.form.get("title") or "").split())[:200]
        errors = {}
        if request.method == "POST":
            if problem := id_problem(name, "Die Id"):
                errors["name"] = problem
            elif store.current_text(runtime().settings, kind, name) is not None:
                errors["name"] = f"„{name}“ gibt es schon."
            if not title:
                errors["title"] = "Bitte einen Titel angeben."
            if not errors:
                if kind == "form":
                    text = form_starter(title)
                else:
                    text = workflow_starter(title, working_roles(definitions()))
                return self._editor(kind, name, text, base=NEW, is_new=True)
        return self.render(
            "verbund/admin/config_new.html", kind=kind, name=name, title=title, errors=errors
        ), (422 if errors else 200)

    @expose("/<part>/<config_id>", methods=["GET"])
    def edit(self, part: str, config_id: str):
        kind, name = kind_of(part), config_id
        current = store.current_text(runtime().settings, kind, name)
        if current is None:
            abort(404)
        return self._editor(kind, name, current.text, base=current.revision_id)

    def _editor(self, kind, name, text, *, base, is_new=False, status=200, **extra):
        settings = runtime().settings
        current = None if is_new else store.current_text(settings, kind, name)
        history = (
            ConfigRevision.select()
            .where((ConfigRevision.kind == kind) & (ConfigRevision.name == name))
            .order_by(ConfigRevision.id.desc())
            .limit(10)
        )
        errors = extra.get("errors") or []
        path = store.display_path(settings, kind, name)
        context = {
            "kind": kind,
            "part": URL_PART[kind],
            "name": name,
            "kind_label": store.KIND_LABELS[kind],
            "path": path,
            "text": text,
            "lines": text.split("\n"),
            "base": base,
            "is_new": is_new,
            "current": current,
            "history": list(history),
            "on_disk": store.disk_text(settings, kind, name) is not None,
            "usage": [] if is_new else publishing.usage(runtime(), kind, name),
            "error_lines": sorted({p.line for p in errors if p.path == path}),
            "errors": errors,
            "warnings": [],
            "messages": [],
            "impact": None,
            "checked": False,
            "message": "",
            "preview": None,
            "diagram": None,
            **extra,
        }
        # thousands of mistakes in one text: list the first ones, count the rest
        context["errors_shown"] = errors[:MAX_ERRORS]
        context["errors_more"] = (
            more_message(len(errors) - MAX_ERRORS) if len(errors) > MAX_ERRORS else ""
        )
        return self.render("verbund/admin/config_editor.html", **context), status

    @expose("/<part>/<config_id>", methods=["POST"])
    def save(self, part: str, config_id: str):
        kind, name = kind_of(part), config_id
        text = request.form.get("toml", "")
        message = request.form.get("message", "")
        base = _base_revision(request.form.get("base_revision"))
        is_new = base == NEW
        keep = {"base": base, "is_new": is_new, "message": message}
        try:
            publishing.check_name(kind, name)
            text = publishing.normalise_text(text)
        except (Invalid, NotFound) as exc:
            return self._editor(kind, name, text, status=422, messages=_messages(exc), **keep)
        if request.form.get("action") == "check":
            return self._check(kind, name, text, keep)
        try:
            result = publishing.publish(
                runtime(),
                current_user(),
                kind,
                name,
                text,
                message,
                confirm=request.form.get("confirm") == "1",
                base_revision=base,
            )
        except publishing.ConfigInvalid as exc:
            # the list of problems says it all; no second banner
            return self._editor(kind, name, text, status=422, errors=exc.problems, **keep)
        except publishing.NeedsConfirmation as exc:
            return self._editor(
                kind, name, text, status=409, impact=exc.impact, messages=[exc.message], **keep
            )
        except Conflict as exc:
            return self._editor(kind, name, text, status=409, messages=[exc.message], **keep)
        except Invalid as exc:
            return self._editor(kind, name, text, status=422, messages=_messages(exc), **keep)
        if result.unchanged:
            flash("Keine Änderung gegenüber der veröffentlichten Fassung.", "info")
        else:
            flash(
                f"{store.KIND_LABELS[kind]} „{name}“ ist veröffentlicht "
                f"(Revision {result.revision.id}) und gilt sofort überall.",
                "success",
            )
        return redirect(url_for(".edit", part=URL_PART[kind], config_id=name))

    def _check(self, kind: str, name: str, text: str, keep: dict):
        check = publishing.check_change(runtime(), kind, name, text)
        extra = {"errors": check.errors, "warnings": check.warnings, "checked": True}
        if check.ok:
            extra["impact"] = publishing.impact_of(kind, name, check)
            if kind == "form":
                form = check.after.forms.get(name)
                extra["preview"] = form_panel(form, defaults(form))
            else:
                extra["diagram"] = Markup(workflow_svg(check.after.workflows[name]))
        return self._editor(kind, name, text, status=200 if check.ok else 422, **keep, **extra)

    @expose("/forms/<config_id>/preview")
    def preview(self, config_id: str):
        form = definitions().forms.get(config_id)
        if form is None:
            abort(404)
        return self.render(
            "verbund/admin/config_preview.html", form=form, item=form_panel(form, defaults(form))
        )

    @expose("/workflows/<config_id>/diagram")
    def diagram(self, config_id: str):
        workflow = definitions().workflows.get(config_id)
        if workflow is None:
            abort(404)
        return self.render(
            "verbund/admin/config_diagram.html",
            workflow=workflow,
            svg=Markup(workflow_svg(workflow)),
            forms=definitions().forms,
        )

    @expose("/workflows/<config_id>/diagram.svg")
    def diagram_svg(self, config_id: str):
        workflow = definitions().workflows.get(config_id)
        if workflow is None:
            abort(404)
        return workflow_svg(workflow), 200, {"Content-Type": "image/svg+xml; charset=utf-8"}

    @expose("/<part>/<config_id>/delete", methods=["POST"])
    def delete(self, part: str, config_id: str):
        kind, name = kind_of(part), config_id
        try:
            publishing.delete(
                runtime(), current_user(), kind, name, request.form.get("message", "")
            )
        except NotFound:
            abort(404)
        except publishing.ConfigInvalid as exc:
            flash(exc.message + " " + "; ".join(exc.errors), "error")
        except (Conflict, Invalid) as exc:
            flash(exc.message, "error")
        else:
            flash(f"{store.KIND_LABELS[kind]} „{name}“ wurde gelöscht.", "success")
            return redirect(url_for(".index"))
        return redirect(url_for(".edit", part=part, config_id=name))
