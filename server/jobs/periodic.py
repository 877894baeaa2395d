"""Periodic jobs, as a table: what runs, and how often.

Every worker process runs a small timer thread that, every few seconds, enqueues the jobs
that are due. A Redis key per job (SET NX EX) makes sure that across any number of
workers on any number of machines each job is enqueued once per interval; the jobs
themselves are idempotent, so a lost key or a second run changes nothing.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import redis

from ..config import Settings
from .connection import get_redis

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    function: str  # import path of a job function without arguments
    every: int  # seconds


PERIODIC = (
    Periodic("deadline-reminders", "server.jobs.maintenance.create_deadline_reminders", 600),
    Periodic("document-sweep", "server.jobs.maintenance.sweep_pending_documents", 60),
    # retention (anonymise the day after the period ends), audit purge, login failures
    Periodic("privacy", "server.privacy.jobs.run_privacy_maintenance", 3600),
)

KEY = "verbund:periodic:{}"


def enqueue_due(settings: Settings, table: tuple[Periodic, ...] = PERIODIC) -> list[str]:
    """Enqueue every periodic job whose interval has passed; returns their names."""
    from .queue import document_queue

    connection = get_redis(settings)
    queue = document_queue(settings)
    started = []
    for job in table:
        if connection.set(KEY.format(job.name), "1", nx=True, ex=job.every):
            queue.enqueue(
                job.function,
                job_id=f"periodic-{job.name}",
                result_ttl=job.every,
                failure_ttl=24 * 3600,
                description=job.name,
            )
            started.append(job.name)
    return started


class PeriodicTimer(threading.Thread):
    """Daemon thread of a worker process that calls :func:`enqueue_due` every ``tick`` s."""

    def __init__(self, settings: Settings, tick: float = 5.0):
        super().__init__(name="verbund-periodic", daemon=True)
        self.settings, self.tick = settings, tick
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.tick):
            try:
                enqueue_due(self.settings)
            except (redis.RedisError, OSError) as exc:
                log.warning("periodic jobs not enqueued: %s", exc)

    def stop(self) -> None:
        self.stopped.set()
