"""The one place that defines queues and how jobs are enqueued.

Jobs take ids, never objects; they are serialised as JSON (not pickle); results and failures
expire; failed jobs are retried with backoff; every job has a timeout.
"""

from __future__ import annotations

import logging

import redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.serializers import JSONSerializer

from ..config import Settings
from .connection import RedisUnavailable, get_redis

log = logging.getLogger(__name__)

RESULT_TTL = 3600  # the result lives in the database; Redis keeps it only briefly
FAILURE_TTL = 7 * 24 * 3600
RETRY = Retry(max=3, interval=[10, 60, 300])
DEFAULT_JOB_TIMEOUT = 120
# by name, as RQ stores it anyway: enqueueing (web, API) need not import the render code
DOCUMENT_JOB = "server.jobs.documents.render_document_job"


def job_timeout(settings: Settings) -> int:
    """Seconds one document job may run (``[queue] job_timeout``)."""
    return int(settings.section("queue").get("job_timeout", DEFAULT_JOB_TIMEOUT))


def document_queue(settings: Settings) -> Queue:
    """The queue document jobs go to."""
    return Queue(
        settings.section("queue").get("queue_name", "verbund"),
        connection=get_redis(settings),
        serializer=JSONSerializer,
        default_timeout=job_timeout(settings),
    )


def document_job_id(request_id: int) -> str:
    return f"document-{request_id}"


def _fetch(queue: Queue, job_id: str) -> Job | None:
    try:
        return Job.fetch(job_id, connection=queue.connection, serializer=JSONSerializer)
    except NoSuchJobError:
        return None


def fetch_job(queue: Queue, request_id: int) -> Job | None:
    """The RQ job of a request, if Redis still knows it."""
    return _fetch(queue, document_job_id(request_id))


def _enqueue_id(
    settings: Settings, function: str, object_id: int, job_id: str, description: str, replace: bool
) -> str | None:
    """Put ``function(object_id)`` on the document queue under ``job_id``; None when Redis
    cannot be reached (the row stays queued in the database, the sweep enqueues it again).
    ``replace`` first removes what Redis still holds of an earlier job of the same id (a
    failed one, or one a dead worker had started), so the job is in one place only."""
    try:
        queue = document_queue(settings)
        if replace:
            old = _fetch(queue, job_id)
            if old is not None:
                old.delete(remove_from_queue=True)
        job = queue.enqueue(
            function,
            object_id,
            job_id=job_id,
            result_ttl=RESULT_TTL,
            failure_ttl=FAILURE_TTL,
            retry=RETRY,
            description=description,
        )
    except (redis.RedisError, RedisUnavailable, OSError) as exc:
        log.warning("%s not enqueued, the sweep will retry: %s", job_id, exc)
        return None
    return job.id


def enqueue_document(settings: Settings, request_id: int, *, replace: bool = False) -> str | None:
    """Put the document job for request ``request_id`` on the queue (the id only); the job
    id, or None when Redis cannot be reached (see :func:`_enqueue_id`)."""
    job_id = document_job_id(request_id)
    return _enqueue_id(
        settings, DOCUMENT_JOB, request_id, job_id, f"Dokument {request_id}", replace
    )


# the Lenkungskreis report as a file (issue 17): the same queue, its own job and ids
REPORT_JOB = "server.jobs.report_documents.render_report_job"


def report_job_id(report_document_id: int) -> str:
    return f"report-{report_document_id}"


def enqueue_report(
    settings: Settings, report_document_id: int, *, replace: bool = False
) -> str | None:
    """Put the job for report file ``report_document_id`` on the document queue (the id
    only); None when Redis cannot be reached (the row stays queued, the sweep retries)."""
    job_id = report_job_id(report_document_id)
    description = f"Bericht {report_document_id}"
    return _enqueue_id(settings, REPORT_JOB, report_document_id, job_id, description, replace)
