"""/statistik/berichte: the declared reports (``[[reports]]``) for a period.

Like the statistics page: only for ``[privacy] statistics_roles`` (403 for others), a
report's ``roles`` narrow it further, and a report about a workflow the person may not read
(``read_roles``) or that does not exist answers 404, the same as an unknown report.
"""

from __future__ import annotations

from flask import abort
from flask_admin import expose

from ...report_settings import read_reports
from ...services.privacy.periods import default_period
from ...services.privacy.report import run_report
from ...services.records.access import may_see_workflow
from ..base import definitions, runtime
from ..session import current_user
from .period_form import period_context, read_period
from .statistics_view import _min_cell
from .view_base import PrivacyView


def _reports() -> list:
    """The reports the person may open, in file order."""
    user = current_user()
    defs = definitions()
    roles = set(user.roles or []) if user else set()
    out = []
    for report in read_reports(runtime().settings.raw.get("reports") or []):
        workflow = defs.workflows.get(report.workflow)
        if workflow is None or not may_see_workflow(user, workflow):
            continue
        if report.roles and not roles & set(report.roles):
            continue
        out.append(report)
    return out


class ReportView(PrivacyView):
    roles_key = "statistics_roles"

    def is_visible(self) -> bool:
        # no menu entry of its own (the coordination's menu must fit one row): the
        # statistics page links to the reports
        return False

    @expose("/")
    def index(self):
        return self.render("verbund/privacy/reports.html", reports=_reports())

    @expose("/<report_id>")
    def show(self, report_id: str):
        report = next((r for r in _reports() if r.id == report_id), None)
        if report is None:
            abort(404)
        period, errors = read_period(default_period(report.period))
        context = period_context(period, errors)
        defs = definitions()
        figures = run_report(defs, report, period, _min_cell(), context["compare"])
        return self.render(
            "verbund/privacy/report.html",
            report=report,
            workflow=defs.workflows[report.workflow],
            figures=figures,
            min_cell=_min_cell(),
            problem="Der Zeitraum ist ungültig: bitte die markierten Angaben prüfen."
            if errors
            else None,
            **context,
        ), (422 if errors else 200)
