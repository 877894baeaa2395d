"""The sweep: requests the database holds as pending but no live job will ever produce.

The database row is the truth about a request; Redis only carries its id. A request is left
pending when Redis was down as it was made, when Redis lost its data, or when a worker (or the
whole machine) died during the job. The sweep finds those and enqueues them again: every
worker runs it when it starts and then every ``[queue] sweep_interval`` seconds (default 60),
and a lock in Redis lets one worker of the whole installation sweep per interval.

A job counts as live while RQ has it queued, scheduled (waiting for a retry) or deferred, or
started less than ``job_timeout + stale_after`` seconds ago (a job cannot run longer than
its timeout, so an older "started" job belonged to a worker that died).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import redis
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from ..models import DocumentRequest, ReportDocument, database, utcnow
from ..queue.connection import RedisUnavailable
from ..queue.documents import (
    document_job_id,
    document_queue,
    enqueue_document,
    enqueue_report,
    job_timeout,
    report_job_id,
)
from ..runtime import Runtime
from .dimension_fill import requeue_dimension_fills

log = logging.getLogger(__name__)

LIVE = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
NEW_REQUEST_SECONDS = 10  # a request this young may still be on its way to the queue


def sweep_interval(runtime: Runtime) -> int:
    return max(1, int(runtime.settings.section("queue").get("sweep_interval", 60)))


def stale_after(runtime: Runtime) -> dt.timedelta:
    grace = int(runtime.settings.section("queue").get("stale_after", 30))
    return dt.timedelta(seconds=job_timeout(runtime.settings) + grace)


def requeue_pending(runtime: Runtime, older_than_seconds: int = 0) -> int:
    """Enqueue again every pending request without a live job; returns how many."""
    now = utcnow()
    young = now - dt.timedelta(seconds=older_than_seconds)
    with database.connection_context():
        pending = list(
            DocumentRequest.select(
                DocumentRequest.id,
                DocumentRequest.status,
                DocumentRequest.requested_at,
                DocumentRequest.started_at,
            ).where(
                DocumentRequest.status.in_(["queued", "started"])
                & (DocumentRequest.requested_at <= young)
            )
        )
        reports = list(
            ReportDocument.select(
                ReportDocument.id, ReportDocument.requested_at, ReportDocument.started_at
            ).where(
                ReportDocument.status.in_(["queued", "started"])
                & (ReportDocument.requested_at <= young)
            )
        )
    if not pending and not reports:
        return 0
    try:
        queue = document_queue(runtime.settings)
    except (redis.RedisError, RedisUnavailable, OSError) as exc:
        log.warning("sweep skipped, Redis unreachable: %s", exc)
        return 0
    limit = stale_after(runtime)
    count = _requeue(runtime, queue, pending, document_job_id, enqueue_document, now, limit)
    if count:
        log.info("sweep: %d pending document requests enqueued again", count)
    # if Redis went away during the documents, the reports find it gone too and stop at once
    reports_count = _requeue(runtime, queue, reports, report_job_id, enqueue_report, now, limit)
    if reports_count:
        log.info("sweep: %d pending report files enqueued again", reports_count)
    return count + reports_count


def _requeue(
    runtime: Runtime,
    queue,
    rows: list,
    job_id: Callable[[int], str],
    enqueue: Callable[..., str | None],
    now: dt.datetime,
    limit: dt.timedelta,
) -> int:
    """Enqueue again each pending row (a document request or a report file) whose job
    Redis no longer holds as live; stops at the first Redis error. Returns how many."""
    count = 0
    for row in rows:
        try:
            job = Job.fetch(job_id(row.id), connection=queue.connection, serializer=JSONSerializer)
            status = job.get_status(refresh=False)
            if status in LIVE:
                continue
            started = row.started_at or row.requested_at
            if status == JobStatus.STARTED and now - started < limit:
                continue
        except NoSuchJobError:
            pass  # Redis lost it (or never had it): enqueue again
        except (redis.RedisError, OSError) as exc:
            log.warning("sweep stopped, Redis unreachable: %s", exc)
            break
        if enqueue(runtime.settings, row.id, replace=True):
            count += 1
    return count


def sweep_if_due(runtime: Runtime, connection: redis.Redis, owner: str) -> int | None:
    """Run :func:`requeue_pending` unless another worker swept within the interval."""
    interval = sweep_interval(runtime)
    key = f"verbund:sweep:{runtime.settings.section('queue').get('queue_name', 'verbund')}"
    try:
        if not connection.set(key, owner, nx=True, ex=interval):
            return None
        # the statistics' dimensions still to fill (publishing with Redis down, a lost job)
        requeue_dimension_fills(runtime)
        return requeue_pending(runtime, older_than_seconds=NEW_REQUEST_SECONDS)
    except Exception:  # noqa: BLE001 - the sweep must never take the worker down
        log.exception("document sweep failed")
        return None
