"""The data-protection screens: audit log, subject access, retention and legal holds.

Each screen is for the roles named in ``[privacy]`` of config.toml; the menu „Datenschutz“
shows each person only what they may use.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import Admin, expose

from ... import clock
from ...downloads import DownloadAudit, send_download
from ...forms.links import MAX_ID
from ...german import file_stamp
from ...models import Record, RecordPrivacy
from ...services.errors import ServiceError
from ...services.paging import COUNT_LIMIT, count_upto
from ...services.privacy import subject_access
from ...services.privacy.audit_search import PAGE, build_query, entries_csv, local
from ...services.privacy.pseudonyms import pseudonym_key
from ...services.privacy.retention import anonymise_on_request, due_records, set_hold
from ..base import definitions, runtime
from ..session import current_user
from .consent_view import ConsentView
from .report_view import ReportView
from .role_grants_view import RoleGrantsView
from .statistics_view import StatisticsView
from .view_base import PrivacyView

CATEGORY = "Datenschutz"


def _page() -> int:
    raw = request.args.get("page", "1")
    return max(1, min(int(raw), 10**6)) if raw.isdigit() else 1


class AuditLogSearch(PrivacyView):
    """/datenschutz/protokoll: search the audit log; CSV of the result (itself audited)."""

    roles_key = "audit_roles"

    @expose("/")
    def index(self):
        found = build_query(request.args)
        # counted up to a cap: the log grows by every page anyone opens (millions a year);
        # past the cap the screen says "mehr als" and asks for a narrower filter
        total, capped = count_upto(found.query, COUNT_LIMIT) if not found.problems else (0, False)
        pages = max(1, -(-total // PAGE))
        page = min(_page(), pages)
        rows = list(found.query.paginate(page, PAGE)) if not found.problems else []
        return self.render(
            "verbund/privacy/audit_log.html",
            rows=rows,
            filters=found.values,
            problems=found.problems,
            total=total,
            capped=capped,
            page=page,
            pages=pages,
            local=local,
        ), (422 if found.problems else 200)

    @expose("/export.csv")
    def export(self):
        found = build_query(request.args)
        if found.problems:
            flash(" ".join(found.problems), "error")
            return redirect(url_for(".index", **found.values))
        text, count = entries_csv(found.query)
        return send_download(
            text,
            "protokoll.csv",
            "text/csv",
            audited=DownloadAudit("audit.export", "audit", detail={**found.values, "rows": count}),
        )


class SubjectAccessView(PrivacyView):
    """/datenschutz/auskunft: find a person's records, export them as a ZIP (Art. 15)."""

    roles_key = "subject_access_roles"

    @expose("/")
    def index(self):
        terms = [request.args.get("q", ""), request.args.get("q2", "")]
        terms = [t.strip()[:200] for t in terms if t and t.strip()]
        matches = []
        short = any(len(t) < subject_access.MIN_TERM for t in terms)
        if terms and not short:
            matches = subject_access.find_person(definitions(), terms)
            subject_access.audit_search(
                current_user(), terms, len(matches), pseudonym_key(runtime().settings)
            )
        elif short:
            flash(f"Bitte mindestens {subject_access.MIN_TERM} Zeichen je Suchbegriff.", "error")
        return self.render(
            "verbund/privacy/subject_access.html",
            q=request.args.get("q", ""),
            q2=request.args.get("q2", ""),
            searched=bool(terms) and not short,
            matches=matches,
            workflows=definitions().workflows,
        )

    @expose("/export", methods=["POST"])
    def export(self):
        ids = sorted(
            {int(v) for v in request.form.getlist("record") if v.isdigit() and int(v) < MAX_ID}
        )[:500]
        if not ids:
            flash("Bitte mindestens einen Datensatz auswählen.", "error")
            return redirect(url_for(".index"))
        body = subject_access.build_export(definitions(), current_user(), ids)
        stamp = file_stamp(clock.now())
        # audited by build_export, which reads the records
        return send_download(body, f"auskunft-{stamp}.zip", "application/zip")


class RetentionView(PrivacyView):
    """/datenschutz/aufbewahrung: rules, what is due soon, legal holds, anonymise on request."""

    roles_key = "hold_roles"

    @expose("/")
    def index(self):
        defs = definitions()
        soon = due_records(defs, ahead_days=31)
        held = list(
            RecordPrivacy.select(RecordPrivacy, Record)
            .join(Record)
            .where(RecordPrivacy.hold == True)  # noqa: E712 - peewee expression
            .order_by(RecordPrivacy.hold_at.desc())
        )
        anonymised = (
            RecordPrivacy.select().where(RecordPrivacy.anonymised_at.is_null(False)).count()
        )
        without_rules = [
            wf
            for wf in defs.workflows.values()
            if not wf.retention and _has_personal_fields(defs, wf)
        ]
        return self.render(
            "verbund/privacy/retention.html",
            workflows=list(defs.workflows.values()),
            soon=soon,
            held=held,
            anonymised=anonymised,
            without_rules=without_rules,
            today=clock.today(),
        )

    @expose("/sperre", methods=["POST"])
    def hold(self):
        hold = request.form.get("hold") != "0"
        record_id = request.form.get("record", "")
        try:
            set_hold(definitions(), current_user(), record_id, request.form.get("reason", ""), hold)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            done = "gesetzt" if hold else "aufgehoben"
            flash(f"Die Sperre für Datensatz {record_id} wurde {done}.", "success")
        return redirect(url_for(".index"))

    @expose("/anonymisieren", methods=["POST"])
    def anonymise(self):
        record_id = request.form.get("record", "").strip()
        if not record_id or request.form.get("confirm", "").strip() != record_id:
            flash("Bitte zur Bestätigung die Nummer des Datensatzes zweimal eingeben.", "error")
            return redirect(url_for(".index"))
        try:
            anonymise_on_request(definitions(), current_user(), record_id)
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash(f"Datensatz {record_id} wurde anonymisiert.", "success")
        return redirect(url_for(".index"))


def _has_personal_fields(defs, workflow) -> bool:
    for form_id in workflow.form_ids:
        form = defs.forms.get(form_id)
        for f in form.fields if form else ():
            if f.personal or any(c.personal for c in f.columns):
                return True
    return False


def register_views(admin: Admin) -> None:
    """Add the data-protection screens (and the statistics and consent views) to ``admin``."""
    admin.add_view(
        AuditLogSearch(
            name="Protokoll",
            url="/datenschutz/protokoll",
            endpoint="privacy_audit",
            category=CATEGORY,
        )
    )
    admin.add_view(
        SubjectAccessView(
            name="Auskunft (Art. 15)",
            url="/datenschutz/auskunft",
            endpoint="privacy_access",
            category=CATEGORY,
        )
    )
    admin.add_view(
        RetentionView(
            name="Aufbewahrung und Sperren",
            url="/datenschutz/aufbewahrung",
            endpoint="privacy_retention",
            category=CATEGORY,
        )
    )
    admin.add_view(
        RoleGrantsView(
            name="Rollenfreigaben",
            url="/datenschutz/rollen",
            endpoint="privacy_roles",
            category=CATEGORY,
        )
    )
    admin.add_view(StatisticsView(name="Statistik", url="/statistik", endpoint="statistics"))
    admin.add_view(ReportView(name="Berichte", url="/statistik/berichte", endpoint="reports"))
    admin.add_view(ConsentView(name="Einwilligungen", url="/einwilligungen", endpoint="consents"))
