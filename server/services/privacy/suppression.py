"""Primary and secondary suppression of a count table and its margins (small cells).

Every count from 1 to ``minimum - 1`` is hidden (primary); then, in every row, column and
among the totals, a lone hidden cell takes the smallest other one with it (secondary), so
no hidden count can be worked out from a total. Hidden cells show as „x“, as in official
statistics. Used by every table of counts (statistics, durations, reports).
"""

from __future__ import annotations

from typing import Any


def suppress(
    cells: list[list[int]],
    row_totals: list[int],
    column_totals: list[int],
    total: int,
    minimum: int,
) -> dict[str, Any]:
    """Primary and secondary suppression of a table with its margins (see module doc)."""
    hidden = {
        ("c", i, j) for i, row in enumerate(cells) for j, n in enumerate(row) if 0 < n < minimum
    }
    hidden |= {("r", i) for i, n in enumerate(row_totals) if 0 < n < minimum}
    hidden |= {("k", j) for j, n in enumerate(column_totals) if 0 < n < minimum}
    if 0 < total < minimum:
        hidden.add(("t",))
    value = {("c", i, j): n for i, row in enumerate(cells) for j, n in enumerate(row)}
    value |= {("r", i): n for i, n in enumerate(row_totals)}
    value |= {("k", j): n for j, n in enumerate(column_totals)}
    value[("t",)] = total
    width = len(column_totals)
    # each relation: parts that add up to a sum (the sum is the relation's last member)
    relations = [[("c", i, j) for j in range(width)] + [("r", i)] for i in range(len(cells))]
    relations += [[("c", i, j) for i in range(len(cells))] + [("k", j)] for j in range(width)]
    relations.append([("r", i) for i in range(len(cells))] + [("t",)])
    relations.append([("k", j) for j in range(width)] + [("t",)])
    changed = True
    while changed:
        changed = False
        for members in relations:
            if sum(1 for m in members if m in hidden) != 1:
                continue
            total_key = members[-1]
            others = [m for m in members[:-1] if m not in hidden and value[m] > 0]
            if others:
                hidden.add(min(others, key=lambda m: value[m]))
            elif total_key not in hidden:
                hidden.add(total_key)  # the other parts are 0: the hidden one equals the sum
            else:
                continue
            changed = True

    def show(key):
        return None if key in hidden else value[key]

    return {
        "cells": [[show(("c", i, j)) for j in range(width)] for i in range(len(cells))],
        "row_totals": [show(("r", i)) for i in range(len(cells))],
        "column_totals": [show(("k", j)) for j in range(width)],
        "total": show(("t",)),
    }
