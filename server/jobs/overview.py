"""What the periodic jobs did, read from their recorded runs: for the admin jobs screen and
for ``GET /metrics``. A run still ``running`` long after any job could run was broken off
(its worker died): it counts as ``incomplete``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import peewee

from ..config import Settings
from ..models import PeriodicRun, utcnow
from ..queue.documents import job_timeout
from .periodic import PERIODIC

STATUS_LABELS = {
    "ok": "erfolgreich",
    "failed": "fehlgeschlagen",
    "incomplete": "unvollständig",
    "running": "läuft",
    "": "noch nie gelaufen",
}
PROBLEMS = ("failed", "incomplete")


@dataclass
class JobState:
    """The latest run and the latest success of one periodic job."""

    name: str
    label: str
    every: int
    status: str = ""  # of the latest run; "" when it never ran
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    items: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    error: str = ""
    last_success: dt.datetime | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def problem(self) -> bool:
        return self.status in PROBLEMS


def broken_off_before(settings: Settings, now: dt.datetime | None = None) -> dt.datetime:
    """A run started before this and still ``running`` will never end."""
    grace = int(settings.section("queue").get("stale_after", 30))
    return (now or utcnow()) - dt.timedelta(seconds=job_timeout(settings) + grace)


def status_of(run: PeriodicRun, settings: Settings, now: dt.datetime | None = None) -> str:
    if run.status == "running" and run.started_at < broken_off_before(settings, now):
        return "incomplete"
    return run.status


def job_states(settings: Settings, now: dt.datetime | None = None) -> list[JobState]:
    """Every periodic job of the table (and any other that recorded runs), in table order."""
    labels = {p.name: (p.label or p.name, p.every) for p in PERIODIC}
    names = list(labels)
    recorded = PeriodicRun.select(PeriodicRun.job).distinct().order_by(PeriodicRun.job)
    names += [r.job for r in recorded if r.job not in labels]
    states = []
    for name in names:
        label, every = labels.get(name, (name, 0))
        state = JobState(name, label, every)
        latest = (
            PeriodicRun.select()
            .where(PeriodicRun.job == name)
            .order_by(PeriodicRun.started_at.desc(), PeriodicRun.id.desc())
            .first()
        )
        if latest is not None:
            state.status = status_of(latest, settings, now)
            state.started_at, state.ended_at = latest.started_at, latest.ended_at
            state.items, state.counts, state.error = latest.items, latest.counts, latest.error
        state.last_success = (
            PeriodicRun.select(peewee.fn.MAX(PeriodicRun.ended_at))
            .where((PeriodicRun.job == name) & (PeriodicRun.status == "ok"))
            .scalar()
        )
        if isinstance(state.last_success, str):  # SQLite hands aggregates back as text
            state.last_success = dt.datetime.fromisoformat(state.last_success)
        states.append(state)
    return states


def problem_runs(settings: Settings, limit: int = 50) -> list[PeriodicRun]:
    """The newest failed, incomplete and broken-off runs (newest first)."""
    broken = (PeriodicRun.status == "running") & (
        PeriodicRun.started_at < broken_off_before(settings)
    )
    runs = list(
        PeriodicRun.select()
        .where(PeriodicRun.status.in_(PROBLEMS) | broken)
        .order_by(PeriodicRun.started_at.desc(), PeriodicRun.id.desc())
        .limit(limit)
    )
    for run in runs:
        run.shown_status = STATUS_LABELS[status_of(run, settings)]
        if run.status == "running":
            run.shown_status += " (abgebrochen)"
    return runs


def run_counts(settings: Settings) -> dict[tuple[str, str], int]:
    """(job, status) -> recorded runs (the last 30 days are kept)."""
    rows = (
        PeriodicRun.select(PeriodicRun.job, PeriodicRun.status, peewee.fn.COUNT(PeriodicRun.id))
        .group_by(PeriodicRun.job, PeriodicRun.status)
        .tuples()
    )
    return {(job, status): count for job, status, count in rows}
