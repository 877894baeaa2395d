"""Periodic jobs: enqueued once per interval across workers, and idempotent when run."""

from __future__ import annotations

import datetime as dt

from server import clock
from server.jobs.periodic import PERIODIC, Periodic, enqueue_due
from server.models import Reminder
from server.runtime import current_runtime


def test_each_periodic_job_is_enqueued_once_per_interval(app):
    settings = current_runtime(app).settings
    first = enqueue_due(settings)
    assert sorted(first) == sorted(p.name for p in PERIODIC)
    assert enqueue_due(settings) == []  # a second worker at the same time: nothing
    short = (Periodic("probe", "server.jobs.maintenance.create_deadline_reminders", 1),)
    assert enqueue_due(settings, short) == ["probe"]


def test_reminder_job_runs_through_the_worker(app, api, work_jobs):
    club = api("per1", ["applicant"], "per")
    rid = club.post("/records", json={"workflow": "foerderung"}).json["id"]
    club.put(
        f"/records/{rid}/forms/antrag",
        json={
            "version": 1,
            "data": {
                "verein": "V",
                "email": "v@example.org",
                "beginn": "2027-01-01",
                "zweck": "z",
                "betrag": 1,
                "posten": [{"posten": "p", "betrag": 1}],
            },
        },
    )
    club.post(f"/records/{rid}/transitions", json={"to": "eingereicht", "version": 2})
    clock.freeze(dt.date.today() + dt.timedelta(days=30))
    try:
        enqueue_due(current_runtime(app).settings)
        work_jobs()
        assert Reminder.select().count() == 1
    finally:
        clock.freeze(None)
