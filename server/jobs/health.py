"""Is this installation able to work? Database, schema, Redis, queue and workers, cheaply.

For ``GET /healthz`` (a load balancer or monitoring asks every few seconds) and for the
queue figures of ``GET /metrics``. Every check is one small query or a few Redis commands:
``SELECT 1``, the list of tables and of applied migrations, PING, the length of the queue
and of RQ's registry of failed jobs, and the workers' registrations with their last
heartbeat. Nothing here names a
person: only counts, ages and yes/no.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import peewee
import redis
from rq import Queue, Worker
from rq.registry import FailedJobRegistry
from rq.serializers import JSONSerializer

from .. import clock
from ..config import Settings
from ..models import MODELS, database, is_sqlite
from ..models.migrations import read_state
from ..queue.connection import probe_redis

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueFigures:
    """What Redis says about the document queue and its workers."""

    queued: int  # jobs waiting in the queue
    failed: int  # jobs in RQ's registry of failed jobs (kept for a week)
    workers: int  # workers registered for the queue (a dead one expires after its TTL)
    heartbeat_age: float | None  # seconds since the freshest worker heartbeat; None: no worker


@dataclass(frozen=True)
class Health:
    """The answer of one health check."""

    database: bool
    schema: bool
    redis: bool
    queue: QueueFigures | None

    @property
    def ok(self) -> bool:
        """Whether requests can be served: database with every table, and Redis (documents)."""
        return self.database and self.schema and self.redis

    def as_json(self) -> dict:
        """The JSON body of ``/healthz`` (its keys are documented in docs/betrieb.md)."""
        figures = self.queue
        return {
            "status": "ok" if self.ok else "error",
            "database": "ok" if self.database else "error",
            "schema": "ok" if self.schema else ("error" if self.database else "unknown"),
            "redis": "ok" if self.redis else "error",
            "queue_length": figures.queued if figures else None,
            "workers": figures.workers if figures else None,
            "worker_heartbeat_age_seconds": (
                round(figures.heartbeat_age, 1)
                if figures and figures.heartbeat_age is not None
                else None
            ),
        }


def _table_names() -> set[str]:
    return {model._meta.table_name for model in MODELS}


def database_state() -> tuple[bool, bool]:
    """(reachable, schema current: every table present and no migration pending), on this
    thread's connection.

    Two small queries: the list of tables (catalogue) and ``schema_version``; no count of
    anything.
    """
    try:
        database.connect(reuse_if_open=True)
        database.execute_sql("SELECT 1")
        present = set(database.get_tables())
        pending = "schema_version" not in present or bool(read_state(MODELS).pending)
    except (peewee.DatabaseError, peewee.InterfaceError, OSError) as exc:
        log.warning("health check: database not reachable (%s)", type(exc).__name__)
        _close_after_error()
        return False, False
    finally:
        if not is_sqlite() and not database.is_closed() and not database.in_transaction():
            database.close()  # as after every request (server/web/database.py)
    return True, _table_names() <= present and not pending


def _close_after_error() -> None:
    try:
        if not database.is_closed():
            database.close()
    except (peewee.DatabaseError, peewee.InterfaceError, OSError):
        pass


def queue_figures(settings: Settings, client: redis.Redis) -> QueueFigures:
    """Queue length, failed jobs and workers of the document queue, read with ``client``."""
    queue = Queue(
        settings.section("queue").get("queue_name", "verbund"),
        connection=client,
        serializer=JSONSerializer,
    )
    workers = Worker.all(connection=client, queue=queue)
    beats = [w.last_heartbeat for w in workers if w.last_heartbeat is not None]
    age = None
    if beats:
        newest = max(b if b.tzinfo else b.replace(tzinfo=dt.UTC) for b in beats)
        age = max(0.0, (clock.wall_now() - newest).total_seconds())
    failed = FailedJobRegistry(queue=queue).count
    return QueueFigures(queued=queue.count, failed=failed, workers=len(workers), heartbeat_age=age)


def redis_state(settings: Settings) -> tuple[bool, QueueFigures | None]:
    """(Redis answers, its queue figures); figures are None when Redis does not answer."""
    client = probe_redis(settings)
    if client is None:
        return False, None
    try:
        return True, queue_figures(settings, client)
    except (redis.RedisError, OSError) as exc:
        log.warning("health check: Redis failed mid-check (%s)", type(exc).__name__)
        return False, None
    finally:
        client.close()


def check_health(settings: Settings) -> Health:
    """Check database, schema and Redis once."""
    reachable, schema = database_state()
    answers, figures = redis_state(settings)
    return Health(database=reachable, schema=schema, redis=answers, queue=figures)
