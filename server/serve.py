"""``verbund serve``: the embedded Redis, a production WSGI server and one worker, together.

This process supervises: it owns the embedded Redis (when no external one is configured),
starts gunicorn and ``verbund worker`` as child processes, restarts the worker if it dies, and
stops everything on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import click

from .config import Settings
from .jobs.connection import get_redis, stop_embedded

# gunicorn's default logs the request line with its query string and the referrer
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'


def _child_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["VERBUND_CONFIG"] = str(settings.config_path)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def web_command(settings: Settings, host: str, port: int, workers: int, threads: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--graceful-timeout",
        "10",
        "--access-logfile",
        "-",
        # path without query string and no referrer: searches (``?search=``, ``?q=``) name
        # people, and the audit log keeps them only as a keyed hash for that reason
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--log-level",
        "warning",
        "server.wsgi:app",
    ]


def worker_command(settings: Settings) -> list[str]:
    return [sys.executable, "-m", "server.cli", "--config", str(settings.config_path), "worker"]


def serve(
    settings: Settings, host: str, port: int, workers: int = 2, threads: int = 4, banner: str = ""
) -> int:
    """Run until interrupted; returns the exit code."""
    if not settings.redis_url:
        get_redis(settings)  # this process starts and owns the embedded server
    env = _child_env(settings)
    stopping = False

    def _stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    web = subprocess.Popen(web_command(settings, host, port, workers, threads), env=env)
    worker = subprocess.Popen(worker_command(settings), env=env)
    click.echo(banner)
    code = 0
    try:
        while not stopping:
            time.sleep(0.2)
            if web.poll() is not None:
                click.echo(f"Der Webserver hat sich beendet (Code {web.returncode}).", err=True)
                code = web.returncode or 1
                break
            if worker.poll() is not None and not stopping:
                click.echo("Der Worker hat sich beendet; er wird neu gestartet.", err=True)
                time.sleep(1)
                worker = subprocess.Popen(worker_command(settings), env=env)
    finally:
        for child in (worker, web):
            if child.poll() is None:
                child.terminate()
        for child in (worker, web):
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        stop_embedded()
        click.echo("Verbund ist beendet.")
    return code
