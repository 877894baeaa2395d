"""Enqueueing the background fill of statistics dimensions (issue 21).

One job per workflow, carrying the workflow's id only (the dimensions to fill are the rows
of ``record_dimension`` not yet filled). A job runs for a bounded time and then enqueues its
continuation, so document jobs on the same queue are not held up for the whole fill; the
two job ids of a workflow alternate (``dimension-fill-<workflow>-0`` / ``-1``), so the
running job never overwrites the queued one. The database is the truth: when Redis is down
nothing is enqueued, and the worker's sweep enqueues the fill later.
"""

from __future__ import annotations

from ..config import Settings
from .documents import _enqueue_id, _fetch, document_queue

FILL_JOB = "server.jobs.dimension_fill.fill_dimensions_job"


def fill_job_ids(workflow: str) -> tuple[str, str]:
    """The two job ids a workflow's fill alternates between."""
    return f"dimension-fill-{workflow}-0", f"dimension-fill-{workflow}-1"


def fill_jobs(settings: Settings, workflow: str) -> list:
    """The RQ jobs Redis still holds of ``workflow``'s fill (raises when Redis is down)."""
    queue = document_queue(settings)
    return [job for job in (_fetch(queue, i) for i in fill_job_ids(workflow)) if job]


def enqueue_dimension_fill(settings: Settings, workflow: str, slot: int = 0) -> str | None:
    """Put the fill of ``workflow``'s pending dimensions on the queue under job id
    ``slot`` (replacing what Redis holds of an earlier job of that id); the job id, or None
    when Redis cannot be reached (the sweep enqueues it later)."""
    job_id = fill_job_ids(workflow)[slot]
    description = f"Statistik aufbauen: {workflow}"
    # _enqueue_id passes the id on as it is: here the workflow's id, a string
    return _enqueue_id(settings, FILL_JOB, workflow, job_id, description, True)
