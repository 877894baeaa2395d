"""E-mail jobs: send one e-mail (by id), the sweep for e-mails whose job got lost, and the
daily digest (both periodic, see periodic.py). The rules of sending once are in
:mod:`server.services.notifications.delivery`."""

from __future__ import annotations

from ..models import database
from ..queue.mail import enqueue_mail
from ..runtime import current_runtime
from ..services.notifications.delivery import deliver, pending_deliveries
from ..services.notifications.digest import make_digests


def send_mail_job(delivery_id: int) -> str:
    """RQ job: send e-mail ``delivery_id`` once; a second run or a racing worker sends none."""
    runtime = current_runtime()
    with database.connection_context():
        return deliver(runtime.settings, int(delivery_id))


def sweep_mail() -> int:
    """Periodic: enqueue e-mails still pending (Redis was away, a transaction not ours) or
    claimed by a worker that died; returns how many were enqueued."""
    settings = current_runtime().settings
    with database.connection_context():
        ids = pending_deliveries(settings)
    return sum(1 for i in ids if enqueue_mail(settings, i))


def send_digests() -> int:
    """Periodic: make today's due digests (once per person and day) and enqueue them."""
    settings = current_runtime().settings
    with database.connection_context():
        ids = make_digests(settings)
    for delivery_id in ids:
        enqueue_mail(settings, delivery_id)
    return len(ids)
