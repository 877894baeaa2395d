"""/statistik: counts without people for coordination, and a k-anonymous single-record export.

A workflow whose ``read_roles`` the person does not hold does not exist here either: every
statistics route answers 404 for it and the choice of workflows leaves it out.
"""

from __future__ import annotations

from flask import abort, request
from flask_admin import expose

from ...downloads import DownloadAudit, send_download
from ...services.errors import Invalid
from ...services.privacy.compare import compare_counts
from ...services.privacy.statistics import count_table, dimensions, microdata_csv, table_csv
from ...services.records.access import may_see_workflow
from ..base import definitions, runtime
from ..session import current_user
from .period_form import period_context, read_period
from .view_base import PrivacyView


def _min_cell() -> int:
    return max(1, int(runtime().settings.section("privacy").get("min_cell", 5)))


def _csv(text: str, filename: str, audited: DownloadAudit):
    # a byte-order mark so that spreadsheet programs read the umlauts right
    return send_download("\ufeff" + text, filename, "text/csv", audited=audited)


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

    def _table(self, workflow, period=None):
        rows = request.args.get("rows") or "state"
        columns = request.args.get("columns") or None
        return count_table(definitions(), workflow, rows, columns, _min_cell(), period=period)

    @expose("/")
    def index(self):
        defs = definitions()
        if not self._visible() and not request.args.get("workflow"):
            return self.render("verbund/privacy/statistics.html", workflow=None)
        workflow = self._workflow()
        problem, table, comparison = None, None, None
        period, period_errors = read_period()
        context = period_context(period, period_errors)
        try:
            table = self._table(workflow, period)
            if period is not None and context["compare"]:
                before = self._table(workflow, period.previous())
                comparison = compare_counts(
                    defs,
                    workflow,
                    table,
                    before,
                    _min_cell(),
                    request.args.get("rows") or "state",
                    request.args.get("columns") or None,
                )
        except Invalid as exc:
            problem = exc.message
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
            period_query=period.query() if period else {},
            **context,
        ), (422 if problem else 200)

    @expose("/tabelle.csv")
    def table_export(self):
        workflow = self._workflow()
        period, errors = read_period()
        if errors:
            abort(400)
        try:
            table = self._table(workflow, period)
        except Invalid:
            abort(400)
        detail = {"workflow": workflow.id, "kind": "table", "rows": request.args.get("rows")}
        if period is not None:
            detail["period"] = period.label
        return _csv(
            table_csv(table),
            f"statistik-{workflow.id}.csv",
            DownloadAudit("statistics.export", "statistics", detail=detail),
        )

    @expose("/einzeldaten.csv")
    def microdata_export(self):
        workflow = self._workflow()
        text, count, left_out = microdata_csv(definitions(), workflow, _min_cell())
        detail = {
            "workflow": workflow.id,
            "kind": "microdata",
            "records": count,
            "left_out": left_out,
        }
        return _csv(
            text,
            f"einzeldaten-{workflow.id}.csv",
            DownloadAudit("statistics.export", "statistics", detail=detail),
        )
