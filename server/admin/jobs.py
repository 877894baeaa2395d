"""Background jobs from RQ's registries: waiting, running, waiting for a retry, failed.

Only what identifies a job is shown — its id, its function, its arguments (jobs take ids,
never data), its times and, for a failure, the kind of error. Tracebacks are not shown: their
text may quote data. A failed job can be sent back to its queue.
"""

from __future__ import annotations

import logging

import redis
from flask import abort, flash, redirect, url_for
from flask_admin import expose
from rq import Queue
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.serializers import JSONSerializer

from ..jobs.overview import job_states, problem_runs
from ..queue.connection import RedisUnavailable, get_redis
from ..services.audit import audit
from ..web.base import runtime
from ..web.session import current_user
from .base import AdminView

log = logging.getLogger(__name__)
SHOWN = 100  # jobs listed per registry; the counts are always complete

STATUS_LABELS = {
    "queued": "wartet",
    "started": "läuft",
    "scheduled": "wartet auf Wiederholung",
    "failed": "fehlgeschlagen",
}


def error_kind(exc_info: str | None) -> str:
    """The exception class of a traceback (its last line up to the colon), nothing more."""
    lines = [line for line in (exc_info or "").strip().splitlines() if line.strip()]
    if not lines:
        return ""
    return lines[-1].split(":", 1)[0].strip()[:80]


def _failure(job: Job) -> str:
    result = job.latest_result()
    return error_kind(result.exc_string if result is not None else "")


def _job_row(job: Job | None, job_id: str, status: str) -> dict:
    if job is None:
        return {"id": job_id, "status": status, "function": "", "args": "", "gone": True}
    # jobs take ids; anything else is not shown, it could be data
    args = ", ".join(str(a) for a in (job.args or ()) if isinstance(a, int))
    return {
        "id": job.id,
        "status": status,
        "function": (job.func_name or "").rsplit(".", 1)[-1],
        "args": args,
        "enqueued_at": job.enqueued_at,
        "started_at": job.started_at,
        "ended_at": job.ended_at,
        "error": _failure(job) if status == "failed" else "",
        "gone": False,
    }


def _queues() -> list[Queue]:
    settings = runtime().settings
    connection = get_redis(settings)
    names = {settings.section("queue").get("queue_name", "verbund")}
    names |= {q.name for q in Queue.all(connection=connection, serializer=JSONSerializer)}
    return [Queue(n, connection=connection, serializer=JSONSerializer) for n in sorted(names)]


def _naive(value):
    return value.replace(tzinfo=None) if value is not None and value.tzinfo else value


class JobsView(AdminView):
    """/admin/jobs"""

    @expose("/")
    def index(self):
        settings = runtime().settings
        # from the database: shown even while Redis is down
        jobs = job_states(settings)
        periodic = {
            "jobs": jobs,
            "problems": problem_runs(settings),
            # failed runs are listed under the job's German name, as in the table above
            "labels": {j.name: j.label for j in jobs},
        }
        try:
            overview = [self._queue_overview(q) for q in _queues()]
        except (redis.RedisError, RedisUnavailable, OSError) as exc:
            log.warning("job overview: Redis not reachable: %s", exc)
            return self.render(
                "verbund/admin/jobs.html", queues=[], unreachable=True, periodic=periodic
            )
        return self.render(
            "verbund/admin/jobs.html", queues=overview, unreachable=False, periodic=periodic
        )

    def _queue_overview(self, queue: Queue) -> dict:
        registries = {
            "queued": None,
            "started": queue.started_job_registry,
            "scheduled": queue.scheduled_job_registry,
            "failed": queue.failed_job_registry,
        }
        out = {"name": queue.name, "counts": {}, "jobs": {}}
        for status, registry in registries.items():
            if registry is None:
                ids = queue.get_job_ids(0, SHOWN - 1)
                out["counts"][status] = queue.count
            else:
                ids = registry.get_job_ids(0, SHOWN - 1, desc=True)
                out["counts"][status] = registry.count
            jobs = Job.fetch_many(ids, connection=queue.connection, serializer=JSONSerializer)
            rows = [_job_row(job, job_id, status) for job, job_id in zip(jobs, ids, strict=True)]
            for row in rows:
                for key in ("enqueued_at", "started_at", "ended_at"):
                    row[key] = _naive(row.get(key))
            out["jobs"][status] = rows
        out["counts"]["finished"] = queue.finished_job_registry.count
        return out

    def _failed_registry(self, queue_name: str):
        try:
            queues = {q.name: q for q in _queues()}
        except (redis.RedisError, RedisUnavailable, OSError):
            flash("Die Warteschlange ist gerade nicht erreichbar.", "error")
            return None
        queue = queues.get(queue_name)
        if queue is None:
            abort(404)
        return queue.failed_job_registry

    @expose("/<queue_name>/<job_id>/retry", methods=["POST"])
    def retry(self, queue_name: str, job_id: str):
        registry = self._failed_registry(queue_name)
        if registry is not None:
            try:
                registry.requeue(job_id[:200])
            except (NoSuchJobError, InvalidJobOperation):
                flash(f"Der Auftrag {job_id[:200]} ist nicht (mehr) fehlgeschlagen.", "error")
            else:
                audit("job.retry", current_user(), object_type="job", object_id=job_id[:64])
                flash(f"Der Auftrag {job_id} wurde erneut eingereiht.", "success")
        return redirect(url_for(".index"))

    @expose("/<queue_name>/retry-failed", methods=["POST"])
    def retry_all(self, queue_name: str):
        registry = self._failed_registry(queue_name)
        if registry is not None:
            count = 0
            for job_id in registry.get_job_ids():
                try:
                    registry.requeue(job_id)
                    count += 1
                except (NoSuchJobError, InvalidJobOperation):
                    continue
            audit(
                "job.retry",
                current_user(),
                object_type="queue",
                object_id=queue_name[:64],
                detail={"jobs": count},
            )
            flash(f"{count} fehlgeschlagene Aufträge wurden erneut eingereiht.", "success")
        return redirect(url_for(".index"))
