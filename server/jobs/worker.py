"""The RQ worker process: ``verbund worker``.

It loads the job modules and the definitions before it starts, stores shipped templates as
revisions, re-enqueues document requests that a crash left pending, and then works the
queue. Between jobs (and at least every ``sweep_interval`` seconds while idle) it runs RQ's
maintenance and the sweep (:mod:`.sweep`), and enqueues due periodic jobs
(:mod:`.periodic`). Any number of workers on any number of machines
may share one Redis: each job is taken by one of them, and the sweep runs once per interval.

SimpleWorker runs jobs in its own process (no fork per job): measured about twice the
throughput of the forking worker for our short render jobs (bench/bench_documents.py), with
the job timeout still enforced by SIGALRM; ``verbund serve`` restarts it if a job ever takes
the process down. ``[queue] worker_class = "fork"`` chooses the forking worker. Either way
the template itself is rendered in a child process under hard limits (time, memory, output
size; :mod:`server.documents.sandbox_process`) – long-lived with SimpleWorker, forked by
each work horse when forking – killed and started again when a template runs past one, so the next
document renders right after.
"""

from __future__ import annotations

import logging

import redis
from rq import SimpleWorker, Worker
from rq.serializers import JSONSerializer

from ..documents.sandbox_process import (
    RendererUnavailable,
    fork_render_children,
    render_limits,
    shared_sandbox,
)
from ..queue.connection import get_redis
from ..queue.documents import document_queue
from ..runtime import Runtime, prepare_database
from . import documents as _documents  # noqa: F401  (import job code before forking/working)
from .dimension_fill import requeue_dimension_fills
from .periodic import enqueue_due
from .sweep import requeue_pending, sweep_if_due, sweep_interval

log = logging.getLogger(__name__)

__all__ = ["requeue_pending", "run_worker", "make_worker"]


class PromptlyStopping:
    """Lets a worker stop within a second rather than a minute.

    RQ listens for its commands (``rq.command``) in a redis-py pub/sub thread that waits up to
    60 seconds per poll; redis-py 8.2 joins that thread when the worker stops, and a thread
    that has just seen its channel go waits the whole minute for a new subscription. Every
    stop (a burst's end, SIGTERM from ``verbund serve`` or systemd) took 60 s that way. A short
    poll costs one wake-up per second of an idle worker.
    """

    pubsub_poll_seconds = 1.0

    def subscribe(self):
        """RQ's subscription, with a poll of ``pubsub_poll_seconds``."""
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=self.pubsub_poll_seconds,
            daemon=True,
            exception_handler=self._pubsub_exception_handler,
        )


class _Sweeping(PromptlyStopping):
    """Adds the document sweep and the periodic jobs to RQ's periodic maintenance."""

    verbund_runtime: Runtime

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        sweep_if_due(self.verbund_runtime, self.connection, self.name)
        try:
            enqueue_due(self.verbund_runtime.settings)
        except (redis.RedisError, OSError) as exc:
            log.warning("periodic jobs not enqueued: %s", exc)


class DocumentWorker(_Sweeping, SimpleWorker):
    """Runs jobs in its own process."""


class ForkingDocumentWorker(_Sweeping, Worker):
    """Forks a work horse per job (crash isolation at the price of throughput)."""

    def main_work_horse(self, job, queue):
        # the horse forks its render child (milliseconds) rather than starting Python anew
        fork_render_children()
        super().main_work_horse(job, queue)


def make_worker(runtime: Runtime, worker_class: str = "simple", name: str | None = None):
    """A worker for the document queue with the sweep in its maintenance."""
    interval = sweep_interval(runtime)
    cls = DocumentWorker if worker_class == "simple" else ForkingDocumentWorker
    worker = cls(
        [document_queue(runtime.settings)],
        name=name,
        connection=get_redis(runtime.settings),
        serializer=JSONSerializer,
        maintenance_interval=interval,
        # RQ waits for a job at most worker_ttl - 15 seconds before its maintenance runs
        worker_ttl=interval + 15,
    )
    worker.verbund_runtime = runtime
    return worker


def run_worker(
    runtime: Runtime, *, burst: bool = False, worker_class: str = "simple", name: str | None = None
) -> bool:
    """Work the document queue until stopped (or until it is empty with ``burst``).

    ``runtime`` is the process's, from :func:`server.runtime.start_runtime` (``verbund worker``).
    """
    # every job asks for the newest published revision (one indexed query), so a document
    # requested after a publication is always rendered with it - set before anything reads
    # the definitions: a first read under the default interval kept them for a second, and a
    # publication within that second was missed (seen on CI)
    runtime.check_every(0.0)
    prepare_database(runtime)
    _ = runtime.definitions  # parse once before the first job, not inside it
    requeued = requeue_pending(runtime)
    if requeued:
        log.warning("%d pending document requests enqueued again", requeued)
    # statistics dimensions declared but not filled (an upgrade, a publication while Redis
    # was down, a fill whose job was lost): filled in the background from now on
    requeue_dimension_fills(runtime)
    worker = make_worker(runtime, worker_class, name)
    if worker_class == "simple":
        # the render child starts before the first job, not inside it; a forking worker's
        # work horses each start their own (a child shared across forks would be confused)
        try:
            shared_sandbox(render_limits(runtime.settings)).start()
        except RendererUnavailable as exc:
            log.warning("render process not started yet: %s", exc)
    return worker.work(burst=burst, with_scheduler=not burst, logging_level="WARNING")
