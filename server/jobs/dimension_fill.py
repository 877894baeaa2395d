"""The background fill of statistics dimensions (issue 21): the job, and its sweep.

The job fills one workflow's not yet filled dimensions batch by batch
(:mod:`server.services.privacy.dimension_fill`) for at most ``[queue]
dimension_fill_seconds`` (default 60, at most 80 % of the job timeout), then enqueues its
continuation under the workflow's other job id and ends, so that documents asked for in the
meantime are made between two parts of a long fill. Progress is in the database
(``record_dimension.fill_after``): a job lost with Redis, or killed with its worker, is
started again by :func:`requeue_dimension_fills` (at the worker's start and in its sweep)
and goes on where the last committed batch ended.
"""

from __future__ import annotations

import datetime as dt
import logging

import redis
from rq import get_current_job
from rq.job import JobStatus

from .. import clock
from ..config import Settings
from ..models import database
from ..queue.connection import RedisUnavailable
from ..queue.dimensions import enqueue_dimension_fill, fill_job_ids, fill_jobs
from ..queue.documents import job_timeout
from ..runtime import Runtime, current_runtime
from ..services.privacy.dimension_fill import BATCH, fill_workflow
from ..services.privacy.record_values import pending_workflows

log = logging.getLogger(__name__)

LIVE = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def fill_settings(settings: Settings) -> tuple[int, float]:
    """(records per batch, seconds per job) from ``[queue]``."""
    section = settings.section("queue")
    size = max(1, int(section.get("dimension_fill_batch", BATCH)))
    seconds = float(section.get("dimension_fill_seconds", 60))
    return size, max(0.0, min(seconds, job_timeout(settings) * 0.8))


def fill_dimensions_job(workflow: str) -> dict:
    """Fill ``workflow``'s pending dimensions for a while; enqueue the rest as a new job."""
    runtime = current_runtime()
    size, seconds = fill_settings(runtime.settings)
    with database.connection_context():
        done = fill_workflow(str(workflow), size, seconds)
    if not done:
        current = get_current_job()
        first, _ = fill_job_ids(workflow)
        slot = 1 if current is None or current.id == first else 0
        if enqueue_dimension_fill(runtime.settings, workflow, slot) is None:
            log.warning("fill of %s continues with the next sweep", workflow)
    return {"workflow": workflow, "done": done}


def _live(job, now: dt.datetime, limit: dt.timedelta) -> bool:
    status = job.get_status(refresh=False)
    if status in LIVE:
        return True
    started = job.started_at
    if started is not None and started.tzinfo is None:
        started = started.replace(tzinfo=dt.UTC)
    return status == JobStatus.STARTED and started is not None and now - started < limit


def requeue_dimension_fills(runtime: Runtime) -> int:
    """Enqueue the fill of every workflow with a dimension not yet filled whose fill has no
    live job in Redis; returns how many were enqueued."""
    with database.connection_context():
        workflows = pending_workflows()
    if not workflows:
        return 0
    now = clock.wall_now()  # compared with RQ's own timestamps: never a frozen clock
    limit = dt.timedelta(seconds=job_timeout(runtime.settings) + 30)
    count = 0
    for workflow in workflows:
        try:
            if any(_live(job, now, limit) for job in fill_jobs(runtime.settings, workflow)):
                continue
        except (redis.RedisError, RedisUnavailable, OSError) as exc:
            log.warning("dimension sweep skipped, Redis unreachable: %s", exc)
            return count
        if enqueue_dimension_fill(runtime.settings, workflow) is not None:
            count += 1
    if count:
        log.info("sweep: statistics fill of %d workflows enqueued", count)
    return count
