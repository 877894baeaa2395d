"""Periodic job functions (see periodic.py): each idempotent, each taking no arguments."""

from __future__ import annotations

from ..directory_settings import DirectorySettings
from ..models import database
from ..runtime import current_runtime
from ..services.accounts.directory_sync import sync_directory_accounts
from ..services.records.date_indexes import ensure_date_indexes
from ..services.records.deadline_escalation import announce_deadlines, escalate_deadlines
from ..services.records.deadlines import create_reminders
from ..services.records.tally_fold import fold_period_months
from ..services.records.unused_uploads import remove_unused_uploads as remove_unused


def remove_unused_uploads() -> int:
    """Uploads a day old that no save of their record took up; returns how many went."""
    current_runtime()
    with database.connection_context():
        return remove_unused()


def fold_tally_months() -> int:
    """The period tally's old days folded into months; returns how many workflows."""
    current_runtime()
    with database.connection_context():
        return fold_period_months()


def build_date_indexes() -> dict[str, int]:
    """The indexes on the dates of the start pages' ``upcoming`` blocks (PostgreSQL):
    missing or broken ones built, unwanted ones dropped; returns the counts."""
    runtime = current_runtime()
    with database.connection_context():
        return ensure_date_indexes(runtime.settings)


def create_deadline_reminders() -> int:
    """Reminders for due and overdue deadlines; returns how many were new."""
    current_runtime()
    with database.connection_context():
        return create_reminders()


def announce_and_escalate_deadlines() -> dict[str, int]:
    """Due/overdue events once per deadline, and escalations of those overdue too long."""
    runtime = current_runtime()
    with database.connection_context():
        return {
            "announced": announce_deadlines(),
            "escalated": escalate_deadlines(runtime.definitions),
        }


def sync_directory() -> dict[str, int]:
    """Directory accounts follow the directory ([ldap]); deactivated when gone there."""
    runtime = current_runtime()
    settings = DirectorySettings.from_section(runtime.settings.section("ldap"))
    with database.connection_context():
        return sync_directory_accounts(settings, set(runtime.definitions.roles))
