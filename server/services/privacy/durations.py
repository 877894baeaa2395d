"""Durations with median and 90th percentile: from one event of a record to another.

Events (``from``/``to`` of a declared measure):

* ``created`` – when the record was created;
* ``state:<id>`` – when it first entered that phase (its first stay in ``phase_stay``);
* ``final`` – when it first entered any end state;
* ``form.field`` – a date field of one of the workflow's forms (the start of that day).

A duration counts in the period its *end* event falls in (a case closed in March counts in
the first quarter, however long ago it was opened). Time in each phase (:func:`phase_table`)
is the time from entering a phase to the next transition, summed per record and phase over
the stays that ended in the period (a case that went back to a phase counts its time there
once, in total).

The database does the work: one statement per table returns, per group and duration (in
days, to one decimal), how many records have it – no record's data is read into Python.
Median and 90th percentile are then taken from that histogram with the rule of
PostgreSQL's ``percentile_cont`` (linear between the two nearest values), so SQLite and
PostgreSQL give the same figures. Phases come from ``phase_stay`` (one row per stay,
kept by triggers on the transitions, migration 0018): the first entries or the stays
ended in a period are one index range, not a lookup per record. A group of fewer than
``min_cell`` durations shows neither its number nor its percentiles; the numbers are
suppressed like a count table's and, with ``[privacy] noise``, perturbed like its counts
(:mod:`.noise`) – the medians and 90th percentiles stay exact.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from ...models import database, is_sqlite
from ...models.stat_values import RECORD_ROW
from ...schema.definitions import WorkflowDef
from .categories import ordered
from .dimension_fill import require_filled
from .noise import Cells, Noise, perturbed, spread
from .periods import Period
from .statistics import Dimension
from .suppression import suppress


@dataclass
class DurationRow:
    label: str
    n: int | None  # None: suppressed
    median: float | None
    p90: float | None


@dataclass
class DurationTable:
    row_label: str
    rows: list[DurationRow]
    total: DurationRow
    noise: int = 0  # the numbers lie within ±noise of the true ones (:mod:`.noise`)


def percentile(histogram: dict[float, int], p: float) -> float | None:
    """The ``p`` quantile (0..1) of values given as {value: how often}, as
    ``percentile_cont`` computes it."""
    n = sum(histogram.values())
    if n == 0:
        return None
    position = p * (n - 1)
    low, high = math.floor(position), math.ceil(position)
    seen, x_low, x_high = 0, None, None
    for value in sorted(histogram):
        seen += histogram[value]
        if x_low is None and seen > low:
            x_low = value
        if seen > high:
            x_high = value
            break
    return round(x_low + (position - low) * (x_high - x_low), 1)


class _Sql:
    """Builds one statement for SQLite or PostgreSQL, parameters in order."""

    def __init__(self) -> None:
        self.sqlite = is_sqlite()
        self.params: list[Any] = []

    def p(self, value: Any) -> str:
        self.params.append(value)
        return "?" if self.sqlite else "%s"

    def days(self, later: str, earlier: str) -> str:
        if self.sqlite:
            return f"ROUND(julianday({later}) - julianday({earlier}), 1)"
        return f"ROUND(CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400 AS numeric), 1)"

    def date_field(self, form_id: str, name: str) -> str:
        if self.sqlite:
            path = '$."' + form_id.replace('"', "") + '"."' + name.replace('"', "") + '"'
            # julianday() of text that is no date is NULL: such a value counts as missing
            return f"(r.data ->> {self.p(path)})"

        def text() -> str:  # twice in the statement: its parameters twice
            return f"(CAST(r.data AS jsonb) -> {self.p(form_id)} ->> {self.p(name)})"

        # text that is no date counts as missing (a cast would fail the whole statement)
        test = f"{text()} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$'"
        return f"(CASE WHEN {test} THEN CAST({text()} AS timestamp) END)"

    def raw(self, key: str, workflow_id: str, record: str) -> str:
        """The raw value of a record-level dimension (JSON text for a field) of the record
        whose id is ``record`` (state and organisation: from the joined record ``r``)."""
        if key == "state":
            return "r.state"
        if key == "organisation":
            return "r.organisation_id"
        # a choice field: its raw JSON text from record_value (the same text the JSON gives,
        # kept by the database), looked up in the covering index instead of parsing the JSON
        return (
            f"(SELECT v.value FROM record_value AS v WHERE v.workflow = {self.p(workflow_id)} "
            f"AND v.dimension = {self.p(key)} AND v.record_id = {record} "
            f"AND v.row_index = {RECORD_ROW})"
        )

    def marks(self, states: Sequence[str]) -> str:
        return ", ".join(self.p(s) for s in states) or "NULL"


def _phases(workflow: WorkflowDef, event: str) -> list[str] | None:
    """The phases whose first entry is ``event`` (``final``: any end state), else None."""
    if event == "final":
        return [s.id for s in workflow.states if s.final]
    if event.startswith("state:"):
        return [event[6:]]
    return None


def _in_period(sql: _Sql, column: str, event: str, period: Period) -> str:
    """``column`` (the end event, a plain column) lies in ``period``: Berlin days for
    timestamps, the day itself for a date field."""
    if event == "created" or event == "final" or event.startswith("state:"):
        low, high = period.bounds()
    else:
        low = dt.datetime.combine(period.start, dt.time())
        high = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time())
    if sql.sqlite:
        low_text, high_text = (m.strftime("%Y-%m-%d %H:%M:%S") for m in (low, high))
        return (
            f"julianday({column}) >= julianday({sql.p(low_text)}) "
            f"AND julianday({column}) < julianday({sql.p(high_text)})"
        )
    return f"{column} >= {sql.p(low)} AND {column} < {sql.p(high)}"


def _bounds(sql: _Sql, period: Period) -> tuple[Any, Any]:
    low, high = period.bounds()
    if sql.sqlite:
        return tuple(m.strftime("%Y-%m-%d %H:%M:%S") for m in (low, high))
    return low, high


@dataclass
class _Source:
    """Where the records of a duration come from, as columns of the statement: the record
    id, its creation time and the end event (None: worked out per record)."""

    id: str
    created: str
    end: str | None


def _start(sql: _Sql, workflow: WorkflowDef, event: str, source: _Source) -> str:
    """The start event of the record ``source.id`` (a phase: its first entry from
    ``phase_stay``, one lookup in the index ``phase_stay_record``)."""
    if event == "created":
        return source.created
    states = _phases(workflow, event)
    if states is not None:
        return (
            "(SELECT MIN(p.entered_at) FROM phase_stay AS p WHERE p.record_id = "
            f"{source.id} AND p.state IN ({sql.marks(states)}) AND p.entry = 1)"
        )
    form_id, name = event.split(".")
    return sql.date_field(form_id, name)


def _stays_source(
    sql: _Sql, workflow: WorkflowDef, states: list[str], span: Period | None, join: bool
) -> str:
    """``FROM``/``WHERE`` of the first entries into ``states`` (in ``span``): one range of
    ``phase_stay_entered`` per phase, the record's creation time in the same index entry.
    Several phases (``final``): the earliest per record, and none before the span."""
    where = (
        f"s.workflow = {sql.p(workflow.id)} AND s.state IN ({sql.marks(states)}) AND s.entry = 1"
    )
    if span is not None:
        low, high = _bounds(sql, span)
        where += f" AND s.entered_at >= {sql.p(low)} AND s.entered_at < {sql.p(high)}"
    record = ' JOIN "record" AS r ON r.id = s.record_id' if join else ""
    if len(states) <= 1:
        return f"phase_stay AS s{record} WHERE {where}"
    grouped = (
        "(SELECT s.record_id, MIN(s.entered_at) AS entered_at, MIN(s.created_at) AS created_at "
        f"FROM phase_stay AS s WHERE {where} GROUP BY s.record_id) AS s{record}"
    )
    if span is None:
        return f"{grouped} WHERE 1 = 1"
    low, _high = _bounds(sql, span)
    return (
        f"{grouped} WHERE NOT EXISTS (SELECT 1 FROM phase_stay AS p WHERE p.record_id = "
        f"s.record_id AND p.state IN ({sql.marks(states)}) AND p.entry = 1 "
        f"AND p.entered_at < {sql.p(low)})"
    )


def _records_source(sql: _Sql, workflow: WorkflowDef, end: str, span: Period | None) -> str:
    """``FROM``/``WHERE`` of the records when the end event is no phase: created (the range
    of ``record (workflow, created_at, …)``) or a date field (every record of the workflow)."""
    where = f"r.workflow = {sql.p(workflow.id)}"
    if span is not None and end == "created":
        low, high = _bounds(sql, span)
        where += f" AND r.created_at >= {sql.p(low)} AND r.created_at < {sql.p(high)}"
    return f'"record" AS r WHERE {where}'


def _histograms(rows, dimension: Dimension | None, key: str | None) -> dict[str, dict[float, int]]:
    out: dict[str, dict[float, int]] = {}
    for raw, days, count in rows:
        if dimension is None:
            labels = ["Alle"]
        else:
            stand_in = SimpleNamespace(state=None, organisation_id=None, data={})
            if key in ("state", "organisation"):
                setattr(stand_in, "state" if key == "state" else "organisation_id", raw)
            else:
                form_id, name = key.split(".")
                stand_in.data[form_id] = {name: None if raw is None else json.loads(raw)}
            labels = set(dimension.values(stand_in, None))
        for label in labels:
            bucket = out.setdefault(label, {})
            bucket[float(days)] = bucket.get(float(days), 0) + int(count)
    return out


def _table(
    row_label: str,
    groups: dict[str, dict[float, int]],
    order: tuple[str, ...],
    everything: dict[float, int],
    min_cell: int,
    names: tuple = ((), "", None),  # (who is counted, dimension key, noise)
) -> DurationTable:
    labels = ordered(groups, order)
    counts = [sum(groups[label].values()) for label in labels]
    total = sum(everything.values())
    shown = suppress([[n] for n in counts], counts, [total], total, min_cell)
    # the numbers of the groups perturbed like counts; medians are not (module doc)
    shown = perturbed(shown, names[2], Cells(names[0], names[1], labels), min_cell)

    def row(label: str, histogram: dict[float, int], n_shown: int | None) -> DurationRow:
        if sum(histogram.values()) < min_cell:  # too few: their percentiles would tell
            return DurationRow(label, None, None, None)
        return DurationRow(label, n_shown, percentile(histogram, 0.5), percentile(histogram, 0.9))

    rows = [row(label, groups[label], shown["row_totals"][i]) for i, label in enumerate(labels)]
    total_row = row("Insgesamt", everything, shown["total"])
    return DurationTable(row_label, rows, total_row, spread(names[2]))


def duration_table(
    workflow: WorkflowDef,
    start: str,
    end: str,
    period: Period | None,
    min_cell: int,
    dimension: Dimension | None = None,
) -> DurationTable:
    """Durations from event ``start`` to event ``end`` of the workflow's records, by
    ``dimension`` (a record-level one: phase, organisation or a choice field)."""
    return duration_tables(workflow, start, end, [period], min_cell, dimension)[0]


def duration_tables(
    workflow: WorkflowDef,
    start: str,
    end: str,
    periods: Sequence[Period | None],
    min_cell: int,
    dimension: Dimension | None = None,
    noise: Noise | None = None,
) -> list[DurationTable]:
    """:func:`duration_table` for each of ``periods`` (a period and the one before), in one
    statement: the end event is found once and sorted into its period (``[None]``: all)."""
    key = dimension.key if dimension is not None else None
    if key is not None and key not in ("state", "organisation"):
        require_filled(workflow.id, [key])  # StillFilling: the report says it is being built
    sql = _Sql()
    dated = [p for p in periods if p is not None]
    span = Period(min(p.start for p in dated), max(p.end for p in dated)) if dated else None
    states = _phases(workflow, end)
    # the record row only for what only it holds: phase, organisation, a date field
    join = key in ("state", "organisation") or "." in start
    if states is not None:  # the end is a first entry into a phase: from phase_stay
        source = _Source("s.record_id", "s.created_at", "s.entered_at")
    else:
        source = _Source("r.id", "r.created_at", None)
    raw = sql.raw(key, workflow.id, source.id) if key else "NULL"
    to = source.end or _start(sql, workflow, end, source)
    since = _start(sql, workflow, start, source)
    if states is not None:
        where = _stays_source(sql, workflow, states, span, join)
    else:
        where = _records_source(sql, workflow, end, span)
    # each event once per record: worked out in a materialised statement (else SQLite
    # inlines it and works out a per-record lookup once for every use of ``e`` above)
    inner = f"SELECT {raw} AS g, {to} AS e, {since} AS b FROM {where}"
    bucket = "0"
    if dated:
        cases = " ".join(
            f"WHEN {_in_period(sql, 'x.e', end, p)} THEN {i}" for i, p in enumerate(periods)
        )
        bucket = f"CASE {cases} END"
    statement = (
        f"WITH x AS MATERIALIZED ({inner}) "
        f"SELECT k, g, d, COUNT(*) FROM (SELECT {bucket} AS k, g, {sql.days('x.e', 'x.b')} AS d "
        "FROM x WHERE x.b IS NOT NULL) AS y "
        "WHERE k IS NOT NULL AND d IS NOT NULL AND d >= 0 GROUP BY k, g, d"
    )
    found: list[list] = [[] for _ in periods]
    for k, g, d, count in database.execute_sql(statement, sql.params):
        found[int(k)].append((g, d, count))
    label = dimension.label if dimension is not None else ""
    order = dimension.order if dimension else ()
    out = []
    for rows in found:
        groups = _histograms(rows, dimension, key) if dimension is not None else {}
        everything = _histograms(rows, None, None).get("Alle", {})
        names = (("duration", workflow.id, start, end, key or ""), key or "", noise)
        out.append(_table(label, groups, order, everything, min_cell, names))
    return out


def phase_table(workflow: WorkflowDef, period: Period | None, min_cell: int) -> DurationTable:
    """Time in each phase (not the end states), in workflow order: see the module doc."""
    return phase_tables(workflow, [period], min_cell)[0]


def phase_tables(
    workflow: WorkflowDef,
    periods: Sequence[Period | None],
    min_cell: int,
    noise: Noise | None = None,
) -> list[DurationTable]:
    """:func:`phase_table` for each of ``periods`` in one statement (``[None]``: all)."""
    sql = _Sql()
    dated = [p for p in periods if p is not None]

    def stays(entries: str) -> str:
        """The stays that ended in the periods, one range of ``phase_stay_left`` (from the
        index alone), as (period, record, phase, days); twice in the statement, so its
        parameters twice, in order."""
        bucket = "0"
        if dated:
            cases = []
            for i, period in enumerate(periods):
                low, high = _bounds(sql, period)
                cases.append(
                    f"WHEN s.left_at >= {sql.p(low)} AND s.left_at < {sql.p(high)} THEN {i}"
                )
            bucket = f"CASE {' '.join(cases)} END"
        where = f"s.workflow = {sql.p(workflow.id)} AND s.left_at IS NOT NULL AND {entries}"
        if dated:
            span = Period(min(p.start for p in dated), max(p.end for p in dated))
            low, high = _bounds(sql, span)
            where += f" AND s.left_at >= {sql.p(low)} AND s.left_at < {sql.p(high)}"
        return (
            f"SELECT {bucket} AS k, s.record_id, s.state AS g, s.days AS d "
            f"FROM phase_stay AS s WHERE {where}"
        )

    # a record in a phase once: its stay is its time there; a record that came back: its
    # stays in the period summed (grouping only those, not every stay)
    once = f"SELECT k, g, d FROM ({stays('s.entries = 1')}) AS o"
    again = (
        f"SELECT k, g, SUM(d) AS d FROM ({stays('s.entries > 1')}) AS q "
        "WHERE k IS NOT NULL GROUP BY k, record_id, g"
    )
    statement = (
        f"SELECT k, g, ROUND(d, 1), COUNT(*) FROM ({once} UNION ALL {again}) AS x "
        "WHERE k IS NOT NULL GROUP BY 1, 2, 3"
    )
    labels = {s.id: s.label for s in workflow.states}
    order = tuple(s.label for s in workflow.states)
    found: list[tuple[dict[str, dict[float, int]], dict[float, int]]] = [({}, {}) for _ in periods]
    for k, state, d, count in database.execute_sql(statement, sql.params):
        groups, everything = found[int(k)]
        bucket = groups.setdefault(labels.get(state, state), {})
        bucket[float(d)] = bucket.get(float(d), 0) + int(count)
        everything[float(d)] = everything.get(float(d), 0) + int(count)
    names = (("phases", workflow.id), "state", noise)
    return [_table("Phase", g, order, e, min_cell, names) for g, e in found]
