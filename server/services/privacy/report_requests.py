"""Requesting the Lenkungskreis report as a file, and reading its status and bytes.

Who may: whoever may open the report page (``[privacy] statistics_roles``, the report's
``roles``, read access to its workflow) – checked when asking and again when reading, so a
person who lost the role loses the file too. A file is the requester's: others get 404 (the
file holds no personal data, but what someone asked for when is theirs).
"""

from __future__ import annotations

import datetime as dt

from ...config import Settings
from ...german import file_stamp
from ...models import REPORT_FORMATS, ReportDocument, User, transaction, utcnow
from ...queue.documents import enqueue_report
from ...report_settings import Report, read_reports
from ...schema.definitions import Definitions
from ..audit import audit
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..records.access import may_see_workflow, user_roles
from .periods import Period

# [documents] report_file_days when the key is missing (config.py holds the same default)
DEFAULT_KEEP_DAYS = 30
FORMAT_LABELS = {"docx": "Word-Dokument", "xlsx": "Excel-Tabelle"}
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def min_cell(settings: Settings) -> int:
    """``[privacy] min_cell`` (at least 1), as the statistics and report pages use it."""
    return max(1, int(settings.section("privacy").get("min_cell", 5)))


def may_use_statistics(settings: Settings, user: User | None) -> bool:
    allowed = set(settings.section("privacy").get("statistics_roles") or [])
    return bool(user is not None and user_roles(user) & allowed)


def readable_reports(defs: Definitions, settings: Settings, user: User | None) -> list[Report]:
    """The declared reports ``user`` may open, in file order."""
    roles = user_roles(user) if user is not None else set()
    out = []
    for report in read_reports(settings.raw.get("reports") or []):
        workflow = defs.workflows.get(report.workflow)
        if workflow is None or user is None or not may_see_workflow(user, workflow):
            continue
        if report.roles and not roles & set(report.roles):
            continue
        out.append(report)
    return out


def readable_report(defs: Definitions, settings: Settings, user: User, report_id: str) -> Report:
    """The report ``report_id`` if ``user`` may open it; Forbidden without statistics
    roles, NotFound for an unknown one or one they may not open."""
    if not may_use_statistics(settings, user):
        raise Forbidden("Die Berichte sind der Statistik vorbehalten.")
    found = next((r for r in readable_reports(defs, settings, user) if r.id == report_id), None)
    if found is None:
        raise NotFound("Diesen Bericht gibt es nicht.")
    return found


def request_report_file(
    defs: Definitions,
    settings: Settings,
    user: User,
    report_id: str,
    period: Period | None,
    compare: bool,
    fmt: str,
) -> ReportDocument:
    """Queue the report as ``fmt`` (docx | xlsx) for ``period``; the job gets only the id."""
    report = readable_report(defs, settings, user, report_id)
    if fmt not in REPORT_FORMATS:
        raise Invalid(
            "Dieses Dateiformat gibt es für Berichte nicht.",
            {"format": ["Bitte „docx“ (Word) oder „xlsx“ (Excel) wählen."]},
        )
    stamp = file_stamp(utcnow())
    with transaction():
        row = ReportDocument.create(
            report=report.id,
            title=report.title[:200],
            format=fmt,
            period_start=period.start if period else None,
            period_end=period.end if period else None,
            period_kind=period.kind if period else "",
            compare=bool(compare and period is not None),
            requested_by=user,
            filename=f"{report.id}-{stamp}.{fmt}",
        )
        audit(
            "report.request",
            user,
            object_type="report_document",
            object_id=row.id,
            detail={"report": report.id, "format": fmt},
        )
    enqueue_report(settings, row.id)
    return row


def report_file(
    defs: Definitions, settings: Settings, user: User, report_id: str, file_id: int
) -> ReportDocument:
    """The requester's file ``file_id`` of report ``report_id`` (status, and bytes when
    finished); NotFound otherwise."""
    readable_report(defs, settings, user, report_id)
    row = (
        ReportDocument.select()
        .where(
            (ReportDocument.id == file_id)
            & (ReportDocument.report == report_id)
            & (ReportDocument.requested_by == user.id)
        )
        .first()
    )
    if row is None:
        raise NotFound("Diese Datei gibt es nicht.")
    return row


def retry_report_file(
    defs: Definitions, settings: Settings, user: User, report_id: str, file_id: int
) -> ReportDocument:
    """Make a failed file of the requester's again (same report, period and format), with
    today's declaration and the person's current rights; Conflict unless it failed.

    The same row goes back to the queue (the failed job in Redis is replaced), so the status
    page the person has open keeps working and the list of files does not grow."""
    row = report_file(defs, settings, user, report_id, file_id)
    with transaction():
        changed = (
            ReportDocument.update(
                status="queued", error="", started_at=None, finished_at=None, attempts=0
            )
            .where((ReportDocument.id == row.id) & (ReportDocument.status == "failed"))
            .execute()
        )
        if not changed:
            raise Conflict("Nur eine fehlgeschlagene Datei kann erneut erstellt werden.")
        audit(
            "report.retry",
            user,
            object_type="report_document",
            object_id=row.id,
            detail={"report": row.report, "format": row.format},
        )
    enqueue_report(settings, row.id, replace=True)
    return ReportDocument.get_by_id(row.id)


def recent_files(user: User, report_id: str, limit: int = 5) -> list[ReportDocument]:
    """The requester's latest files of a report (without their bytes), newest first."""
    return list(
        ReportDocument.select(
            *[f for f in ReportDocument._meta.sorted_fields if f.name != "content"]
        )
        .where((ReportDocument.report == report_id) & (ReportDocument.requested_by == user.id))
        .order_by(ReportDocument.id.desc())
        .limit(limit)
    )


def report_file_days(settings: Settings) -> int:
    """``[documents] report_file_days``: how long a made file stays (0: for ever)."""
    return int(settings.section("documents").get("report_file_days", DEFAULT_KEEP_DAYS))


def remove_old_report_files(days: int, now: dt.datetime | None = None) -> int:
    """Delete finished and failed report files requested more than ``days`` days before
    ``now`` (naive UTC); returns how many went. ``days`` 0 keeps everything.

    Files still waiting or being made stay: the sweep or the worker is about to finish them,
    and a file nobody fetched is gone after ``days`` anyway. The figures can be made again
    at any time from the records, so nothing is lost but the bytes."""
    if days <= 0:
        return 0
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    old = (ReportDocument.requested_at < cutoff) & ReportDocument.status.in_(("finished", "failed"))
    with transaction():
        removed = ReportDocument.delete().where(old).execute()
        if removed:
            audit(
                "report.remove_old",
                None,
                object_type="report_document",
                detail={"count": removed, "days": days},
            )
    return removed
