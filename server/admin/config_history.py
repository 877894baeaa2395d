"""Publications: every revision with author, time and message, its diff, and rollback.

Rolling back publishes the chosen state again as a new revision (checked like any
publication, with the same impact confirmation), so the history only ever grows. The file on
disk counts as the state before the first revision and can be restored the same way.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose

from ..models import ConfigRevision
from ..services.configuration import publish as publishing
from ..services.configuration import store
from ..services.errors import Conflict, Invalid, NotFound
from ..web.base import runtime
from ..web.session import current_user
from .base import PAGE_SIZE, AdminView, page_number
from .config_support import URL_PART, diff_lines, kind_of


class RevisionsView(AdminView):
    """/admin/revisions"""

    @expose("/")
    def index(self):
        query = ConfigRevision.select(
            ConfigRevision.id,
            ConfigRevision.kind,
            ConfigRevision.name,
            ConfigRevision.action,
            ConfigRevision.message,
            ConfigRevision.author_name,
            ConfigRevision.created_at,
        )
        kind = request.args.get("kind") or ""
        name = (request.args.get("name") or "")[:64]
        if kind in URL_PART:
            query = query.where(ConfigRevision.kind == kind)
        else:
            kind = ""
        if name:
            query = query.where(ConfigRevision.name == name)
        total = query.count()
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(page_number(), pages)
        rows = query.order_by(ConfigRevision.id.desc()).paginate(page, PAGE_SIZE)
        return self.render(
            "verbund/admin/revisions.html",
            rows=list(rows),
            kind=kind,
            name=name,
            page=page,
            pages=pages,
            total=total,
            url_part=URL_PART,
        )

    def _revision(self, revision_id: int) -> ConfigRevision:
        revision = ConfigRevision.get_or_none(ConfigRevision.id == revision_id)
        if revision is None:
            abort(404)
        return revision

    @expose("/<int:revision_id>")
    def show(self, revision_id: int, status: int = 200, **extra):
        revision = self._revision(revision_id)
        settings = runtime().settings
        before = store.previous_text(settings, revision)
        path = store.display_path(settings, revision.kind, revision.name)
        newest = store.newest_revision(revision.kind, revision.name)
        after = None if revision.deleted else revision.text
        return self.render(
            "verbund/admin/revision.html",
            revision=revision,
            title=f"Revision {revision.id}",
            part=URL_PART[revision.kind],
            kind_label=store.KIND_LABELS[revision.kind],
            path=path,
            diff=diff_lines(before, after, f"{path} (vorher)", f"{path} (Revision {revision.id})"),
            text=after,
            live=newest is not None and newest.id == revision.id,
            target=revision.id,
            rollback_url=url_for(".rollback", revision_id=revision.id),
            **{"impact": None, "errors": [], "messages": [], **extra},
        ), status

    @expose("/<int:revision_id>/rollback", methods=["POST"])
    def rollback(self, revision_id: int):
        revision = self._revision(revision_id)
        return self._restore(revision.kind, revision.name, revision.id)

    @expose("/file/<part>/<config_id>")
    def file(self, part: str, config_id: str, status: int = 200, **extra):
        kind, name = kind_of(part), config_id
        settings = runtime().settings
        text = store.disk_text(settings, kind, name)
        if text is None:
            abort(404)
        current = store.current_text(settings, kind, name)
        path = store.display_path(settings, kind, name)
        live = current.text if current is not None else None
        return self.render(
            "verbund/admin/revision.html",
            revision=None,
            title=f"Ausgangsstand {path}",
            part=part,
            kind_label=store.KIND_LABELS[kind],
            path=path,
            diff=diff_lines(live, text, f"{path} (veröffentlicht)", f"{path} (Datei)"),
            text=text,
            live=current is not None and current.revision is None,
            target=0,
            config_id=name,
            rollback_url=url_for(".restore_file", part=part, config_id=name),
            **{"impact": None, "errors": [], "messages": [], **extra},
        ), status

    @expose("/file/<part>/<config_id>/restore", methods=["POST"])
    def restore_file(self, part: str, config_id: str):
        return self._restore(kind_of(part), config_id, 0)

    def _restore(self, kind: str, name: str, target: int):
        def again(status: int, **extra):
            if target:
                return self.show(target, status=status, **extra)
            return self.file(URL_PART[kind], name, status=status, **extra)

        try:
            result = publishing.rollback(
                runtime(),
                current_user(),
                kind,
                name,
                target,
                request.form.get("message", ""),
                confirm=request.form.get("confirm") == "1",
            )
        except publishing.ConfigInvalid as exc:
            return again(422, errors=exc.problems, messages=[exc.message])
        except publishing.NeedsConfirmation as exc:
            return again(409, impact=exc.impact, messages=[exc.message])
        except NotFound:
            abort(404)
        except (Conflict, Invalid) as exc:
            return again(409 if isinstance(exc, Conflict) else 422, messages=[exc.message])
        label = "den Ausgangsstand" if target == 0 else f"Revision {target}"
        if result.unchanged:
            flash(f"{label} ist bereits der veröffentlichte Stand.", "info")
        else:
            flash(
                f"Zurückgesetzt auf {label}: neue Revision {result.revision.id}, gilt sofort.",
                "success",
            )
        if result.revision is not None and result.revision.deleted:
            return redirect(url_for("admin_config.index"))
        return redirect(url_for("admin_config.edit", part=URL_PART[kind], config_id=name))
