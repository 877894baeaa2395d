"""A table compared with the period before: both figures and their difference.

Differences keep the suppression of the figures. A difference is shown only when both
figures it is made of are shown – with one of them it would give back the suppressed one.
And as in official statistics, where a change between two periods stands for a group of
people (the cases opened this quarter but not in the last, say) it is a count of its own
and follows the same rule as every count: a difference from 1 to ``min_cell - 1`` (either
sign) is shown as „x“; 0 is shown, it reveals no one. (Two figures of 23 and 21 are both
published; „-2“ next to them adds nothing one could not subtract, but a reader takes it as
a figure, and where the periods overlap or nest – free from/to dates – it *is* the count of
the few days between them. Hiding it keeps the page from printing a small number.)
"""

from __future__ import annotations

from dataclasses import dataclass

from .categories import ordered
from .statistics import Table


@dataclass
class Comparison:
    """The rows of ``now`` and ``before`` (union, in the table's order) with their totals."""

    row_label: str
    rows: list[str]
    now: list[int | None]  # None: suppressed
    before: list[int | None]
    difference: list[int | None]
    total_now: int | None
    total_before: int | None
    total_difference: int | None


def difference(now: int | None, before: int | None, min_cell: int) -> int | None:
    """``now - before``, or None when either is suppressed or the change is small."""
    if now is None or before is None:
        return None
    change = now - before
    return None if 0 < abs(change) < min_cell else change


def compare(now: Table, before: Table, min_cell: int, declared: tuple[str, ...] = ()) -> Comparison:
    """The row totals of two tables of the same dimension side by side, with differences.

    A row missing in one period is 0 there (nothing was counted, which is no secret)."""
    now_totals = dict(zip(now.rows, now.row_totals, strict=True))
    before_totals = dict(zip(before.rows, before.row_totals, strict=True))
    rows = ordered([*now.rows, *before.rows], declared)
    a = [now_totals.get(r, 0) for r in rows]
    b = [before_totals.get(r, 0) for r in rows]
    return Comparison(
        row_label=now.row_label,
        rows=rows,
        now=a,
        before=b,
        difference=[difference(x, y, min_cell) for x, y in zip(a, b, strict=True)],
        total_now=now.total,
        total_before=before.total,
        total_difference=difference(now.total, before.total, min_cell),
    )
