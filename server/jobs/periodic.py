"""Periodic jobs, as a table: what runs, and how often.

Every worker calls :func:`enqueue_due` from RQ's maintenance step (see worker.py), which
runs between jobs and at least every ``[queue] sweep_interval`` seconds while idle. A Redis
key per job (SET NX EX) makes sure that across any number of workers on any number of
machines each job is enqueued once per interval; the jobs themselves are idempotent, so a
lost key or a second run changes nothing. (Pending documents have their own sweep with
live-job detection, :mod:`.sweep`.)

Each job runs inside :func:`.runs.run_periodic`, which records the run (status, counts, kind
of error) for the admin jobs screen and ``GET /metrics``; a failed or incomplete run is
retried by RQ with backoff (``RETRY``), and the next interval runs the job again anyway.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from rq import Retry

from ..config import Settings
from ..queue.connection import get_redis
from ..queue.documents import document_queue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Periodic:
    name: str
    function: str  # import path of a job function without arguments
    every: int  # seconds
    label: str = ""  # German, for the admin jobs screen
    item: str = "items"  # what a job returning a plain number counted


PERIODIC = (
    Periodic(
        "deadline-reminders",
        "server.jobs.maintenance.create_deadline_reminders",
        600,
        "Erinnerungen an fällige Fristen",
        "created",
    ),
    Periodic(
        "deadline-escalation",
        "server.jobs.maintenance.announce_and_escalate_deadlines",
        600,
        "Fristen: Fälligkeit melden, Überfälliges eskalieren",
    ),
    # retention (anonymise the day after the period ends), audit purge, login failures
    Periodic(
        "privacy",
        "server.jobs.privacy.run_privacy_maintenance",
        3600,
        "Datenschutz: Aufbewahrung, Protokoll, Anmeldefehler",
    ),
    # directory accounts of people who left are deactivated without waiting for a login
    Periodic(
        "directory-sync",
        "server.jobs.maintenance.sync_directory",
        900,
        "Verzeichnis-Konten abgleichen (LDAP)",
    ),
    # e-mails whose job never reached Redis, or whose worker died while sending
    Periodic(
        "mail-sweep",
        "server.jobs.mail.sweep_mail",
        60,
        "E-Mails nachsenden (Benachrichtigungen)",
        "enqueued",
    ),
    # once per person and day (digest key), from [mail] digest_hour on
    Periodic(
        "mail-digest",
        "server.jobs.mail.send_digests",
        900,
        "Tägliche Zusammenfassung der Benachrichtigungen",
        "digests",
    ),
    Periodic(
        "unused-uploads",
        "server.jobs.maintenance.remove_unused_uploads",
        3600,
        "Ungenutzte Uploads entfernen",
        "removed",
    ),
    # the period tally's days of months past folded into one row per month (issue 21)
    Periodic(
        "tally-months",
        "server.jobs.maintenance.fold_tally_months",
        6 * 3600,
        "Zähler: vergangene Monate zusammenfassen",
        "workflows",
    ),
    # indexes on the dates start pages look up (PostgreSQL; services/records/date_indexes.py)
    Periodic(
        "date-indexes",
        "server.jobs.maintenance.build_date_indexes",
        900,
        "Indizes für Termine der Startseiten",
        "created",
    ),
    # Lenkungskreis report files older than [documents] report_file_days
    Periodic(
        "old-report-files",
        "server.jobs.report_documents.remove_old_report_files_job",
        3600,
        "Alte Berichtsdateien löschen",
        "removed",
    ),
)

RETRY = Retry(max=3, interval=[30, 120, 600])

KEY = "verbund:periodic:{}"


def enqueue_due(settings: Settings, table: tuple[Periodic, ...] = PERIODIC) -> list[str]:
    """Enqueue every periodic job whose interval has passed; returns their names."""
    connection = get_redis(settings)
    queue = document_queue(settings)
    started = []
    for job in table:
        if connection.set(KEY.format(job.name), "1", nx=True, ex=job.every):
            queue.enqueue(
                "server.jobs.runs.run_periodic",
                job.name,
                job.function,
                job.item,
                job_id=f"periodic-{job.name}",
                retry=RETRY,
                result_ttl=job.every,
                failure_ttl=24 * 3600,
                description=job.name,
            )
            started.append(job.name)
    return started
