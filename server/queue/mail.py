"""Enqueueing the send job of one e-mail (by name and id, like the document jobs)."""

from __future__ import annotations

import logging

import redis
from rq import Retry

from ..config import Settings
from .connection import RedisUnavailable
from .documents import FAILURE_TTL, RESULT_TTL, document_queue

log = logging.getLogger(__name__)

MAIL_JOB = "server.jobs.mail.send_mail_job"
RETRY = Retry(max=3, interval=[10, 60, 300])


def enqueue_mail(settings: Settings, delivery_id: int) -> str | None:
    """Put the send job of e-mail ``delivery_id`` on the queue; None when Redis is away
    (the row stays pending and the mail sweep enqueues it later)."""
    try:
        job = document_queue(settings).enqueue(
            MAIL_JOB,
            int(delivery_id),
            job_id=f"mail-{int(delivery_id)}",
            result_ttl=RESULT_TTL,
            failure_ttl=FAILURE_TTL,
            retry=RETRY,
            description=f"E-Mail {int(delivery_id)}",
        )
    except (redis.RedisError, RedisUnavailable, OSError) as exc:
        log.warning("e-mail %s not enqueued, the sweep will retry: %s", delivery_id, type(exc))
        return None
    return job.id
