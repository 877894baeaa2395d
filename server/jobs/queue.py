"""The one place that defines queues and how jobs are enqueued.

Jobs take ids, never objects; they are serialised as JSON (not pickle); results and failures
expire; failed jobs are retried with backoff; every job has a timeout.
"""

from __future__ import annotations

import logging

import redis
from rq import Queue, Retry
from rq.serializers import JSONSerializer

from ..config import Settings
from .connection import RedisUnavailable, get_redis

log = logging.getLogger(__name__)

RESULT_TTL = 3600  # the result lives in the database; Redis keeps it only briefly
FAILURE_TTL = 7 * 24 * 3600
RETRY = Retry(max=3, interval=[10, 60, 300])


def document_queue(settings: Settings) -> Queue:
    """The queue document jobs go to."""
    return Queue(
        settings.section("queue").get("queue_name", "verbund"),
        connection=get_redis(settings),
        serializer=JSONSerializer,
        default_timeout=int(settings.section("queue").get("job_timeout", 120)),
    )


def document_job_id(request_id: int) -> str:
    return f"document-{request_id}"


def enqueue_document(settings: Settings, request_id: int) -> str | None:
    """Put the document job for request ``request_id`` on the queue.

    Returns the job id, or None when Redis cannot be reached: the request stays queued in the
    database and the sweep enqueues it again once Redis is back.
    """
    from .documents import render_document_job

    try:
        job = document_queue(settings).enqueue(
            render_document_job,
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
