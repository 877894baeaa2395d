"""Data protection joins the record services: its guard and its facts, at start-up.

Called by :func:`server.runtime.start_runtime`, which every entry point goes through (the
app factory, every ``verbund`` command, the worker, jobs that find no runtime yet).
"""

from __future__ import annotations

from ..records import hooks
from .consent import consent_facts, withdrawal_refusal

CONSENT_GUARD = "privacy.consent"
CONSENT_FACTS = ("consent_given", "consent_withdrawn")


def register_privacy() -> None:
    """Register the consent guard and ``record.consent_given``/``consent_withdrawn``.

    Idempotent: registering again replaces the same entries.
    """
    hooks.add_guard(CONSENT_GUARD, withdrawal_refusal)
    hooks.add_facts(CONSENT_FACTS, consent_facts)
