"""/statistik/berichte: the declared reports (``[[reports]]``) for a period.

Like the statistics page: only for ``[privacy] statistics_roles`` (403 for others), a
report's ``roles`` narrow it further, and a report about a workflow the person may not read
(``read_roles``) or that does not exist answers 404, the same as an unknown report.

The report as a Word or Excel file (issue 17) is made by a job: the buttons post the period,
the status page says where it stands and offers the file when it is there.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose

from ...downloads import DownloadAudit, send_download
from ...services.errors import Conflict, Invalid, NotFound
from ...services.privacy.noise import note
from ...services.privacy.periods import default_period
from ...services.privacy.report import run_report
from ...services.privacy.report_requests import (
    FORMAT_LABELS,
    MEDIA_TYPES,
    readable_reports,
    recent_files,
    report_file,
    request_report_file,
    retry_report_file,
)
from ..base import definitions, runtime
from ..session import current_user
from .period_form import period_context, read_period
from .statistics_view import _min_cell, _noise
from .view_base import PrivacyView


def _reports() -> list:
    """The reports the person may open, in file order."""
    return readable_reports(definitions(), runtime().settings, current_user())


def _report(report_id: str):
    report = next((r for r in _reports() if r.id == report_id), None)
    if report is None:
        abort(404)
    return report


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
        report = _report(report_id)
        period, errors = read_period(default_period(report.period))
        context = period_context(period, errors)
        defs = definitions()
        figures = run_report(defs, report, period, _min_cell(), context["compare"], _noise())
        return self.render(
            "verbund/privacy/report.html",
            report=report,
            workflow=defs.workflows[report.workflow],
            figures=figures,
            min_cell=_min_cell(),
            files=recent_files(current_user(), report.id),
            format_labels=FORMAT_LABELS,
            noise_note=note,
            problem="Der Zeitraum ist ungültig: bitte die markierten Angaben prüfen."
            if errors
            else None,
            **context,
        ), (422 if errors else 200)

    @expose("/<report_id>/datei", methods=("POST",))
    def request_file(self, report_id: str):
        report = _report(report_id)
        period, errors = read_period(default_period(report.period))
        if errors:
            return redirect(url_for(".show", report_id=report.id, **request.args))
        compare = period_context(period, errors)["compare"]
        try:
            row = request_report_file(
                definitions(),
                runtime().settings,
                current_user(),
                report.id,
                period,
                compare,
                request.form.get("format", ""),
            )
        except Invalid:
            abort(400)
        return redirect(url_for(".file_status", report_id=report.id, file_id=row.id))

    @expose("/<report_id>/datei/<int:file_id>")
    def file_status(self, report_id: str, file_id: int):
        report = _report(report_id)
        row = self._file(report.id, file_id)
        return self.render(
            "verbund/privacy/report_file.html",
            report=report,
            row=row,
            format_label=FORMAT_LABELS.get(row.format, row.format),
        )

    @expose("/<report_id>/datei/<int:file_id>/erneut", methods=("POST",))
    def retry_file(self, report_id: str, file_id: int):
        """The button of a failed file: queue the same request again, back to its status."""
        report = _report(report_id)
        try:
            retry_report_file(definitions(), runtime().settings, current_user(), report.id, file_id)
        except NotFound:
            abort(404)
        except Conflict as exc:
            flash(exc.message, "error")  # pressed twice, or done meanwhile: say so, no error page
        else:
            flash("Die Datei wird erneut erstellt.", "info")
        return redirect(url_for(".file_status", report_id=report.id, file_id=file_id))

    @expose("/<report_id>/datei/<int:file_id>/herunterladen")
    def download(self, report_id: str, file_id: int):
        report = _report(report_id)
        row = self._file(report.id, file_id)
        if row.status != "finished" or row.content is None:
            abort(404)
        return send_download(
            bytes(row.content),
            row.filename,
            MEDIA_TYPES[row.format],
            audited=DownloadAudit("report.download", "report_document", row.id),
        )

    def _file(self, report_id: str, file_id: int):
        try:
            return report_file(
                definitions(), runtime().settings, current_user(), report_id, file_id
            )
        except NotFound:
            abort(404)
