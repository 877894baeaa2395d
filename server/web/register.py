"""The decision register screen: filters, status of measures, exports (.xlsx, .csv, .docx).

Everything goes through :mod:`server.services.register.decisions`, which applies the meetings'
access rule: somebody who may not read the meetings gets a 404 on every path, menu entry hidden.
"""

from __future__ import annotations

from math import ceil
from urllib.parse import parse_qsl, urlencode

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose

from .. import clock
from ..documents.render import TemplateFailed
from ..downloads import DOCX, DownloadAudit, send_download
from ..german import file_stamp
from ..services.errors import NotFound, ServiceError
from ..services.paging import page_number
from ..services.register import decisions as service
from ..services.register.export import to_csv, to_docx, to_xlsx
from ..services.register.indicator_chart import indicator_svg
from .base import StaffView, definitions, runtime
from .session import current_user

FILTER_KEYS = ("gremium", "stand", "art", "verantwortlich", "suche", "von", "bis", "eskalation")
PER_PAGE = 50  # register entries on one screen page (the exports hold every entry)
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "docx": DOCX,
}


class RegisterView(StaffView):
    """/register/: every decision and measure across the meetings the user may read."""

    def is_visible(self) -> bool:
        return service.may_see_register(definitions(), runtime().settings, current_user())

    def _entries(self, filters):
        try:
            return service.register_entries(
                definitions(), runtime().settings, current_user(), filters
            )
        except NotFound:
            abort(404)

    @staticmethod
    def _query() -> dict[str, str]:
        return {k: request.args[k] for k in FILTER_KEYS if request.args.get(k)}

    @expose("/")
    def index(self):
        filters = service.RegisterFilters.from_args(request.args)
        entries = self._entries(filters)
        settings = runtime().settings
        query = urlencode(self._query())
        # one page is rendered: the whole register of a large installation is megabytes
        pages = max(1, ceil(len(entries) / PER_PAGE))
        page = min(page_number(request.args.get("seite", 1)), pages)
        shown = entries[(page - 1) * PER_PAGE : page * PER_PAGE]
        return self.render(
            "verbund/register.html",
            title=service.register_config(settings).title,
            entries=shown,
            filter_args=self._query(),
            total=len(entries),
            page=page,
            pages=pages,
            back=urlencode({**self._query(), **({"seite": page} if page > 1 else {})}),
            filters=filters,
            args=request.args,
            query=query,
            groups=service.group_choices(definitions(), settings),
            statuses=service.STATUSES,
            kinds=service.KINDS,
            may_update=service.may_update_status(settings, current_user()),
            workflow_id=service.register_config(settings).workflow,
            chart=_chart,
            today=clock.today(),
        )

    @expose("/export.<fmt>")
    def export(self, fmt: str):
        if fmt not in FORMATS:
            abort(404)
        filters = service.RegisterFilters.from_args(request.args)
        entries = self._entries(filters)
        config = service.register_config(runtime().settings)
        described = filters.describe()
        if fmt == "csv":
            content = to_csv(entries)
        elif fmt == "xlsx":
            content = to_xlsx(entries, config.title, described)
        else:
            try:
                content = to_docx(
                    runtime().settings, config.template, entries, config.title, described
                )
            except TemplateFailed as exc:  # a broken register template: say so, no 500
                flash(f"Die Word-Ausgabe ist fehlgeschlagen: {exc}", "error")
                query = urlencode(self._query())
                return redirect(url_for(".index") + (f"?{query}" if query else ""))
        return send_download(
            content,
            f"beschlussregister-{file_stamp(clock.now(), minutes=False)}.{fmt}",
            FORMATS[fmt],
            audited=DownloadAudit(
                "register.export",
                "register",
                detail={"format": fmt, "entries": len(entries), "filters": described[:200]},
            ),
        )

    @expose("/status", methods=["POST"])
    def status(self):
        try:
            service.update_status(
                definitions(),
                runtime().settings,
                current_user(),
                request.form.get("record"),
                request.form.get("row"),
                request.form.get("status"),
                request.form.get("note", ""),
            )
        except NotFound:
            abort(404)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash("Der Stand wurde gespeichert.", "success")
        return self._back()

    @expose("/wert", methods=["POST"])
    def value(self):
        """A dated actual value of a measure's indicator (approved minutes only)."""
        try:
            service.record_value(
                definitions(),
                runtime().settings,
                current_user(),
                request.form.get("record"),
                request.form.get("row"),
                request.form.get("datum"),
                request.form.get("wert"),
            )
        except NotFound:
            abort(404)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash("Der Istwert wurde gespeichert.", "success")
        return self._back()

    @staticmethod
    def _back():
        # back to the same filters; only known filter keys survive the round trip
        kept = [
            (k, v)
            for k, v in parse_qsl(request.form.get("back", ""))
            if k in FILTER_KEYS or k == "seite"
        ]
        query = urlencode(kept)
        return redirect(url_for(".index") + (f"?{query}" if query else ""))


def _chart(entry: dict) -> str:
    """The SVG of an entry's indicator (only for the entries shown on the page)."""
    title = f"Indikator zu TOP {entry['item']}: {entry['indicator'] or entry['measure'][:60]}"
    return indicator_svg(entry["_indicator"], f"ind-{entry['record_id']}-{entry['row']}", title)
