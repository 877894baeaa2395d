"""A declared report (``[[reports]]``) worked out for a period and the period before.

Each measure gives its figures for the period and, when there is a period, for the one
directly before (:meth:`.periods.Period.previous`): counts with the differences of every
cell and total (:mod:`.compare`, small differences suppressed), durations and time in each
phase with number, median and 90th percentile (:mod:`.durations`). Everything is counted
without people and with small cells suppressed, like the statistics page; with ``noise``
(:mod:`.noise`) every shown count is perturbed, and a change is the difference of the two
shown figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...report_settings import Measure, Report
from ...schema.definitions import Definitions
from .compare import Comparison, compare_counts
from .durations import DurationTable, duration_tables, phase_tables
from .noise import Noise
from .periods import CountingDate, Period
from .record_values import StillFilling
from .statistics import Dimension, Table, count_tables, dimensions


@dataclass
class Figures:
    """One measure's figures: ``now`` and ``before`` are a :class:`.statistics.Table` (count)
    or a :class:`.durations.DurationTable`; ``before`` and ``comparison`` are None without a
    period."""

    measure: Measure
    now: Table | DurationTable | None
    before: Table | DurationTable | None
    comparison: Comparison | None
    building: bool = False  # a dimension it counts by is still being filled: no figures


def _figures(
    defs: Definitions,
    report: Report,
    m: Measure,
    periods: list[Period | None],
    min_cell: int,
    dims: dict[str, Dimension],
    noise: Noise | None = None,
) -> list[Any]:
    """The measure's table for each of ``periods``, in one statement."""
    workflow = defs.workflows[report.workflow]
    if m.kind == "count":
        dated = None if periods == [None] else periods
        return count_tables(
            defs,
            workflow,
            m.rows,
            m.columns or None,
            min_cell,
            m.where or None,
            dated,
            CountingDate(report.date),
            noise=noise,
        )
    if m.kind == "phases":
        return phase_tables(workflow, periods, min_cell, noise)
    dimension = dims.get(m.rows)
    return duration_tables(workflow, m.start, m.end, periods, min_cell, dimension, noise)


def run_report(
    defs: Definitions,
    report: Report,
    period: Period | None,
    min_cell: int,
    with_before: bool = True,
    noise: Noise | None = None,
) -> list[Figures]:
    """The figures of every measure of ``report`` for ``period`` (None: all records), and
    with ``with_before`` those of the period before.

    Each measure is worked out once for both periods: one statement counts the period and
    the one before together (each row sorted into its period), so the index is read once."""
    dims = {d.key: d for d in dimensions(defs, defs.workflows[report.workflow])}
    compared = period is not None and with_before
    periods: list[Period | None] = [period, period.previous()] if compared else [period]
    out = []
    for m in report.measures:
        try:
            tables = _figures(defs, report, m, periods, min_cell, dims, noise)
        except StillFilling:  # never a partial count: the measure says it is being built
            out.append(Figures(m, None, None, None, building=True))
            continue
        now, before = tables[0], tables[1] if compared else None
        comparison = None
        if m.kind == "count" and before is not None:
            workflow = defs.workflows[report.workflow]
            comparison = compare_counts(
                defs, workflow, now, before, min_cell, m.rows, m.columns or None
            )
        out.append(Figures(m, now, before, comparison))
    return out
