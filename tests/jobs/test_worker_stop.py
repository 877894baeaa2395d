"""A worker asked to stop is gone within seconds, not a minute.

RQ listens for its commands in a redis-py pub/sub thread. When that thread has already seen
its channel go before the worker stops it, redis-py (8.2) lets it wait a whole poll for a new
subscription while the worker joins it: RQ's own poll is 60 s, so every burst, every SIGTERM
from ``verbund serve`` or systemd, and every test that works the queue waited a minute. The
race depends on the machine's load; here it is produced on purpose.
"""

from __future__ import annotations

import time

from rq import SimpleWorker

from server.jobs.worker import make_worker
from server.runtime import current_runtime


def stop_after_the_thread_saw_the_channel_go(worker) -> float:
    """Seconds the worker takes to stop when its pub/sub thread is already idle."""
    worker.subscribe()
    time.sleep(0.3)
    worker.pubsub.unsubscribe()  # what RQ's stop sends first; the thread reads the answer
    time.sleep(0.5)
    started = time.monotonic()
    worker.unsubscribe()
    return time.monotonic() - started


def test_the_worker_stops_within_seconds_when_its_command_thread_is_idle(app):
    worker = make_worker(current_runtime(app))
    assert isinstance(worker, SimpleWorker)
    # one poll of the command thread at most; RQ's default would be 60 s
    assert stop_after_the_thread_saw_the_channel_go(worker) < 10
    assert not worker.pubsub_thread.is_alive()


def test_the_forking_worker_stops_as_promptly(app):
    worker = make_worker(current_runtime(app), worker_class="fork")
    assert stop_after_the_thread_saw_the_channel_go(worker) < 10
    assert not worker.pubsub_thread.is_alive()
