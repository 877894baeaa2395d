"""What other rules add to the record services: guards, facts and record events.

The record services know no data protection. Rules that limit work on a record register
here at start-up (:func:`server.runtime.start_runtime` calls
:func:`server.services.privacy.register.register_privacy`), the way Indico's modules
connect to its signals:

- a *guard* may refuse work on a record (saving, a step, an upload, a document) with a German
  message; :func:`work_refusal` asks every guard before each change, and again under the
  record's lock;
- a *fact provider* answers names of ``record`` that expressions ask for
  (``record.consent_given``), looked up only when an expression uses one;
- :data:`record_events` are sent after each change, inside its transaction: a listener's
  writes commit with the change or not at all, and a listener that raises undoes it.

An empty registry must not mean "no rules": until the runtime declares the set-up complete
(:func:`declare_installed`), :func:`work_refusal` raises :class:`HooksNotInstalled`, so a
script that skipped the runtime fails loudly instead of working on a record whose consent
was withdrawn. Anonymisation is a state of the record (``RecordPrivacy``), not a rule: it
is refused here directly, registered or not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from blinker import Namespace

from ...models import Record, is_anonymised
from ...schema.definitions import WorkflowDef

ANONYMISED_MESSAGE = "Dieser Datensatz ist anonymisiert und kann nicht mehr bearbeitet werden."

# (workflow, record, target state of a step or None for other work) -> refusal or None
RecordGuard = Callable[[WorkflowDef, Record, str | None], str | None]
# (workflow or None, record id) -> facts by name, e.g. {"consent_given": True, ...}
FactProvider = Callable[[WorkflowDef | None, int], dict[str, Any]]


class HooksNotInstalled(RuntimeError):
    """The record services were used before the runtime registered the rules on records."""


_guards: dict[str, RecordGuard] = {}
_facts: dict[str, FactProvider] = {}
_installed = False

_signals = Namespace()


class RecordEvents:
    """Record events (blinker signals; the sender is the record, ``user`` who did it).

    ``created(record, user, workflow)``, ``saved(record, user, form, version)``,
    ``transitioned(record, user, from_state, to_state, version)``,
    ``handed_over(record, user, version)``, ``anonymised(record, user, reason)``
    (``user`` None when the retention job anonymised it).

    Deadline events come from the periodic deadline job, once per deadline and kind, and
    carry ids only (the sender is the record's id, ``deadline`` the deadline's id), so a
    notification can be built later without any case content passing through:
    ``deadline_due(record_id, deadline)``, ``deadline_overdue(record_id, deadline)``,
    ``deadline_escalated(record_id, deadline, role, users)`` (``users``: ids of the people
    it was escalated to).
    """

    created = _signals.signal("record-created")
    saved = _signals.signal("record-saved")
    transitioned = _signals.signal("record-transitioned")
    handed_over = _signals.signal("record-handed-over")
    anonymised = _signals.signal("record-anonymised")
    deadline_due = _signals.signal("deadline-due")
    deadline_overdue = _signals.signal("deadline-overdue")
    deadline_escalated = _signals.signal("deadline-escalated")


record_events = RecordEvents()


def add_guard(name: str, guard: RecordGuard) -> None:
    """Register ``guard`` under ``name`` (registering a name again replaces it)."""
    _guards[name] = guard


def remove_guard(name: str) -> None:
    """Take the guard ``name`` out again (a rule switched off; tests)."""
    _guards.pop(name, None)


def add_facts(names: Iterable[str], provider: FactProvider) -> None:
    """Let ``provider`` answer the ``record`` names ``names`` in expressions."""
    for name in names:
        _facts[name] = provider


def declare_installed() -> None:
    """Called by the runtime once every rule on records is registered."""
    global _installed
    _installed = True


def installed_guards() -> list[str]:
    """Names of the registered guards (what start-up checks, and tests)."""
    return sorted(_guards) if _installed else []


def _require_installed() -> None:
    if not _installed:
        raise HooksNotInstalled(
            "Die Regeln für Datensätze (Einwilligung) sind nicht eingetragen: "
            "server.runtime.start_runtime() wurde nicht aufgerufen."
        )


def work_refusal(
    workflow: WorkflowDef,
    record: Record,
    target: str | None = None,
    *,
    anonymised: bool | None = None,
) -> str | None:
    """Why the record may not be worked on now, or None.

    ``target`` is the state of a transition (a guard may allow closing a record it refuses
    to save); None for saving, uploading and documents. ``anonymised``: whether the record
    was anonymised, when the caller has just read it (saves asking the database again).
    """
    if anonymised if anonymised is not None else is_anonymised(record.id):
        return ANONYMISED_MESSAGE
    _require_installed()
    for guard in _guards.values():
        if refusal := guard(workflow, record, target):
            return refusal
    return None


def fact_provider(name: str) -> FactProvider | None:
    """The provider of the ``record`` name ``name`` in expressions, or None."""
    _require_installed()
    return _facts.get(name)
