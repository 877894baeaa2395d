"""The periodic data-protection job (see server/jobs/periodic.py): idempotent, no arguments."""

from __future__ import annotations

import datetime as dt

from ..models import LoginFailure, database, utcnow
from ..runtime import current_runtime
from ..services.privacy.audit_lock import purge_audit
from ..services.privacy.retention import apply_retention

LOGIN_FAILURES_KEPT = dt.timedelta(days=1)


def run_privacy_maintenance() -> dict[str, int]:
    """Anonymise records past retention, purge old audit entries and login failures."""
    runtime = current_runtime()
    settings = runtime.settings
    with database.connection_context():
        anonymised = apply_retention(runtime.definitions)
        purged = 0
        days = int(settings.section("privacy").get("audit_retention_days", 0) or 0)
        if days > 0:
            purged = purge_audit(utcnow() - dt.timedelta(days=days))
        failures = (
            LoginFailure.delete().where(LoginFailure.at < utcnow() - LOGIN_FAILURES_KEPT).execute()
        )
    return {"anonymised": anonymised, "audit_purged": purged, "login_failures": failures}
