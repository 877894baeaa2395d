"""Runs of the periodic jobs (server/jobs/periodic.py): what ran, when, and how it ended."""

from __future__ import annotations

import peewee

from .base import BaseModel, JSONField, utcnow

RUN_STATUSES = ("running", "ok", "failed", "incomplete")


class PeriodicRun(BaseModel):
    """One run of one periodic job.

    ``status``: ``running`` until it ends, then ``ok``, ``failed`` (nothing or an unknown
    part done) or ``incomplete`` (part of the work done, the rest left for a retry).
    ``counts`` holds numbers only ({"created": 12}); ``error`` only the kind of error (the
    exception class and, for a few known database messages without data, that message) –
    never an exception's text, which may quote personal data.
    """

    job = peewee.CharField(max_length=64)
    started_at = peewee.DateTimeField(default=utcnow)
    ended_at = peewee.DateTimeField(null=True)
    status = peewee.CharField(max_length=16, default="running")
    counts = JSONField(default=dict)
    items = peewee.IntegerField(default=0)  # sum of counts: the items done
    error = peewee.CharField(max_length=120, default="")

    class Meta:
        indexes = (
            (("job", "started_at"), False),
            (("status", "started_at"), False),
        )
