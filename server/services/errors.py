"""Errors an operation raises; each knows its HTTP status and carries a German message."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, errors: Any = None):
        super().__init__(message)
        self.message = message
        self.errors = errors


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409


class StaleVersion(Conflict):
    """The record changed since the caller read it. ``changed`` says so, by whom and which
    version it has now; screens keep the input and add what to do, the API says reload."""

    def __init__(self, changed: str):
        super().__init__(f"{changed} Bitte laden Sie ihn neu.")
        self.changed = changed


class Invalid(ServiceError):
    """Input the user can fix; ``errors`` is {field: [messages]} or a list of messages."""

    status = 422


class PeriodicIncomplete(Exception):
    """A periodic job did part of its work (``counts``) before ``cause`` stopped it.

    Raised by the operations a periodic job runs (e.g. reminders); the job runner
    (server/jobs/runs.py) records the run as incomplete and retries it."""

    def __init__(self, counts: dict[str, int], cause: BaseException | None = None):
        super().__init__(f"incomplete after {counts}")
        self.counts = counts
        self.cause = cause
