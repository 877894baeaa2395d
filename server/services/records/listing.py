"""Listing records: scoped to what the user may read, filtered, searched, sorted, paged.

One query builder for the list screen and ``GET /api/v1/records`` so both always agree.
Counting and paging run on indexed columns; search runs on the text index over
``Record.search_text`` (a lower-case copy of the title and the displayed form values kept up
to date on every save), see :mod:`.search`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from math import ceil
from typing import Any

import peewee
from peewee import JOIN

from ... import clock
from ...models import Deadline, Organisation, Record, User, is_sqlite, unindexed
from ...schema.definitions import Definitions
from ..errors import Invalid
from ..paging import count_upto
from .access import readable_records
from .deadlines import FEW_RECORDS
from .search import apply_search

SORTS = {
    "updated": Record.updated_at,
    "created": Record.created_at,
    "title": Record.title,
    "state": Record.state,
    "id": Record.id,
}
DUE_FILTERS = ("overdue", "week", "open")


@dataclass
class ListQuery:
    """What a person asked the list for; every field optional."""

    workflow: str | None = None
    state: str | None = None
    owner: str | None = None  # user name, or "-" for unassigned
    organisation: str | None = None  # organisation name
    due: str | None = None  # overdue | week | open
    search: str | None = None
    sort: str = "-updated"
    page: int = 1
    per_page: int = 50
    errors: dict[str, list[str]] = field(default_factory=dict)


def parse_list_args(args: Any, *, per_page_max: int = 200) -> ListQuery:
    """A ListQuery from request arguments; bad values raise Invalid naming the argument."""
    query = ListQuery()
    for name in ("workflow", "state", "owner", "organisation", "due", "search"):
        value = args.get(name)
        if value:
            setattr(query, name, str(value)[:200])
    if query.due and query.due not in DUE_FILTERS:
        query.errors["due"] = [f"„due“ muss eines von {', '.join(DUE_FILTERS)} sein."]
    sort = args.get("sort") or "-updated"
    if sort.lstrip("-") not in SORTS:
        query.errors["sort"] = [f"Sortierung nach {', '.join(SORTS)} (mit - absteigend)."]
    else:
        query.sort = sort
    for name, default, upper in (("page", 1, 10**6), ("per_page", 50, per_page_max)):
        raw = args.get(name)
        if raw in (None, ""):
            setattr(query, name, default)
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            query.errors[name] = ["Bitte eine ganze Zahl angeben."]
            continue
        if not 1 <= value <= upper:
            query.errors[name] = [f"Zwischen 1 und {upper}."]
            continue
        setattr(query, name, value)
    if query.errors:
        raise Invalid("Ungültige Listenparameter.", query.errors)
    return query


def filtered(defs: Definitions, user: User, q: ListQuery) -> peewee.ModelSelect:
    """The records ``user`` may read that match ``q`` (unsorted, unpaged)."""
    query = readable_records(defs, user, Record.select(Record.id), workflow_id=q.workflow)
    if q.state:
        query = query.where(Record.state == q.state)
    if q.owner == "-":
        query = query.where(Record.owner.is_null())
    elif q.owner:
        owner = User.get_or_none(User.username == q.owner)
        query = query.where(Record.owner == (owner.id if owner else -1))
    if q.organisation:
        org = Organisation.get_or_none(Organisation.name == q.organisation)
        query = query.where(Record.organisation == (org.id if org else -1))
    if q.due:
        query = _with_open_deadline(query, q.due)
    query = apply_search(query, q.search)
    return query


def _with_open_deadline(records: peewee.ModelSelect, due: str) -> peewee.ModelSelect:
    """``records`` that have an open deadline: any (``open``), due within a week or overdue.

    Two plans, one result (issue 21). Few records (a caseload, a team: at most
    ``FEW_RECORDS``; SQLite counts them): each one's open deadlines are looked up by
    ``(record_id, closed_at)``. Listing the matching open deadlines of the whole
    installation first, as for many records, took a team lead's 314 cases 270 ms per
    query at a million records (220,000 open deadlines), 0.5 ms so. PostgreSQL plans
    both forms alike."""
    today = clock.today()
    few = is_sqlite() and not count_upto(records, FEW_RECORDS)[1]
    deadline = Deadline.alias("open_deadline")
    # the date unindexed where each record is looked up: the date index would walk them all
    due_on = unindexed(deadline.due_on) if few else deadline.due_on
    deadlines = deadline.select(deadline.record).where(deadline.closed_at.is_null())
    if due == "overdue":
        deadlines = deadlines.where(due_on < today)
    elif due == "week":
        deadlines = deadlines.where(due_on <= today + dt.timedelta(days=7))
    if few:
        return records.where(peewee.fn.EXISTS(deadlines.where(deadline.record == Record.id)))
    return records.where(Record.id.in_(deadlines))


COUNT_LIMIT = 10_000
# the list screen counts to here and then says "mehr als 1.000 Einträge – bitte weiter
# filtern" (20 pages of 50): the count of a search as team lead at a million cases had to
# find all ~6,000 matches of her organisation; the API keeps COUNT_LIMIT
SCREEN_COUNT_LIMIT = 1_000
LIST_COLUMNS = (
    Record.id,
    Record.workflow,
    Record.state,
    Record.version,
    Record.title,
    Record.owner,
    Record.organisation,
    Record.created_at,
    Record.updated_at,
)


@dataclass
class Page:
    items: list[Record]
    page: int
    pages: int
    total: int
    # more than COUNT_LIMIT matched: ``total`` is the limit, the list says "mehr als"
    capped: bool = False


def capped_count(query: peewee.ModelSelect, limit: int = COUNT_LIMIT) -> tuple[int, bool]:
    """How many rows match, counting no further than ``limit`` + 1: exact counts of huge
    results cost time proportional to the table, and nobody pages through 10,000 rows."""
    inner = query.select(Record.id).order_by().limit(limit + 1)
    count = Record.select(peewee.fn.COUNT(peewee.SQL("*"))).from_(inner.alias("c")).scalar()
    return (limit, True) if count > limit else (count, False)


def list_records(
    defs: Definitions, user: User, q: ListQuery, count_limit: int = COUNT_LIMIT
) -> Page:
    """One page of records with owner and organisation loaded (a query each for the count,
    the page's ids and their rows); counted up to ``count_limit``."""
    base = filtered(defs, user, q)
    total, capped = capped_count(base, count_limit)
    pages = max(1, ceil(total / q.per_page))
    page = min(q.page, pages)
    column = SORTS[q.sort.lstrip("-")]
    order = [column.desc() if q.sort.startswith("-") else column.asc(), Record.id.desc()]
    # the page's ids first, then their rows with owner and organisation: a search may have
    # replaced the list's FROM (search.apply_search), and peewee attaches joined models only
    # to a plain ``record`` source – otherwise each row would fetch its owner on its own
    ids = [r.id for r in base.select(Record.id).order_by(*order).paginate(page, q.per_page)]
    rows = (
        # list columns only: parsing every row's form data would cost more than the query
        Record.select(
            *LIST_COLUMNS,
            User.id,
            User.username,
            User.display_name,
            Organisation.id,
            Organisation.name,
            Organisation.label,
        )
        .join(User, on=(Record.owner == User.id), join_type=JOIN.LEFT_OUTER)
        .switch(Record)
        .join(Organisation, on=(Record.organisation == Organisation.id), join_type=JOIN.LEFT_OUTER)
        .where(Record.id.in_(ids))
        .order_by(*order)
    )
    return Page(list(rows), page, pages, total, capped)
