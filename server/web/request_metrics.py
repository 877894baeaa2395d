"""Requests and their duration per route, for ``GET /metrics`` (prometheus_client).

gunicorn answers with several processes, each counting only its own requests. Under
``verbund serve`` every web process writes its counters into files under
``instance/prometheus/`` (prometheus_client's multiprocess mode: ``PROMETHEUS_MULTIPROC_DIR``
is set by :mod:`server.serve` before gunicorn starts, emptied at each start), and a scrape of
any process sums all of them. Only counters and histograms are kept this way: their files
stay when a process ends, and its requests keep counting, as they should. Without the
variable (tests, ``flask run``) the counts are those of this process.

Labels are the route's rule (``/api/v1/records/<int:record_id>``, never the address with
ids or a query), the method and the status – a bounded set, and no personal data.
``/healthz`` is answered before Flask and not counted.
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
NO_ROUTE = "(keine Route)"  # 404s for addresses no rule matches: one label, not one per address

# not in prometheus_client's global registry: /metrics builds its registry per scrape
REQUESTS = Counter(
    "verbund_http_requests",
    "HTTP requests answered, by route, method and status",
    ["route", "method", "status"],
    registry=None,
)
DURATION = Histogram(
    "verbund_http_request_duration_seconds",
    "Time from the first hook to the response, by route and method",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=None,
)


def add_request_metrics(registry: CollectorRegistry) -> None:
    """Put the request counts of every web process (or of this one) into ``registry``."""
    if os.environ.get(MULTIPROCESS_VARIABLE):
        MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(DURATION)


def _start() -> None:
    g.metrics_started = time.perf_counter()


def _count(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    if started is None:
        return response
    route = request.url_rule.rule if request.url_rule is not None else NO_ROUTE
    method = request.method
    REQUESTS.labels(route, method, str(response.status_code)).inc()
    DURATION.labels(route, method).observe(time.perf_counter() - started)
    return response


def init_request_metrics(app: Flask) -> None:
    """Count every request of ``app``; the timer starts before every other hook (also before
    the input guard, so refused input is counted too)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_count)
