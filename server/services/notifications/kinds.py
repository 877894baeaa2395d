"""The kinds of notification, and which event feeds which kind for whom (a table).

A new event is one row in :data:`WIRING` (like the admin ``VIEWS`` and the ``PERIODIC``
table): the blinker signal, the kind it becomes, and the recipient rules. Rules are the words
of ``notify`` in a workflow's transitions ("owner", "creator", "organisation", "role:<id>")
plus those only code can name ("handover", "members", "given", "transition"); see
:mod:`.recipients`.

The deadline events come from the periodic deadline job (records/deadline_escalation.py),
once per deadline and kind, with ids only: the sender is the record's id, ``deadline`` the
deadline's id (what makes the occurrence unique), and for an escalation ``users``, the ids
of the people it was escalated to (the rule "given"). :func:`.listeners.connect_wire`
connects one more row at run time.
"""

from __future__ import annotations

from dataclasses import dataclass

from blinker import Signal

from ..records.hooks import record_events


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # German, in the inbox and the choices
    switchable: bool = True  # False: e-mail cannot be switched off (escalations)


KINDS = (
    Kind("handed_over", "Übergabe an mich oder meine Organisation"),
    Kind("transition", "Schritt in einem Ablauf (z. B. Vorschlag entschieden)"),
    Kind("meeting_invitation", "Einladung zu einer Sitzung"),
    Kind("document_failed", "Dokument konnte nicht erstellt werden"),
    Kind("deadline_due", "Frist fällig"),
    Kind("deadline_overdue", "Frist überschritten"),
    Kind("deadline_escalated", "Frist eskaliert", switchable=False),
)
KIND_BY_NAME = {k.name: k for k in KINDS}

MODE_LABELS = {
    "immediate": "sofort per E-Mail",
    "digest": "einmal täglich als Zusammenfassung",
    "off": "keine E-Mail (nur hier im Postfach)",
}


@dataclass(frozen=True)
class Wire:
    """An event (a blinker signal about a record) → a kind → recipient rules."""

    signal: Signal
    kind: str
    rules: tuple[str, ...]


WIRING: tuple[Wire, ...] = (
    # the new owner; handed to an organisation only: its people who may read the record
    Wire(record_events.handed_over, "handed_over", ("handover",)),
    # whom the transition's ``notify`` names in the workflow TOML (proposal decided, …)
    Wire(record_events.transitioned, "transition", ("transition",)),
    # saving an invitation form with a date: the members in its table (calendar.INVITATIONS)
    Wire(record_events.saved, "meeting_invitation", ("members",)),
    # a deadline due or overdue: whoever is responsible – the owner, else (unassigned) the
    # people of the record's organisation who may read it
    Wire(record_events.deadline_due, "deadline_due", ("responsible",)),
    Wire(record_events.deadline_overdue, "deadline_overdue", ("responsible",)),
    # escalated: the people it was escalated to (e.g. the team lead of its organisation)
    Wire(record_events.deadline_escalated, "deadline_escalated", ("given",)),
)
# not a signal: the document job calls create.notify_document_failed (jobs/documents.py)
DOCUMENT_FAILED_RULE = ("requester",)
