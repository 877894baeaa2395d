"""Periodic jobs, as a table: what runs, and how often.

Every worker calls :func:`enqueue_due` from RQ's maintenance step (see worker.py), which
runs between jobs and at least every ``[queue] sweep_interval`` seconds while idle. A Redis
key per job (SET NX EX) makes sure that across any number of workers on any number of
machines each job is enqueued once per interval; the jobs themselves are idempotent, so a
lost key or a second run changes nothing. (Pending documents have their own sweep with
live-job detection, :mod:`.sweep`.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

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
    # retention (anonymise the day after the period ends), audit purge, login failures
    Periodic("privacy", "server.privacy.jobs.run_privacy_maintenance", 3600),
    Periodic("unused-uploads", "server.jobs.maintenance.remove_unused_uploads", 3600),
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
