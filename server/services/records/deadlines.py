"""Deadlines: who sees which open ones, and the reminders when they are due.

Planning them is :mod:`.deadline_plans`; escalating and announcing them :mod:`.deadline_escalation`.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from typing import Any

import peewee

from ... import clock
from ...models import Deadline, Record, Reminder, User, is_sqlite, transaction, unindexed, utcnow
from ...schema.definitions import Definitions
from ..errors import PeriodicIncomplete
from ..paging import COUNT_LIMIT, Paged, count_upto, paginate
from .access import readable_records, readable_scopes

DEADLINES_PER_PAGE = 50  # rows of the "Fristen" screen
# GET /api/v1/deadlines: a page at most (and by default: the unpaged answer had this many)
DEADLINES_API_PAGE = 500


# readable records up to which a person's open deadlines are looked up record by record
# (SQLite; see _open_query): a case manager's caseload, not a team's
FEW_RECORDS = 1_000
# the "Fristen" screen counts this far and then says "mehr als 1000" (the API counts on to
# paging.COUNT_LIMIT, as it always did)
SCREEN_COUNT_LIMIT = 1_000
# the index of an organisation's records by person and phase (models/records.py)
BY_PERSON_AND_PHASE = "record_workflow_organisation_id_owner_id_state"


def _narrowed(
    query, user: User, *, mine: bool, overdue: bool, escalated: bool, closed=None, due=None
):
    """``query`` (deadlines joined to their records): the open ones, with the screen's
    filters (``closed``, ``due``: the columns that say open and when, as the plan needs
    them written)."""
    query = query.where((Deadline.closed_at if closed is None else closed).is_null())
    if mine:
        query = query.where(Record.owner == user.id)
    if overdue:
        query = query.where((Deadline.due_on if due is None else due) < clock.today())
    if escalated:
        query = query.where(Deadline.escalated_at.is_null(False))
    return query


def _open_query(
    defs: Definitions, user: User, *, mine: bool, overdue: bool, escalated: bool
) -> peewee.ModelSelect:
    """Open deadlines of records ``user`` may read, with record and owner, soonest first.

    Two plans, one result (issue 21). Few readable records (a case manager's own cases,
    ``mine``, or a small organisation's; at most :data:`FEW_RECORDS` of them – SQLite
    counts them, PostgreSQL reads their ids): their open deadlines are looked up by record
    and sorted – bounded by the caseload, whatever the table holds. Many (a large
    organisation): the open deadlines are walked in date order and each one's record
    checked against the scope on the joined row, which stops after one page instead of
    first listing every readable record. SQLite without table
    statistics took the walk for both, so a case manager's page read every open deadline
    of the installation to find her own.
    """
    filters = {"mine": mine, "overdue": overdue, "escalated": escalated}
    query = (
        # the record and its owner in the same query: the tables name both on every row
        Deadline.select(Deadline, Record, User)
        .join(Record)
        .join(User, peewee.JOIN.LEFT_OUTER, on=(Record.owner == User.id))
        .order_by(Deadline.due_on, Deadline.id)
    )
    records = readable_records(defs, user, Record.select(Record.id))
    if mine:
        records = records.where(Record.owner == user.id)
    if is_sqlite() and not count_upto(records, FEW_RECORDS)[1]:
        # few records: their open deadlines' ids from (record_id, closed_at) alone, then
        # only those rows. Given the records as a join condition, SQLite went from each
        # readable record's row (its JSON) to its deadlines, open or not: a team lead's
        # 860 records at a million, 3.4 ms per list, 1.4 ms so. Outside, open and date stay
        # unindexed: the date index would tempt the planner into the walk.
        open_ids = Deadline.select(Deadline.id).where(
            Deadline.record.in_(records) & Deadline.closed_at.is_null()
        )
        query = query.where(Deadline.id.in_(open_ids))
        closed, due = unindexed(Deadline.closed_at), unindexed(Deadline.due_on)
        return _narrowed(
            query, user, mine=False, overdue=overdue, escalated=escalated, closed=closed, due=due
        )
    if not is_sqlite():
        ids = [row[0] for row in records.limit(FEW_RECORDS + 1).tuples()]
        if len(ids) <= FEW_RECORDS:
            # few records, named by id: given them as a join, PostgreSQL walked the date
            # index testing each row – 363 ms for a team lead of 314 cases among a million
            # (her organisation one of a thousand). By the list it still walked it, hoping
            # for ten early matches (25 ms, 25,000 rows skipped); sorted by an expression no
            # index gives (date + 0 days: the same order) it looks them up by record: 3 ms
            query = query.where(Deadline.record.in_(ids)).order_by(Deadline.due_on + 0, Deadline.id)
            return _narrowed(query, user, mine=False, overdue=overdue, escalated=escalated)
    # the scope on the joined record: no list of every readable record first
    return _narrowed(readable_records(defs, user, query), user, **filters)


def _count_query(
    defs: Definitions, user: User, *, mine: bool, overdue: bool, escalated: bool
) -> peewee.SelectBase | None:
    """SQLite: the rows of :func:`_open_query` for counting, from the readable records.

    ``CROSS JOIN`` keeps SQLite's order: the readable records from their index, each one's
    open deadlines from ``(record_id, closed_at)``; a capped count then stops after the
    cap's worth of records, instead of walking every open deadline of the installation
    (6x faster for a team lead at 100,000 cases). One query per read scope, joined by
    ``UNION ALL``: under their ``OR`` SQLite first collected every readable record (a team
    lead's organisation: 14,000 at 100,000 cases, 190 ms) before it could stop.

    An organisation's records are walked by person and phase (``INDEXED BY``), where their
    ids come in runs of ascending numbers, so one deadline lookup finds the next one's index
    page already read; by date of change (SQLite's own choice) every lookup lands somewhere
    else in the deadline index: 160–300 ms for a team lead at a million cases, 15–60 ms so.
    PostgreSQL: None (it plans itself)."""
    if not is_sqlite():
        return None
    parts = []
    for scope, condition in readable_scopes(defs, user):
        source = Record
        if scope == "organisation":
            source = peewee.NodeList((Record, peewee.SQL(f"INDEXED BY {BY_PERSON_AND_PHASE}")))
        rows = Record.select(Record.id).from_(source).join(Deadline, peewee.JOIN.CROSS)
        query = rows.where((Deadline.record == Record.id) & condition)
        # the date unindexed: offered "closed_at IS NULL AND due_on < today", SQLite looked
        # up each record's deadlines in that index – every overdue deadline of the
        # installation once per readable record (200 s for a team lead at a million)
        due = unindexed(Deadline.due_on)
        filters = {"mine": mine, "overdue": overdue, "escalated": escalated}
        parts.append(_narrowed(query, user, due=due, **filters))
    if not parts:
        return None  # nothing readable: the page's own query finds nothing at once
    return functools.reduce(operator.add, parts)  # UNION ALL: each part stops at the cap


def open_deadlines(
    defs: Definitions,
    user: User,
    *,
    mine: bool = False,
    overdue: bool = False,
    escalated: bool = False,
    limit: int = DEADLINES_API_PAGE,
) -> list[Deadline]:
    """Open deadlines of records ``user`` may read, soonest first (at most ``limit``).

    ``mine``: only records the user owns; ``overdue``: only those already past;
    ``escalated``: only those escalated (the team view).
    """
    query = _open_query(defs, user, mine=mine, overdue=overdue, escalated=escalated)
    return list(query.limit(limit))


def open_deadlines_page(
    defs: Definitions,
    user: User,
    page: Any = 1,
    *,
    mine: bool = False,
    overdue: bool = False,
    escalated: bool = False,
    per_page: int = DEADLINES_PER_PAGE,
    count_limit: int = COUNT_LIMIT,
) -> Paged:
    """One page of :func:`open_deadlines` (the "Fristen" screen), with the number of pages
    (counted up to ``count_limit``; the screen passes :data:`SCREEN_COUNT_LIMIT`)."""
    filters = {"mine": mine, "overdue": overdue, "escalated": escalated}
    query = _open_query(defs, user, **filters)
    return paginate(query, page, per_page, count_limit, _count_query(defs, user, **filters))


REMINDER_CHUNK = 500  # deadlines per write transaction: short, so requests never wait long
CHUNK_TRIES = 3  # a chunk refused by a lock is tried again this often before the run gives up


def _reminder_kind(today: dt.date):
    return peewee.Case(None, [(Deadline.due_on < today, "overdue")], "due")


def _due_without_reminder(today: dt.date):
    """Open, due deadlines with an owner who has no reminder of today's kind for them yet."""
    kind = _reminder_kind(today)
    reminded = Reminder.select(Reminder.id).where(
        (Reminder.deadline == Deadline.id)
        & (Reminder.user == Record.owner)
        & (Reminder.kind == kind)
    )
    return (
        Deadline.select(Deadline.id)
        .join(Record)
        .where(
            Deadline.closed_at.is_null()
            & (Deadline.due_on <= today)
            & Record.owner.is_null(False)
            & ~peewee.fn.EXISTS(reminded)
        )
    )


def _remind_chunk(today: dt.date, ids: list[int]) -> int:
    """One short write transaction: the reminders of the deadlines ``ids`` (set-based).

    The conditions are checked again inside the statement (a deadline closed since it was
    read gets none), and a reminder another run created meanwhile is skipped by the unique
    index (ON CONFLICT DO NOTHING), so runs may overlap.
    """
    rows = (
        Deadline.select(Deadline.id, Record.owner, _reminder_kind(today), peewee.Value(utcnow()))
        .join(Record)
        .where(
            Deadline.id.in_(ids)
            & Deadline.closed_at.is_null()
            & (Deadline.due_on <= today)
            & Record.owner.is_null(False)
        )
    )
    fields = [Reminder.deadline, Reminder.user, Reminder.kind, Reminder.created_at]
    with transaction():
        return Reminder.insert_from(rows, fields).on_conflict_ignore().as_rowcount().execute()


def create_reminders(today: dt.date | None = None, *, chunk: int = REMINDER_CHUNK) -> int:
    """Periodic job: a reminder for the owner of every open deadline that is due or overdue.

    Idempotent: one reminder per deadline, owner and kind, however often it runs. Read
    first, then write: each page of due deadline ids is read completely (keyset, no cursor
    stays open) and then written in its own short transaction. Writing while a read cursor
    was open lost reminders on SQLite: once another connection committed (every page view
    writes an audit row), the write lock was refused at once with "database is locked".
    A chunk that stays locked raises :class:`~server.services.errors.PeriodicIncomplete` with
    what was done, so the run is recorded as incomplete and retried.
    """
    today = today or clock.today()
    created = 0
    last = 0
    while True:
        page = _due_without_reminder(today).where(Deadline.id > last)
        ids = [row.id for row in page.order_by(Deadline.id).limit(chunk)]
        if not ids:
            return created
        for attempt in range(CHUNK_TRIES):
            try:
                created += _remind_chunk(today, ids)
                break
            except peewee.OperationalError as exc:
                if attempt + 1 == CHUNK_TRIES:
                    raise PeriodicIncomplete({"created": created}, exc) from exc
        last = ids[-1]


def unread_reminders(defs: Definitions, user: User, limit: int = 20) -> list[Reminder]:
    """The user's unread reminders whose deadline is open and whose record they still read."""
    records = readable_records(defs, user, Record.select(Record.id))
    return list(
        Reminder.select(Reminder, Deadline, Record)
        .join(Deadline)
        .join(Record)
        .where(
            (Reminder.user == user.id)
            & Reminder.read_at.is_null()
            # SQLite: from the person's reminders, not by walking every open deadline in
            # date order (or every readable record) to find them (see models.unindexed)
            & unindexed(Deadline.closed_at).is_null()
            & unindexed(Deadline.record).in_(records)
        )
        .order_by(Deadline.due_on)
        .limit(limit)
    )


def mark_read(user: User, reminder_id: int) -> bool:
    return bool(
        Reminder.update(read_at=utcnow())
        .where((Reminder.id == reminder_id) & (Reminder.user == user.id))
        .execute()
    )
