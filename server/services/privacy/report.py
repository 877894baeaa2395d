"""A declared report (``[[reports]]``) worked out for a period and the period before.

Each measure gives its figures for the period and, when there is a period, for the one
directly before (:meth:`.periods.Period.previous`): counts with the differences of every
cell and total (:mod:`.compare`, small differences suppressed), durations and time in each
phase with number, median and 90th percentile (:mod:`.durations`). Everything is counted
without people and with small cells suppressed, like the statistics page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...report_settings import Measure, Report
from ...schema.definitions import Definitions
from .compare import Comparison, compare_counts
from .durations import DurationTable, duration_table, phase_table
from .periods import CountingDate, Period
from .statistics import Table, count_table, dimensions


@dataclass
class Figures:
    """One measure's figures: ``now`` and ``before`` are a :class:`.statistics.Table` (count)
    or a :class:`.durations.DurationTable`; ``before`` and ``comparison`` are None without a
    period."""

    measure: Measure
    now: Table | DurationTable
    before: Table | DurationTable | None
    comparison: Comparison | None


def _figures(
    defs: Definitions, report: Report, m: Measure, period: Period | None, min_cell: int
) -> Any:
    workflow = defs.workflows[report.workflow]
    if m.kind == "count":
        return count_table(
            defs,
            workflow,
            m.rows,
            m.columns or None,
            min_cell,
            m.where or None,
            period,
            CountingDate(report.date),
        )
    if m.kind == "phases":
        return phase_table(workflow, period, min_cell)
    dimension = next((d for d in dimensions(defs, workflow) if d.key == m.rows), None)
    return duration_table(workflow, m.start, m.end, period, min_cell, dimension)


def run_report(
    defs: Definitions,
    report: Report,
    period: Period | None,
    min_cell: int,
    with_before: bool = True,
) -> list[Figures]:
    """The figures of every measure of ``report`` for ``period`` (None: all records), and
    with ``with_before`` those of the period before."""
    out = []
    for m in report.measures:
        now = _figures(defs, report, m, period, min_cell)
        before = None
        if period is not None and with_before:
            before = _figures(defs, report, m, period.previous(), min_cell)
        comparison = None
        if m.kind == "count" and before is not None:
            workflow = defs.workflows[report.workflow]
            comparison = compare_counts(
                defs, workflow, now, before, min_cell, m.rows, m.columns or None
            )
        out.append(Figures(m, now, before, comparison))
    return out
