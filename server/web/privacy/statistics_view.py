"""/statistik: counts without people for coordination, and a k-anonymous single-record export.

A workflow whose ``read_roles`` the person does not hold does not exist here either: every
statistics route answers 404 for it and the choice of workflows leaves it out.
"""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_admin import expose

from ...downloads import DownloadAudit, send_download
from ...services.errors import Invalid, NotFound
from ...services.privacy.compare import compare_counts
from ...services.privacy.microdata import microdata_file
from ...services.privacy.noise import from_settings, note
from ...services.privacy.periods import CountingDate
from ...services.privacy.record_values import StillFilling
from ...services.privacy.report_requests import readable_report
from ...services.privacy.statistics import count_tables, dimensions, table_csv
from ...services.records.access import may_see_workflow
from ..base import definitions, runtime
from ..session import current_user
from .period_form import period_context, read_period
from .view_base import PrivacyView


def _min_cell() -> int:
    return max(1, int(runtime().settings.section("privacy").get("min_cell", 5)))


def _noise():
    """The installation's noise on shown counts (``[privacy] noise``; None: off)."""
    return from_settings(runtime().settings)


def _csv(text: str, filename: str, audited: DownloadAudit):
    # a byte-order mark so that spreadsheet programs read the umlauts right
    return send_download("\ufeff" + text, filename, "text/csv", audited=audited)


def _counted_by(defs, workflow, report) -> str:
    """„dem Tag der Anlage“ or „dem Datum „Erstkontakt“ (aus dem Bericht „…“)“."""
    if report is None or report.date == "created":
        return "dem Tag der Anlage (Berliner Zeit)"
    form_id, _, name = report.date.partition(".")
    form = defs.forms.get(form_id)
    field = form.field(name) if form is not None else None
    label = field.label if field is not None else report.date
    return f"dem Datum „{label}“ wie im Bericht „{report.title}“"


class StatisticsView(PrivacyView):
    roles_key = "statistics_roles"

    def _visible(self) -> list:
        user = current_user()
        return [wf for wf in definitions().workflows.values() if may_see_workflow(user, wf)]

    def _workflow(self):
        visible = {wf.id: wf for wf in self._visible()}
        workflow_id = request.args.get("workflow") or next(iter(visible), None)
        workflow = visible.get(workflow_id or "")
        if workflow is None:
            abort(404)  # unknown, or outside the person's read_roles: the same answer
        return workflow

    def _report(self, workflow):
        """The report the page was opened from (``?bericht=<id>``), if it is about
        ``workflow``: its declared ``date`` is the counting date here too, so the numbers
        match the report's. Not one the person may open: 404, as on the report page."""
        report_id = request.args.get("bericht") or ""
        if not report_id:
            return None
        try:
            report = readable_report(definitions(), runtime().settings, current_user(), report_id)
        except NotFound:
            abort(404)
        # another workflow chosen on the page: the report's date field is not one of its
        return report if report.workflow == workflow.id else None

    def _table(self, workflow, period=None, report=None):
        return self._tables(workflow, [period] if period is not None else None, report)[0]

    def _tables(self, workflow, periods=None, report=None):
        """The table for each of ``periods`` (a period and the one before: one statement),
        counted by the date of the report the page was opened from, if any."""
        rows = request.args.get("rows") or "state"
        columns = request.args.get("columns") or None
        counting = CountingDate(report.date) if report is not None else None
        return count_tables(
            definitions(),
            workflow,
            rows,
            columns,
            _min_cell(),
            periods=periods,
            counting_date=counting,
            noise=_noise(),
        )

    @expose("/")
    def index(self):
        defs = definitions()
        if not self._visible() and not request.args.get("workflow"):
            return self.render("verbund/privacy/statistics.html", workflow=None)
        workflow = self._workflow()
        report = self._report(workflow)
        problem, table, comparison, building = None, None, None, False
        period, period_errors = read_period()
        context = period_context(period, period_errors)
        try:
            if period is not None and context["compare"]:
                table, before = self._tables(workflow, [period, period.previous()], report)
                comparison = compare_counts(
                    defs,
                    workflow,
                    table,
                    before,
                    _min_cell(),
                    request.args.get("rows") or "state",
                    request.args.get("columns") or None,
                )
            else:
                table = self._table(workflow, period, report)
        except Invalid as exc:
            problem = exc.message
        except StillFilling:  # no partial figures: a notice where the table would be
            table, comparison, building = None, None, True
        if period_errors:
            problem = "Der Zeitraum ist ungültig: bitte die markierten Angaben prüfen."
        return self.render(
            "verbund/privacy/statistics.html",
            workflow=workflow,
            workflows=self._visible(),
            dimensions=dimensions(defs, workflow),
            rows=request.args.get("rows") or "state",
            columns=request.args.get("columns") or "",
            table=table,
            problem=problem,
            min_cell=_min_cell(),
            comparison=comparison,
            building=building,
            period_query=period.query() if period else {},
            report=report,
            counted_by=_counted_by(defs, workflow, report),
            noise_note=note,
            **context,
        ), (422 if problem else 200)

    @expose("/tabelle.csv")
    def table_export(self):
        workflow = self._workflow()
        report = self._report(workflow)
        period, errors = read_period()
        if errors:
            abort(400)
        try:
            table = self._table(workflow, period, report)
        except Invalid:
            abort(400)
        except StillFilling:  # the page says why there is no table yet
            return redirect(url_for(".index", **request.args))
        detail = {"workflow": workflow.id, "kind": "table", "rows": request.args.get("rows")}
        if period is not None:
            detail["period"] = period.label
        if report is not None:
            detail["report"] = report.id
        return _csv(
            table_csv(table),
            f"statistik-{workflow.id}.csv",
            DownloadAudit("statistics.export", "statistics", detail=detail),
        )

    @expose("/einzeldaten.csv")
    def microdata_export(self):
        workflow = self._workflow()
        try:
            file, count, left_out = microdata_file(definitions(), workflow, _min_cell())
        except StillFilling:  # values still being filled: the page says so, no partial file
            return redirect(url_for(".index", workflow=workflow.id))
        detail = {
            "workflow": workflow.id,
            "kind": "microdata",
            "records": count,
            "left_out": left_out,
        }
        # a file, with its byte-order mark: at a million cases hundreds of megabytes
        return send_download(
            file,
            f"einzeldaten-{workflow.id}.csv",
            "text/csv",
            audited=DownloadAudit("statistics.export", "statistics", detail=detail),
        )
