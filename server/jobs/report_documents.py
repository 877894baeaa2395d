"""The report job: make one requested Lenkungskreis report file (Word or Excel).

Ids only: Redis carries the row's id; period, format and requester are read from the row.
The figures are worked out as the requester may see them (the register by their access),
when the job runs. Idempotent like the document job: a conditional update starts it, a
finished file is left alone. Failures keep a German reason and no record data.
"""

from __future__ import annotations

import datetime as dt
import logging

from ..documents.render import TemplateFailed
from ..models import ReportDocument, User, database, utcnow
from ..runtime import current_runtime
from ..services.errors import ServiceError
from ..services.privacy.noise import from_settings as noise_of
from ..services.privacy.periods import Period
from ..services.privacy.record_values import StillFilling
from ..services.privacy.report_content import report_content
from ..services.privacy.report_cover import cover
from ..services.privacy.report_files import to_docx, to_xlsx
from ..services.privacy.report_requests import (
    min_cell,
    readable_report,
    remove_old_report_files,
    report_file_days,
)
from .documents import _retries_left, _scrubbed

log = logging.getLogger(__name__)


def _unfinished(file_id: int):
    return (ReportDocument.id == file_id) & (ReportDocument.status != "finished")


def _period(row: ReportDocument) -> Period | None:
    if row.period_start is None or row.period_end is None:
        return None
    start, end = row.period_start, row.period_end
    # SQLite hands back text for a DateField read through a plain select
    if isinstance(start, str):
        start, end = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return Period(start, end, row.period_kind or "frei")


def render_report_job(file_id: int) -> str:
    """Make report file ``file_id``; returns its final status."""
    runtime = current_runtime()
    file_id = int(file_id)
    with database.connection_context():
        started = (
            ReportDocument.update(
                status="started", started_at=utcnow(), attempts=ReportDocument.attempts + 1
            )
            .where(_unfinished(file_id))
            .execute()
        )
        if not started:
            return "finished" if ReportDocument.get_or_none(id=file_id) else "gone"
        row = ReportDocument.get_by_id(file_id)
        try:
            user = User.get_by_id(row.requested_by_id)
            defs, settings = runtime.definitions, runtime.settings
            # still allowed? roles may have changed since the button was pressed
            report = readable_report(defs, settings, user, row.report)
            content = report_content(
                defs,
                settings,
                report,
                _period(row),
                min_cell(settings),
                user,
                row.compare,
                noise_of(settings),  # the same figures as the page shows
            )
            if row.format == "docx":
                letterhead = cover(settings, report, content.period_label, content.workflow_title)
                data = to_docx(content, letterhead)
            else:
                data = to_xlsx(content)
        except StillFilling:
            # the figures are being built in the background: the file waits (queued, the
            # sweep enqueues it again each interval) rather than being made from part of them
            _fail(file_id, StillFilling.MESSAGE, "queued")
            return "waiting"
        except ServiceError as exc:
            _fail(file_id, f"Der Bericht ist nicht mehr zugänglich ({exc}).")
            return "failed"
        except TemplateFailed as exc:
            # the letterhead template is missing or broken: the same every time, no retry
            _fail(file_id, f"Die Berichtsvorlage ist nicht verwendbar: {exc}")
            return "failed"
        except Exception as exc:
            if _retries_left() > 0:
                _fail(file_id, f"Vorübergehender Fehler ({type(exc).__name__}).", "queued")
            else:
                _fail(file_id, f"Unerwarteter Fehler beim Erstellen ({type(exc).__name__}).")
            log.error("report file %s: %s", file_id, _scrubbed(exc))
            raise _scrubbed(exc) from None
        ReportDocument.update(
            status="finished", finished_at=utcnow(), content=data, size=len(data), error=""
        ).where(_unfinished(file_id)).execute()
    return "finished"


def _fail(file_id: int, error: str, status: str = "failed") -> None:
    ReportDocument.update(status=status, finished_at=utcnow(), error=error).where(
        _unfinished(file_id)
    ).execute()


def remove_old_report_files_job() -> int:
    """Periodic: report files older than ``[documents] report_file_days`` go; how many."""
    runtime = current_runtime()
    with database.connection_context():
        return remove_old_report_files(report_file_days(runtime.settings))
