"""``verbund serve``: the embedded Redis, a production WSGI server and one worker, together.

This process supervises: it owns the embedded Redis (when no external one is configured),
starts gunicorn and ``verbund worker`` as child processes, restarts the worker if it dies,
restarts the embedded Redis if it stops answering (and then the worker, whose connections
point at the dead socket), and stops everything on Ctrl-C or SIGTERM.

The worker runs in a process group of its own: RQ forks a scheduler child from it, which
would outlive a killed worker (holding the scheduler lock and a Redis connection); ending
the whole group leaves nothing behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click

from .config import Settings
from .queue.connection import (
    RedisUnavailable,
    embedded_alive,
    get_redis,
    restart_embedded,
    start_embedded,
    stop_embedded,
)

# prometheus_client's own name; read by server/web/request_metrics.py in gunicorn's
# processes (not imported from there: this supervisor does not load Flask and the screens)
MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

# gunicorn's default logs the request line with its query string and the referrer
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'


def _child_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["VERBUND_CONFIG"] = str(settings.config_path)
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.pop(MULTIPROCESS_VARIABLE, None)  # only the web server's processes get one (below)
    return env


def metrics_dir(settings: Settings) -> Path:
    """Where gunicorn's processes keep their request counters (server/web/request_metrics.py)."""
    return settings.instance_dir / "prometheus"


def fresh_metrics_dir(settings: Settings) -> Path:
    """The counters' directory, emptied: counts start at zero with each start, as
    Prometheus expects of a restarted target; files of an earlier run would add up forever."""
    directory = metrics_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink(missing_ok=True)
    return directory


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


REDIS_CHECK_SECONDS = 1.0
REDIS_FAILURES = 2  # failed checks in a row before a restart (one may be a busy moment)
WORKER_STOP_SECONDS = 15


class WorkerChild:
    """``verbund worker`` in its own process group, so its scheduler child ends with it."""

    def __init__(self, settings: Settings, env: dict[str, str]):
        self.settings, self.env = settings, env
        self.proc = self._start()

    def _start(self) -> subprocess.Popen:
        return subprocess.Popen(worker_command(self.settings), env=self.env, start_new_session=True)

    def died(self) -> bool:
        return self.proc.poll() is not None

    def _signal_group(self, signum: int) -> None:
        # the group outlives its leader while a member lives; its id is not given out again
        # before the last member is gone, so this never reaches a stranger
        try:
            os.killpg(self.proc.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, timeout: float = WORKER_STOP_SECONDS) -> None:
        """Warm shutdown (RQ finishes the job and stops its scheduler), then the group goes."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.proc.wait()
        self._signal_group(signal.SIGTERM)  # left-overs: a scheduler whose worker was killed
        time.sleep(0.2)
        self._signal_group(signal.SIGKILL)

    def restart(self, timeout: float = WORKER_STOP_SECONDS) -> None:
        self.stop(timeout)
        self.proc = self._start()


class RedisWatch:
    """Checks the embedded Redis every ``REDIS_CHECK_SECONDS``; restarts it when it is gone."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.failures = 0
        self.next_check = time.monotonic() + REDIS_CHECK_SECONDS

    def restarted(self) -> bool:
        """True when the server was just restarted (callers restart the worker)."""
        if time.monotonic() < self.next_check:
            return False
        self.next_check = time.monotonic() + REDIS_CHECK_SECONDS
        if embedded_alive(self.settings):
            self.failures = 0
            return False
        self.failures += 1
        if self.failures < REDIS_FAILURES:
            return False
        click.echo("Der eingebettete Redis antwortet nicht; er wird neu gestartet.", err=True)
        try:
            restart_embedded(self.settings)
        except Exception as exc:  # noqa: BLE001 - keep serving; try again at the next check
            click.echo(f"Redis-Neustart fehlgeschlagen ({type(exc).__name__}).", err=True)
            self.next_check = time.monotonic() + 5 * REDIS_CHECK_SECONDS
            return False
        self.failures = 0
        click.echo("Der eingebettete Redis läuft wieder.", err=True)
        return True


def serve(
    settings: Settings,
    host: str,
    port: int,
    workers: int = 2,
    threads: int = 4,
    banner: str = "",
    with_worker: bool = True,
) -> int:
    """Run until interrupted; returns the exit code.

    ``with_worker=False`` (``verbund serve --no-worker``): only the web server, for machines
    of a larger installation whose workers run elsewhere as ``verbund worker``.
    """
    watch = None
    if not settings.redis_url:
        try:
            get_redis(settings)  # this process starts and owns the embedded server
        except RedisUnavailable:  # a pointer left by a process that no longer owns it
            start_embedded(settings)
        watch = RedisWatch(settings)
    env = _child_env(settings)
    stopping = False

    def _stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    web_env = dict(env, **{MULTIPROCESS_VARIABLE: str(fresh_metrics_dir(settings))})
    web = subprocess.Popen(web_command(settings, host, port, workers, threads), env=web_env)
    worker = WorkerChild(settings, env) if with_worker else None
    click.echo(banner)
    code = 0
    try:
        while not stopping:
            time.sleep(0.2)
            if web.poll() is not None:
                click.echo(f"Der Webserver hat sich beendet (Code {web.returncode}).", err=True)
                code = web.returncode or 1
                break
            if watch is not None and not stopping and watch.restarted() and worker is not None:
                # its connections and its scheduler point at the dead socket; a new worker
                # also sweeps at start, so requests made while Redis was down are produced
                worker.restart(timeout=5)
            if worker is not None and worker.died() and not stopping:
                click.echo("Der Worker hat sich beendet; er wird neu gestartet.", err=True)
                time.sleep(1)
                worker.restart()
    finally:
        if web.poll() is None:
            web.terminate()
        if worker is not None:
            worker.stop()
        try:
            web.wait(timeout=15)
        except subprocess.TimeoutExpired:
            web.kill()
        stop_embedded()
        click.echo("Verbund ist beendet.")
    return code
