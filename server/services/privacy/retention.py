"""Retention: which records are due for anonymisation, and the job that anonymises them.

A record that reached a final state on day D under a rule of period P is kept through day
D + P and anonymised from the next day on (Berlin dates, :mod:`server.clock`). The day it
reached the state is the day of its last transition into it. Records under a legal hold
are skipped and listed for the DPO instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee

from ... import clock
from ...forms.links import MAX_ID
from ...models import Record, RecordPrivacy, TransitionLog, User, transaction, utcnow
from ...schema.definitions import Definitions, RetentionDef, WorkflowDef
from ..audit import audit
from ..errors import Forbidden, Invalid, NotFound
from ..records.search import purge_removed_text
from .anonymise import anonymise_record
from .dates import add_period


@dataclass(frozen=True)
class Due:
    record_id: int
    workflow: str
    state: str
    reached_on: dt.date
    keep_until: dt.date
    held: bool


def local_day(moment: dt.datetime) -> dt.date:
    """The Berlin date of a naive-UTC database timestamp."""
    return moment.replace(tzinfo=dt.UTC).astimezone(clock.LOCAL_ZONE).date()


def keep_until(rule: RetentionDef, reached_on: dt.date) -> dt.date:
    """The last day a record that reached ``rule.state`` on ``reached_on`` is kept intact."""
    return add_period(reached_on, rule.years, rule.months, rule.days)


def _candidates(workflow: WorkflowDef, rule: RetentionDef, until: dt.date):
    """(record id, reached at, held) for unanonymised records in the rule's state that
    reached it no later than ``until`` would allow (a generous bound; checked exactly after)."""
    reached = (
        TransitionLog.select(
            TransitionLog.record.alias("rid"), peewee.fn.MAX(TransitionLog.at).alias("reached")
        )
        .where(TransitionLog.to_state == rule.state)
        .group_by(TransitionLog.record)
        .alias("reached")
    )
    # a period is at least this many days long; UTC midnight of the day that far back lies
    # after the local midnight (Berlin is ahead of UTC), so the bound is generous
    shortest = rule.years * 365 + rule.months * 28 + rule.days
    bound = dt.datetime.combine(until - dt.timedelta(days=shortest), dt.time())
    query = (
        Record.select(Record.id, reached.c.reached, RecordPrivacy.hold)
        .join(reached, on=(reached.c.rid == Record.id))
        .join(
            RecordPrivacy,
            peewee.JOIN.LEFT_OUTER,
            on=(RecordPrivacy.record == Record.id),
        )
        .where(
            (Record.workflow == workflow.id)
            & (Record.state == rule.state)
            & RecordPrivacy.anonymised_at.is_null()
            & (reached.c.reached < bound)
        )
        .tuples()
    )
    for record_id, reached_at, held in query:
        if isinstance(reached_at, str):  # SQLite hands aggregates back as text
            reached_at = dt.datetime.fromisoformat(reached_at)
        yield record_id, reached_at, bool(held)


def due_records(defs: Definitions, today: dt.date | None = None, ahead_days: int = 0) -> list[Due]:
    """Records whose retention ends before ``today + ahead_days`` (held ones included)."""
    today = today or clock.today()
    horizon = today + dt.timedelta(days=ahead_days)
    out = []
    for workflow in defs.workflows.values():
        for rule in workflow.retention:
            for record_id, reached_at, held in _candidates(workflow, rule, horizon):
                reached_on = local_day(reached_at)
                until = keep_until(rule, reached_on)
                if until < horizon:
                    out.append(Due(record_id, workflow.id, rule.state, reached_on, until, held))
    return sorted(out, key=lambda d: (d.keep_until, d.record_id))


def apply_retention(defs: Definitions, today: dt.date | None = None) -> int:
    """Anonymise every record past its retention that is not held; returns how many."""
    done = 0
    for due in due_records(defs, today):
        if not due.held and anonymise_record(defs, due.record_id, reason="retention", purge=False):
            done += 1
    if done:
        purge_removed_text()  # once for the batch: it rewrites the whole search index
    return done


def set_hold(defs: Definitions, user: User, record_id, reason: str, hold: bool = True) -> None:
    """Put a legal hold on a record (or lift it); the reason is required to set one."""
    record = Record.get_or_none(Record.id == _int(record_id))
    if record is None or record.workflow not in defs.workflows:
        raise NotFound("Datensatz nicht gefunden.")
    reason = (reason or "").strip()[:300]
    if hold and not reason:
        raise Invalid("Bitte einen Grund für die Sperre angeben.", {"reason": ["Grund fehlt."]})
    with transaction():
        row, _ = RecordPrivacy.get_or_create(record=record.id)
        if row.anonymised_at is not None:
            raise Forbidden("Der Datensatz ist bereits anonymisiert.")
        RecordPrivacy.update(
            hold=hold,
            hold_reason=reason if hold else "",
            hold_by=user if hold else None,
            hold_at=utcnow() if hold else None,
        ).where(RecordPrivacy.id == row.id).execute()
        audit(
            "record.hold" if hold else "record.release",
            user,
            record_id=record.id,
            object_type="record",
            object_id=record.id,
            detail={"reason": reason} if hold else {},
        )


def anonymise_on_request(defs: Definitions, user: User, record_id) -> None:
    """Anonymise a record now (erasure request, withdrawn consent); not while it is held."""
    record = Record.get_or_none(Record.id == _int(record_id))
    if record is None:
        raise NotFound("Datensatz nicht gefunden.")
    row = RecordPrivacy.get_or_none(RecordPrivacy.record == record.id)
    if row is not None and row.hold:
        raise Forbidden(
            "Der Datensatz ist gesperrt (Aufbewahrungspflicht); erst die Sperre aufheben."
        )
    if not anonymise_record(defs, record.id, reason="request", user=user):
        raise Forbidden("Der Datensatz ist bereits anonymisiert.")


def _int(value) -> int:
    """A record id typed by a person; 0 (no record) for anything else or beyond 64 bits."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < MAX_ID else 0
