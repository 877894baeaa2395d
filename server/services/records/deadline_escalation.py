"""Announcing due and overdue deadlines, and escalating those overdue too long.

Both run in the periodic deadline job and may run any number of times, also side by side:
each deadline row says what was already done (``announced``, ``escalated_at``), and rows are
claimed by a conditional UPDATE before their events are sent, so every event goes out once.
Each claim is a short transaction (a page of announcements, or one escalation), and the
events are sent inside it: a listener (the notifications, later) writes with the claim or
not at all. Claiming a page uses UPDATE … RETURNING (PostgreSQL, SQLite from 3.35).

Events carry ids only (see :class:`.hooks.RecordEvents`); nothing of the case is read here.
"""

from __future__ import annotations

import datetime as dt
import logging

import peewee

from ... import clock
from ...models import Deadline, Record, Reminder, User, transaction, utcnow
from ...schema.definitions import DeadlineDef, Definitions
from ..errors import PeriodicIncomplete
from .hooks import record_events

log = logging.getLogger(__name__)

CHUNK = 200  # deadlines read per page, then claimed in a short transaction
TRIES = 3  # a claim refused by a lock is tried again this often


def _pages(query):
    """Ids of ``query`` page by page (keyset), read completely before anything is written."""
    last = 0
    while True:
        ids = [row.id for row in query.where(Deadline.id > last).order_by(Deadline.id).limit(CHUNK)]
        if not ids:
            return
        yield ids
        last = ids[-1]


def _announce(kind: str, condition, before: tuple[str, ...], signal) -> int:
    """Claim a page of deadlines at a time (UPDATE … RETURNING, one short transaction) and
    send the event of each claimed one inside that transaction."""
    base = Deadline.select(Deadline.id).where(
        Deadline.closed_at.is_null() & condition & Deadline.announced.in_(before)
    )
    sent = 0
    for ids in _pages(base):
        sent += _retried(lambda ids=ids: _claim_page(kind, ids, before, signal), sent)
    return sent


def _claim_page(kind: str, ids: list[int], before: tuple[str, ...], signal) -> int:
    with transaction():
        claimed = (
            Deadline.update(announced=kind)
            .where(
                Deadline.id.in_(ids) & Deadline.closed_at.is_null() & Deadline.announced.in_(before)
            )
            .returning(Deadline.id, Deadline.record)
            .execute()
        )
        rows = list(claimed)
        for row in rows:
            signal.send(row.record_id, deadline=row.id)
        return len(rows)


def _retried(write, done: int) -> int:
    """``write()``, tried again when the database refuses the lock (SQLite while another
    connection writes); still refused: the run is incomplete and RQ retries it."""
    for attempt in range(TRIES):
        try:
            return write()
        except peewee.OperationalError as exc:
            if attempt + 1 == TRIES:
                raise PeriodicIncomplete({"done": done}, exc) from exc
    return 0


def announce_deadlines(today: dt.date | None = None) -> int:
    """Send ``deadline_overdue`` and ``deadline_due`` once per deadline; returns how many.

    A deadline first seen overdue gets only the overdue event (a "due" one would be late).
    """
    today = today or clock.today()
    sent = _announce(
        "overdue", Deadline.due_on < today, ("", "due"), record_events.deadline_overdue
    )
    return sent + _announce("due", Deadline.due_on <= today, ("",), record_events.deadline_due)


def escalate_deadlines(defs: Definitions, today: dt.date | None = None) -> int:
    """Escalate each open deadline overdue ``escalate_after_days`` (at least one day).

    The deadline is marked (``escalated_at``, ``escalated_to``: the page says "eskaliert an
    Teamleitung"), the people with the role get a reminder of kind "escalated" on their
    start page, and ``deadline_escalated`` is sent; returns how many were escalated.
    """
    today = today or clock.today()
    escalated = 0
    recipients = _Recipients()
    for workflow in defs.workflows.values():
        for d in workflow.deadlines:
            if d.escalate_after_days is None or not d.escalate_to:
                continue
            latest = today - dt.timedelta(days=max(d.escalate_after_days, 1))
            query = (
                Deadline.select(Deadline.id)
                .join(Record)
                .where(
                    (Record.workflow == workflow.id)
                    & (Deadline.state == d.state)
                    & (Deadline.label == d.label)
                    & Deadline.closed_at.is_null()
                    & Deadline.escalated_at.is_null()
                    & (Deadline.due_on <= latest)
                )
            )
            for ids in _pages(query):
                for deadline_id in ids:
                    escalated += _retried(
                        lambda i=deadline_id, d=d: _escalate(d, i, recipients), escalated
                    )
    return escalated


def _escalate(d: DeadlineDef, deadline_id: int, recipients: _Recipients) -> int:
    with transaction():
        claimed = (
            Deadline.update(escalated_at=utcnow(), escalated_to=d.escalate_to)
            .where(
                (Deadline.id == deadline_id)
                & Deadline.closed_at.is_null()
                & Deadline.escalated_at.is_null()
            )
            .execute()
        )
        if not claimed:
            return 0  # closed or escalated by another run meanwhile
        record = Record.select(Record.id, Record.organisation).where(
            Record.id == Deadline.select(Deadline.record).where(Deadline.id == deadline_id)
        )
        record = record.get()
        people = recipients.of(d, record.organisation_id)
        if not people:
            # the escalation stays visible on the deadline; ids only in the log
            log.warning("Frist %s: niemand mit der Rolle %s erreichbar", deadline_id, d.escalate_to)
        now = utcnow()
        if people:
            Reminder.insert_many(
                [
                    {"deadline": deadline_id, "user": user, "kind": "escalated", "created_at": now}
                    for user in people
                ]
            ).on_conflict_ignore().execute()
        record_events.deadline_escalated.send(
            record.id, deadline=deadline_id, role=d.escalate_to, users=tuple(people)
        )
        return 1


class _Recipients:
    """Active people by role and organisation, looked up once per run."""

    def __init__(self) -> None:
        self._by_org: dict[int | None, list[tuple[int, frozenset[str]]]] = {}

    def _people(self, organisation: int | None) -> list[tuple[int, frozenset[str]]]:
        if organisation not in self._by_org:
            query = User.select(User.id, User.roles).where(User.active == True)  # noqa: E712
            if organisation is not None:
                query = query.where(User.organisation == organisation)
            self._by_org[organisation] = [(u.id, frozenset(u.roles or [])) for u in query]
        return self._by_org[organisation]

    def of(self, d: DeadlineDef, organisation: int | None) -> list[int]:
        """Ids of the people ``d`` escalates to for a record of ``organisation``."""
        if d.escalate_scope == "organisation":
            if organisation is None:
                return []
            people = self._people(organisation)
        else:
            people = self._people(None)
        return [user for user, roles in people if d.escalate_to in roles]
