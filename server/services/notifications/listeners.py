"""The record events joined to notifications, at start-up (like data protection's guard).

:func:`register_notifications` connects every row of :data:`.kinds.WIRING`. A listener runs
inside the transaction of the change (see records/hooks.py): its notifications commit with
the change or not at all, and its e-mails are enqueued only after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...config import Settings
from ...models import Record
from ...schema.definitions import Definitions
from .calendar import INVITATIONS, meeting_moment
from .create import event_title, notify, record_title
from .kinds import WIRING, Wire
from .recipients import resolve, transition_of, without

# () -> (settings, definitions) of the runtime in use (a request's app, else the process's)
Provider = Callable[[], tuple[Settings, Definitions]]

_provider: Provider | None = None
_receivers: list[Callable[..., None]] = []  # blinker holds receivers weakly by default


def register_notifications(provider: Provider) -> None:
    """Connect the events of :data:`WIRING`; idempotent (a second call replaces the first)."""
    global _provider
    _provider = provider
    if _receivers:
        return
    for wire in WIRING:
        connect_wire(wire)


def connect_wire(wire: Wire) -> None:
    """Notify for one more event (a row like those of WIRING), e.g. a deadline signal.

    The signal's sender is a record or a record id; its keywords may carry ``user`` (who
    caused it: not told), ``event_id`` (what makes this occurrence unique; else
    ``deadline_id`` or ``deadline``, else the record ``version``) and ``user_ids`` or
    ``users`` (for the rule "given").
    """
    receiver = _receiver(wire)
    _receivers.append(receiver)
    wire.signal.connect(receiver, weak=False)


def _receiver(wire: Wire) -> Callable[..., None]:
    def receive(sender: Any, **event: Any) -> None:
        if _provider is None:
            return
        settings, defs = _provider()
        if isinstance(sender, Record) and not concerns(defs, wire, sender.workflow, event):
            return  # most saves and steps notify nobody: decided without a query
        # read again: the change updated the row, not the object the event carries
        record = Record.get_by_id(sender.id if isinstance(sender, Record) else int(sender))
        handle(settings, defs, wire, record, event)

    receive.__name__ = f"notify_{wire.kind}"
    return receive


def concerns(defs: Definitions, wire: Wire, workflow_id: str, event: dict[str, Any]) -> bool:
    """Whether ``event`` of a record of ``workflow_id`` can notify anyone under ``wire``."""
    workflow = defs.workflows.get(workflow_id)
    if workflow is None:
        return False
    if wire.kind == "transition":
        step = transition_of(workflow, event.get("from_state"), event.get("to_state"))
        return step is not None and bool(step.notify)
    if wire.kind == "meeting_invitation":
        invitation = INVITATIONS.get(workflow_id)
        return invitation is not None and event.get("form") == invitation.form
    return True


def handle(
    settings: Settings, defs: Definitions, wire: Wire, record: Record, event: dict[str, Any]
) -> list[int]:
    """Notify the people ``wire`` names of ``event`` about ``record``."""
    workflow = defs.workflows.get(record.workflow)
    if workflow is None:
        return []
    base = record_title(defs, record)
    detail: dict[str, Any] = {}
    occurrence = str(
        event.get("event_id")
        or event.get("deadline_id")
        or event.get("deadline")
        or event.get("version")
        or ""
    )
    if wire.kind == "handed_over":
        detail["whom"] = "Ihnen" if record.owner_id else "Ihrer Organisation"
    elif wire.kind == "transition":
        step = transition_of(workflow, event.get("from_state"), event.get("to_state"))
        if step is None or not step.notify:
            return []
        detail["label"] = step.label
    elif wire.kind == "meeting_invitation":
        invitation = INVITATIONS.get(workflow.id)
        if (
            invitation is None
            or event.get("form") != invitation.form
            or record.state not in invitation.states
        ):
            return []
        moment = meeting_moment(invitation, record.data or {})
        if moment is None:
            return []
        occurrence = moment  # a new date or time invites again
    people: list = []
    for rule in wire.rules:
        people += resolve(defs, workflow, record, rule, event)
    people = without(people, event.get("user"))
    if not people:
        return []
    title = event_title(wire.kind, base, detail)
    event_id = f"{record.id}:{occurrence}"
    return notify(settings, wire.kind, people, event_id, title, record_id=record.id)
