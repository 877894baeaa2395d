"""Figures of the start page counted by the database, and the rows a block shows (issue 21).

Each function sends one statement whatever the number of records: counts come back grouped
(``GROUP BY`` on indexed columns: workflow, state, owner), never as one row per record, and
a list comes back as the page it shows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

import peewee

from ...models import Record, User, is_sqlite
from ...schema.definitions import Definitions
from .tallies import record_counts


def count_by(query: peewee.ModelSelect, *fields: peewee.Field) -> Counter:
    """How many records of ``query`` have each combination of ``fields`` (one value: no tuple).

    The query's conditions are kept; its columns are replaced by the grouped ones."""
    grouped = query.select(*fields, peewee.fn.COUNT(peewee.SQL("*"))).group_by(*fields).order_by()
    counts: Counter = Counter()
    for *key, n in grouped.tuples():
        counts[key[0] if len(key) == 1 else tuple(key)] += n
    return counts


def counts_per_workflow(defs: Definitions, user: User, workflow_ids: Iterable[str]) -> dict:
    """The number of records ``user`` may read in each of ``workflow_ids`` (0 included)."""
    wanted = list(workflow_ids)
    counts = record_counts(defs, user, wanted, ["workflow"])  # the tally, not the records
    return {w: counts.get(w, 0) for w in wanted}


def with_owners(records: Iterable[Record]) -> None:
    """Load the owners of ``records`` in one statement, so showing them costs none per row.

    Records whose owner is already loaded (a join) are left as they are."""
    records = [r for r in records if r.owner_id is not None and "owner" not in r.__rel__]
    if not records:
        return
    owners = {u.id: u for u in User.select().where(User.id.in_({r.owner_id for r in records}))}
    for record in records:
        if record.owner_id in owners:
            record.owner = owners[record.owner_id]


def _date_text(form_id: str, name: str):
    """``data[form_id][name]`` as text, as the database reads it from the JSON."""
    if is_sqlite():
        path = "$." + ".".join('"' + part.replace('"', "") + '"' for part in (form_id, name))
        return peewee.fn.json_extract(Record.data, path)
    form = peewee.Expression(peewee.Cast(Record.data, "jsonb"), "->", form_id)
    return peewee.Expression(form, "->>", name)


def dated_between(
    query: peewee.ModelSelect,
    date_field: str,
    first: dt.date,
    last: dt.date,
    limit: int,
) -> list[tuple[dt.date, Record]]:
    """Up to ``limit`` records of ``query`` whose date field (``form.field``) lies between
    ``first`` and ``last``, soonest first (then by id).

    The database narrows and orders by the ISO text of the date; each value is still read as
    a date here, and what is no date is left out."""
    form_id, _, name = date_field.partition(".")
    text = _date_text(form_id, name)
    narrowed = query.where(text.between(first.isoformat(), last.isoformat())).order_by(
        text, Record.id
    )
    items: list[tuple[dt.date, Record]] = []
    offset = 0
    while len(items) < limit:
        # a page at a time: only text that is no date can make a second page necessary
        page = list(narrowed.limit(limit).offset(offset))
        for record in page:
            raw = ((record.data or {}).get(form_id) or {}).get(name)
            try:
                day = dt.date.fromisoformat(raw) if isinstance(raw, str) else None
            except ValueError:
                day = None
            if day is not None and first <= day <= last and len(items) < limit:
                items.append((day, record))
        if len(page) < limit:
            break
        offset += limit
    return items
