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


def fetch_job(queue: Queue, request_id: int) -> Job | None:
    """The RQ job of a request, if Redis still knows it."""
    try:
        return Job.fetch(
            document_job_id(request_id), connection=queue.connection, serializer=JSONSerializer
        )
    except NoSuchJobError:
        return None


def enqueue_document(settings: Settings, request_id: int, *, replace: bool = False) -> str | None:
    """Put the document job for request ``request_id`` on the queue.

    ``replace`` first removes what Redis still holds of an earlier job of the request (a
    failed one, or one a dead worker had started), so the job is in one place only.
    Returns the job id, or None when Redis cannot be reached: the request stays queued in the
    database and the sweep enqueues it again once Redis is back.
    """
    try:
        queue = document_queue(settings)
        if replace:
            old = fetch_job(queue, request_id)
            if old is not None:
                old.delete(remove_from_queue=True)
        job = queue.enqueue(
            DOCUMENT_JOB,
            request_id,
            job_id=document_job_id(request_id),
            result_ttl=RESULT_TTL,
            failure_ttl=FAILURE_TTL,
            retry=RETRY,
            description=f"Dokument {request_id}",
        )
    except (redis.RedisError, RedisUnavailable, OSError) as exc:
        log.warning("document %s not enqueued, the sweep will retry: %s", request_id, exc)
        return None
    return job.id


# the Lenkungskreis report as a file (issue 17): the same queue, its own job and ids
REPORT_JOB = "server.jobs.report_documents.render_report_job"


def report_job_id(report_document_id: int) -> str:
    return f"report-{report_document_id}"


def enqueue_report(
    settings: Settings, report_document_id: int, *, replace: bool = False
) -> str | None:
    """Put the job for report file ``report_document_id`` on the document queue (the id
    only); None when Redis cannot be reached (the row stays queued, the sweep retries).
    ``replace``: first remove what Redis still holds of an earlier job of the file."""
    try:
        queue = document_queue(settings)
        if replace:
            try:
                Job.fetch(
                    report_job_id(report_document_id),
                    connection=queue.connection,
                    serializer=JSONSerializer,
                ).delete(remove_from_queue=True)
            except NoSuchJobError:
                pass
        job = queue.enqueue(
            REPORT_JOB,
            report_document_id,
            job_id=report_job_id(report_document_id),
            result_ttl=RESULT_TTL,
            failure_ttl=FAILURE_TTL,
            retry=RETRY,
            description=f"Bericht {report_document_id}",
        )
    except (redis.RedisError, RedisUnavailable, OSError) as exc:
        log.warning("report %s not enqueued: %s", report_document_id, exc)
        return None
    return job.id
