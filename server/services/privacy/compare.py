"""A table compared with the period before: both figures and their difference, cell by cell.

Differences keep the suppression of the figures. A difference is shown only when both
figures it is made of are shown – with one of them it would give back the suppressed one.
And as in official statistics, where a change between two periods stands for a group of
people (the cases opened this quarter but not in the last, say) it is a count of its own
and follows the same rule as every count: a difference from 1 to ``min_cell - 1`` (either
sign) is shown as „x“; 0 is shown, it reveals no one. (Two figures of 23 and 21 are both
published; „-2“ next to them adds nothing one could not subtract, but a reader takes it as
a figure, and where the periods overlap or nest – free from/to dates – it *is* the count of
the few days between them. Hiding it keeps the page from printing a small number.)

A table with rows and columns is compared in every cell, in the row and column totals and
in the grand total. The differences add up like the figures (a row's cell differences make
its total's difference), so a lone hidden difference could be had by subtraction; the
differences get their own secondary suppression (:func:`protect`, the rule is written down
in ``docs/architecture.md``, „Vergleich Zelle für Zelle“).

With ``[privacy] noise`` the tables come perturbed (:mod:`.noise`): every difference here is
the difference of the two *shown* figures, and the rules above apply to it unchanged – the
page never prints a figure a reader could not subtract from the page itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...schema.definitions import Definitions, WorkflowDef
from .categories import ordered
from .statistics import Table, dimensions

Key = tuple  # ("c", i, j) cell, ("r", i) row total, ("k", j) column total, ("t",) total


@dataclass
class Change:
    """One figure in the period, the period before and the difference (None: „x“)."""

    now: int | None
    before: int | None
    difference: int | None


@dataclass
class Comparison:
    """The rows of ``now`` and ``before`` (union, in the table's order) with their totals,
    and for a table with columns every cell (``cells[i][j]``) and column total."""

    row_label: str
    rows: list[str]
    now: list[int | None]  # row totals; None: suppressed
    before: list[int | None]
    difference: list[int | None]
    total_now: int | None
    total_before: int | None
    total_difference: int | None
    column_label: str = ""
    columns: list[str] = field(default_factory=list)  # empty: one dimension
    cells: list[list[Change]] = field(default_factory=list)
    column_totals: list[Change] = field(default_factory=list)
    noise: int = 0  # the figures are perturbed by up to ±noise (:mod:`.noise`)

    @property
    def row_totals(self) -> list[Change]:
        """The row totals as :class:`Change` (for templates that go cell by cell)."""
        return [Change(*v) for v in zip(self.now, self.before, self.difference, strict=True)]

    @property
    def total(self) -> Change:
        return Change(self.total_now, self.total_before, self.total_difference)


def small(change: int, min_cell: int) -> bool:
    """Whether a change is a small number that must not be printed (1 .. min_cell-1)."""
    return 0 < abs(change) < min_cell


def difference(now: int | None, before: int | None, min_cell: int) -> int | None:
    """``now - before``, or None when either is suppressed or the change is small."""
    if now is None or before is None:
        return None
    change = now - before
    return None if small(change, min_cell) else change


def _violated(members: list[Key], value: dict, hidden: set, min_cell: int) -> bool:
    """A relation (parts, then their sum) gives a hidden difference, or a small sum of hidden
    differences, away by subtraction."""
    hidden_members = [m for m in members if m in hidden]
    if not hidden_members:
        return False
    if len(hidden_members) == 1:
        return True
    if members[-1] in hidden:
        return False  # the sum is unknown: the hidden parts only tell each other's sum
    if any(value[m] is None for m in hidden_members):
        # with a suppressed figure in it the sum is one of the figures' tables: their own
        # secondary suppression already keeps it from giving a suppressed figure away
        return False
    return small(sum(value[m] for m in hidden_members), min_cell)


def protect(value: dict, hidden: set, relations: list[list[Key]], min_cell: int) -> set:
    """Secondary suppression of differences: the hidden set grown until no relation gives
    a hidden difference (or a small sum of hidden ones) away by subtraction.

    Of the shown parts the one with the smallest non-zero size that settles the relation
    is hidden as well (else the smallest, and the next round goes on); when every other part
    is 0 or hidden, the sum is. Totals go last: they are what a reader looks at first."""
    hidden = set(hidden)
    changed = True
    while changed:
        changed = False
        for members in relations:
            if not _violated(members, value, hidden, min_cell):
                continue
            parts = sorted(
                (m for m in members[:-1] if m not in hidden and value[m]),
                key=lambda m: (abs(value[m]), m),
            )
            settling = [m for m in parts if not _violated(members, value, hidden | {m}, min_cell)]
            if parts:
                hidden.add((settling or parts)[0])
            elif members[-1] not in hidden:
                hidden.add(members[-1])
            else:
                continue
            changed = True
    return hidden


def _relations(height: int, width: int, two_way: bool) -> list[list[Key]]:
    """Parts that add up to a sum (the sum last), as in :func:`.suppression.suppress`."""
    out = [[("r", i) for i in range(height)] + [("t",)]]
    if two_way:
        out += [[("c", i, j) for j in range(width)] + [("r", i)] for i in range(height)]
        out += [[("c", i, j) for i in range(height)] + [("k", j)] for j in range(width)]
        out.append([("k", j) for j in range(width)] + [("t",)])
    return out


def _figures(table: Table, rows: list[str], columns: list[str]) -> dict[Key, int | None]:
    """The table's shown figures at the union's positions; what it did not count is 0
    (nothing was counted, which is no secret)."""
    at_row = {r: i for i, r in enumerate(table.rows)}
    at_column = {c: j for j, c in enumerate(table.columns)}
    out: dict[Key, int | None] = {("t",): table.total}
    for i, r in enumerate(rows):
        out[("r", i)] = table.row_totals[at_row[r]] if r in at_row else 0
        for j, c in enumerate(columns):
            present = r in at_row and c in at_column
            out[("c", i, j)] = table.cells[at_row[r]][at_column[c]] if present else 0
    for j, c in enumerate(columns):
        out[("k", j)] = table.column_totals[at_column[c]] if c in at_column else 0
    return out


def compare(
    now: Table,
    before: Table,
    min_cell: int,
    declared: tuple[str, ...] = (),
    declared_columns: tuple[str, ...] = (),
) -> Comparison:
    """Two tables of the same dimensions side by side, with differences: the row totals,
    and for a table with columns (``column_label``) every cell and column total as well."""
    two_way = bool(now.column_label or before.column_label)
    rows = ordered([*now.rows, *before.rows], declared)
    columns = ordered([*now.columns, *before.columns], declared_columns) if two_way else []
    a, b = _figures(now, rows, columns), _figures(before, rows, columns)
    # None: a figure is suppressed, so is the difference (and its size is unknown here)
    value = {k: None if a[k] is None or b[k] is None else a[k] - b[k] for k in a}
    hidden = {k for k, v in value.items() if v is None or small(v, min_cell)}
    hidden = protect(value, hidden, _relations(len(rows), len(columns), two_way), min_cell)

    def change(key: Key) -> Change:
        return Change(a[key], b[key], None if key in hidden else value[key])

    return Comparison(
        row_label=now.row_label,
        rows=rows,
        now=[a[("r", i)] for i in range(len(rows))],
        before=[b[("r", i)] for i in range(len(rows))],
        difference=[change(("r", i)).difference for i in range(len(rows))],
        total_now=now.total,
        total_before=before.total,
        total_difference=change(("t",)).difference,
        column_label=now.column_label if two_way else "",
        columns=columns,
        cells=[[change(("c", i, j)) for j in range(len(columns))] for i in range(len(rows))]
        if two_way
        else [],
        column_totals=[change(("k", j)) for j in range(len(columns))],
        noise=max(now.noise, before.noise),
    )


def declared_order(defs: Definitions, workflow: WorkflowDef, key: str | None) -> tuple[str, ...]:
    """The declared order of a dimension's labels (empty for none or an unknown key)."""
    if not key:
        return ()
    return next((d.order for d in dimensions(defs, workflow) if d.key == key), ())


def compare_counts(
    defs: Definitions,
    workflow: WorkflowDef,
    now: Table,
    before: Table,
    min_cell: int,
    rows: str,
    columns: str | None = None,
) -> Comparison:
    """:func:`compare` for two counts of ``workflow`` by the dimensions ``rows`` and
    ``columns``, in the order the definitions declare (the page and the report share it)."""
    return compare(
        now,
        before,
        min_cell,
        declared_order(defs, workflow, rows),
        declared_order(defs, workflow, columns),
    )
