"""One page of a query: the rows of that page and how many pages there are.

Long lists on screens (deadlines, register, …) show one page at a time, so a request never
loads more than one page of rows into Python, whatever the table holds. Counting stops at
``COUNT_LIMIT``: an exact count of a huge result costs time proportional to the table, and
nobody pages through ten thousand rows (the screens then say "mehr als").
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any

import peewee

from .errors import Invalid

COUNT_LIMIT = 10_000
MAX_PAGE = 10**6


@dataclass
class Paged:
    """The rows of one page; ``total`` is capped at COUNT_LIMIT (then ``capped`` is true)."""

    items: list[Any]
    page: int
    pages: int
    total: int
    capped: bool = False


def page_number(raw: Any) -> int:
    """A page number from a request argument; anything unreadable is the first page."""
    try:
        number = int(str(raw).strip())
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def count_upto(query: peewee.SelectBase, limit: int = COUNT_LIMIT) -> tuple[int, bool]:
    """How many rows ``query`` matches, counting no further than ``limit`` + 1 (a
    ``UNION ALL`` of queries too: then each part stops once the limit is reached)."""
    if isinstance(query, peewee.CompoundSelectQuery):
        inner = query.limit(limit + 1)
        model = query.lhs.model
    else:
        model = query.model
        inner = query.select(model._meta.primary_key).order_by().limit(limit + 1)
    count = model.select(peewee.fn.COUNT(peewee.SQL("*"))).from_(inner.alias("c")).scalar()
    return (limit, True) if count > limit else (count, False)


def paginate(
    query: peewee.ModelSelect,
    page: Any,
    per_page: int,
    count_limit: int = COUNT_LIMIT,
    count_query: peewee.SelectBase | None = None,
) -> Paged:
    """Page ``page`` (1-based; past the end: the last page) of the ordered ``query``,
    counted up to ``count_limit`` (on ``count_query`` if given: the same rows, written for
    counting)."""
    total, capped = count_upto(query if count_query is None else count_query, count_limit)
    pages = max(1, ceil(total / per_page))
    number = min(page_number(page), pages)
    return Paged(list(query.paginate(number, per_page)), number, pages, total, capped)


def page_args(args: Any, *, per_page_default: int, per_page_max: int) -> tuple[int, int]:
    """``page`` and ``per_page`` of an API list from its request arguments.

    Missing: page 1 and ``per_page_default``. Anything not a whole number within bounds
    (an empty value too: the OpenAPI document says integer) raises Invalid naming the
    argument (422).
    """
    values = {"page": 1, "per_page": per_page_default}
    errors: dict[str, list[str]] = {}
    for name, upper in (("page", MAX_PAGE), ("per_page", per_page_max)):
        raw = args.get(name)
        if raw is None:
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            errors[name] = ["Bitte eine ganze Zahl angeben."]
            continue
        if not 1 <= value <= upper:
            errors[name] = [f"Zwischen 1 und {upper}."]
            continue
        values[name] = value
    if errors:
        raise Invalid("Ungültige Listenparameter.", errors)
    return values["page"], values["per_page"]
