"""The RQ worker process: ``verbund worker``.

It loads the job modules before it starts, re-enqueues document requests that a crash left
pending, and then works the queue. SimpleWorker runs jobs in its own process (no fork per job):
measured about twice the throughput of the forking worker for our short render jobs, and
``verbund serve`` restarts it if a job ever takes the process down.
"""

from __future__ import annotations

import logging

from rq import SimpleWorker, Worker
from rq.serializers import JSONSerializer

from ..models import create_tables, database
from ..runtime import Runtime, set_runtime
from ..services.documents import pending_requests
from . import documents as _documents  # noqa: F401  (import job code before forking/working)
from .connection import get_redis
from .periodic import PeriodicTimer
from .queue import document_queue, enqueue_document

log = logging.getLogger(__name__)


def requeue_pending(runtime: Runtime, older_than_seconds: int = 0) -> int:
    """Enqueue again every request still queued or started; returns how many."""
    with database.connection_context():
        ids = pending_requests(older_than_seconds)
    count = 0
    for request_id in ids:
        if enqueue_document(runtime.settings, request_id):
            count += 1
    return count


def run_worker(runtime: Runtime, *, burst: bool = False, worker_class: str = "simple") -> bool:
    """Work the document queue until stopped (or until it is empty with ``burst``)."""
    set_runtime(runtime)
    runtime.open_database()
    with database.connection_context():
        create_tables()
    # every job asks for the newest published revision (one indexed query), so a document
    # requested after a publication is always rendered with it
    runtime.check_seconds = 0.0
    _ = runtime.definitions  # parse once before the first job, not inside it
    connection = get_redis(runtime.settings)
    requeued = requeue_pending(runtime)
    if requeued:
        log.info("%d pending document requests enqueued again", requeued)
    cls = SimpleWorker if worker_class == "simple" else Worker
    worker = cls(
        [document_queue(runtime.settings)], connection=connection, serializer=JSONSerializer
    )
    timer = None if burst else PeriodicTimer(runtime.settings)
    if timer is not None:
        timer.start()
    try:
        return worker.work(burst=burst, with_scheduler=not burst, logging_level="WARNING")
    finally:
        if timer is not None:
            timer.stop()
