"""``GET /metrics``: Prometheus text format (prometheus_client), no login.

Access (``[metrics]`` in config.toml): a request from an address in ``allow`` (addresses or
networks; default only this machine), or one with ``Authorization: Bearer <token>`` when
``token`` (or ``VERBUND_METRICS_TOKEN``) is set. A request that came through a reverse proxy
(``X-Forwarded-For``/``Forwarded``) is judged by its real client only with
``[security] trust_proxy``; otherwise the proxy's own address (often 127.0.0.1) would let
anybody in, so the address rule does not apply to it.

What is shown are names of periodic jobs, times, statuses and counts: no personal data.
Besides the periodic jobs: whether Redis answers, the document queue's length, RQ's failed
jobs, the workers and the age of their freshest heartbeat, and document requests waiting,
running or failed by the database's count. These are read at each scrape from Redis and
the database, which every web process shares, so each process answers the same. Requests
and their duration per route are counted in every web process and summed across them
(:mod:`.request_metrics`).
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import math

import peewee
from flask import Blueprint, Flask, Response, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from ..jobs.health import redis_state
from ..jobs.overview import STATUS_LABELS, job_states, run_counts
from ..models import DocumentRequest, utcnow
from ..runtime import current_runtime
from .request_metrics import add_request_metrics

blueprint = Blueprint("metrics", __name__)
PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")
STATUSES = [s for s in STATUS_LABELS if s]


def networks(entries) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``[metrics] allow`` as networks (a bare address is a network of one); entries that
    are neither are skipped here (``verbund check`` and loading the config name them)."""
    out = []
    for entry in entries or ():
        try:
            out.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            continue
    return out


def allowed(settings, headers, remote_addr: str | None) -> bool:
    """Whether a request with these headers from ``remote_addr`` may read the metrics."""
    section = settings.section("metrics")
    token = str(section.get("token") or "")
    given = headers.get("Authorization", "")
    if token and given.startswith("Bearer "):
        if hmac.compare_digest(given[len("Bearer ") :].strip().encode(), token.encode()):
            return True
    proxied = any(name in headers for name in PROXY_HEADERS)
    if proxied and not settings.section("security").get("trust_proxy"):
        return False
    try:
        address = ipaddress.ip_address((remote_addr or "").split("%")[0])
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in net for net in networks(section.get("allow", [])))


class PeriodicCollector:
    """Reads the recorded runs of the periodic jobs at each scrape."""

    def __init__(self, settings):
        self.settings = settings

    def collect(self):
        # inside the request, whose connection is open (see web/__init__.py)
        states = job_states(self.settings)
        counts = run_counts(self.settings)
        last_run = GaugeMetricFamily(
            "verbund_periodic_last_run_timestamp_seconds",
            "Start of the latest run of a periodic job (0: never ran)",
            labels=["job"],
        )
        last_success = GaugeMetricFamily(
            "verbund_periodic_last_success_timestamp_seconds",
            "End of the latest successful run of a periodic job (0: none)",
            labels=["job"],
        )
        last_status = GaugeMetricFamily(
            "verbund_periodic_last_status",
            "Status of the latest run (1 for the one that applies)",
            labels=["job", "status"],
        )
        items = GaugeMetricFamily(
            "verbund_periodic_last_items_done",
            "Items the latest run did (reminders created, records anonymised, ...)",
            labels=["job", "item"],
        )
        runs = GaugeMetricFamily(
            "verbund_periodic_runs",
            "Recorded runs of the last 30 days by status",
            labels=["job", "status"],
        )
        for state in states:
            last_run.add_metric([state.name], _seconds(state.started_at))
            last_success.add_metric([state.name], _seconds(state.last_success))
            for status in STATUSES:
                last_status.add_metric([state.name, status], float(state.status == status))
            items.add_metric([state.name, "total"], float(state.items))
            for item, number in sorted(state.counts.items()):
                items.add_metric([state.name, item], float(number))
            for status in STATUSES:
                runs.add_metric([state.name, status], float(counts.get((state.name, status), 0)))
        yield from (last_run, last_success, last_status, items, runs)


class QueueCollector:
    """Reads the document queue, its workers and the open document requests at each scrape."""

    WAITING = ("queued", "started", "failed")

    def __init__(self, settings):
        self.settings = settings

    def collect(self):
        answers, figures = redis_state(self.settings)
        yield GaugeMetricFamily("verbund_redis_up", "Redis answers a PING (1) or not (0)", answers)
        if figures is not None:
            yield GaugeMetricFamily(
                "verbund_queue_length", "Document jobs waiting in the queue", figures.queued
            )
            yield GaugeMetricFamily(
                "verbund_queue_failed_jobs", "Jobs in RQ's registry of failed jobs", figures.failed
            )
            yield GaugeMetricFamily(
                "verbund_workers", "Workers registered for the document queue", figures.workers
            )
            if figures.heartbeat_age is not None:
                yield GaugeMetricFamily(
                    "verbund_worker_heartbeat_age_seconds",
                    "Seconds since the freshest worker heartbeat",
                    figures.heartbeat_age,
                )
        requests = GaugeMetricFamily(
            "verbund_document_requests",
            "Document requests waiting, running or failed (database)",
            labels=["status"],
        )
        counted = dict(
            DocumentRequest.select(DocumentRequest.status, peewee.fn.COUNT(DocumentRequest.id))
            .where(DocumentRequest.status.in_(self.WAITING))
            .group_by(DocumentRequest.status)
            .tuples()
        )
        for status in self.WAITING:
            requests.add_metric([status], float(counted.get(status, 0)))
        yield requests
        yield from last_hours_jobs()


# the share of the last hour's document jobs that took at most this long (1 = the longest)
QUANTILES = (0.5, 0.95, 1.0)


def last_hours_jobs():
    """How many document jobs ended in the last hour (finished, failed) and how long the
    finished ones took from start to end; a range read on ``finished_at`` (indexed)."""
    since = utcnow() - dt.timedelta(hours=1)
    rows = (
        DocumentRequest.select(
            DocumentRequest.status, DocumentRequest.started_at, DocumentRequest.finished_at
        )
        .where(DocumentRequest.finished_at >= since)
        .tuples()
    )
    ended = {"finished": 0, "failed": 0}
    seconds = []
    for status, started, finished in rows:
        if status in ended:
            ended[status] += 1
        if status == "finished" and started is not None:
            seconds.append(max(0.0, (finished - started).total_seconds()))
    jobs = GaugeMetricFamily(
        "verbund_document_jobs_last_hour",
        "Document jobs that ended in the last hour",
        labels=["status"],
    )
    for status, count in ended.items():
        jobs.add_metric([status], float(count))
    yield jobs
    durations = GaugeMetricFamily(
        "verbund_document_job_seconds_last_hour",
        "Seconds from start to end of the last hour's finished document jobs",
        labels=["quantile"],
    )
    seconds.sort()
    for share in QUANTILES:
        # nearest rank: the smallest duration that at least this share of the jobs stayed within
        value = seconds[max(0, math.ceil(share * len(seconds)) - 1)] if seconds else 0.0
        durations.add_metric([f"{share:g}"], value)
    yield durations


def _seconds(moment) -> float:
    if moment is None:
        return 0.0
    return moment.replace(tzinfo=dt.UTC).timestamp()  # database times are naive UTC


@blueprint.route("/metrics")
def metrics():
    settings = current_runtime().settings
    if not allowed(settings, request.headers, request.remote_addr):
        return Response("Kein Zugriff auf /metrics.\n", 403, mimetype="text/plain")
    registry = CollectorRegistry(auto_describe=False)
    registry.register(PeriodicCollector(settings))
    registry.register(QueueCollector(settings))
    add_request_metrics(registry)
    return Response(generate_latest(registry), 200, {"Content-Type": CONTENT_TYPE_LATEST})


def init_metrics(app: Flask) -> None:
    """Register ``GET /metrics`` on ``app``."""
    app.register_blueprint(blueprint)
