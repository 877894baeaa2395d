"""``GET /healthz``: for a load balancer and monitoring, without login.

200 with ``"status": "ok"`` when the database answers, every table is there and Redis
answers; otherwise 503 with the same JSON naming what failed. Worker figures (how many,
age of the freshest heartbeat) and the queue length are reported but never make it fail: a
missing worker does not stop this web process from serving pages, and a load balancer
should not take every web server out because of it (monitoring alerts on it instead).

It sits in front of the Flask app as WSGI middleware, so none of the request hooks run:
no session is read, no audit entry or read-audit spool is written, no CSRF or cookie is
set. The answer holds only yes/no, counts and seconds – no personal data.
"""

from __future__ import annotations

import json

from flask import Flask
from werkzeug.wrappers import Request, Response

from ..config import Settings
from ..jobs.health import check_health
from ..runtime import current_runtime

PATHS = frozenset({"/healthz"})


class HealthCheck:
    """WSGI middleware answering ``/healthz`` before the application sees the request."""

    def __init__(self, wsgi_app, settings: Settings):
        self.wsgi_app, self.settings = wsgi_app, settings

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") not in PATHS:
            return self.wsgi_app(environ, start_response)
        return self.answer(Request(environ))(environ, start_response)

    def answer(self, request: Request) -> Response:
        """The health JSON (HEAD: headers only); other methods get 405."""
        if request.method not in ("GET", "HEAD"):
            return Response(
                "Nur GET und HEAD.\n", 405, {"Allow": "GET, HEAD"}, mimetype="text/plain"
            )
        health = check_health(self.settings)
        body = json.dumps(health.as_json(), ensure_ascii=False) + "\n"
        response = Response(body, 200 if health.ok else 503, mimetype="application/json")
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def init_health(app: Flask) -> None:
    """Answer ``/healthz`` on ``app`` ahead of every Flask hook."""
    app.wsgi_app = HealthCheck(app.wsgi_app, current_runtime(app).settings)
