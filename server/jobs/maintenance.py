"""Periodic job functions (see periodic.py): each idempotent, each taking no arguments."""

from __future__ import annotations

from ..models import database
from ..runtime import get_runtime
from ..services.deadlines import create_reminders


def create_deadline_reminders() -> int:
    """Reminders for due and overdue deadlines; returns how many were new."""
    get_runtime()
    with database.connection_context():
        return create_reminders()


def sweep_pending_documents(older_than_seconds: int = 120) -> int:
    """Enqueue again document requests left pending (Redis, worker or server died)."""
    from .worker import requeue_pending

    return requeue_pending(get_runtime(), older_than_seconds)
