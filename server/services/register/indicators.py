"""Indicators of measures in the decision register: target, unit, actual values, progress.

A measure (a row of the register table) has an indicator when its row declares a numeric
target: the columns are found by name like the register's others — ``indicator`` (what is
measured, text), ``unit`` (e.g. „%“, „Tage“), ``baseline`` (the value when the measure was
decided) and ``target`` (the value to reach by the row's ``due`` date). Actual values are
dated entries in :class:`~server.models.MeasureValue`, written on in the register after the
minutes are approved, like the status.

**On track** is judged against the straight line (the plan) from the baseline on the meeting
date to the target on the due date: the value the plan expects on the date of the latest
actual value is interpolated on that line (after the due date: the target). The measure is
*off track* when the latest actual value is behind that expectation — below it when the
target is above the baseline, above it when the target is below. Without a baseline the
first actual value is the start of the line; with fewer than two points of the line
(no due date, or nothing measured yet) nothing is judged. Measures that are done or dropped
are never off track, and one that reached its target is „Ziel erreicht“.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ...documents.xml_text import xml_text
from ...german import datum, zahl
from ...models import MeasureValue

CLOSED = ("erledigt", "verworfen")
MAX_VALUES = 200  # per measure: what a chart can still show; older entries stay in the table


def parse_number(value: Any) -> Decimal | None:
    """A finite number from stored or typed text (``12,5`` and ``12.5``); else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "")
        if "," in text:  # German: 1.234,5
            text = text.replace(".", "").replace(",", ".")
        if not text or len(text) > 30:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
    return number if number.is_finite() else None


def number_text(value: Decimal | None, unit: str = "") -> str:
    """``12.5`` and „%“ -> „12,5 %“ (German, no trailing zeros)."""
    if value is None:
        return "–"
    if value.as_tuple().exponent < -2:  # a computed plan value: two decimals are enough
        value = value.quantize(Decimal("0.01"))
    text = zahl(value)
    return f"{text}\u00a0{unit}" if unit else text


@dataclass
class Indicator:
    """What the register knows about the indicator of one measure."""

    name: str
    unit: str
    target: Decimal
    baseline: Decimal | None
    start: dt.date | None  # the date of the baseline (the meeting)
    due: dt.date | None
    values: list[tuple[dt.date, Decimal]] = field(default_factory=list)
    expected: Decimal | None = None  # the plan's value on the date of the latest actual value
    off_track: bool = False
    reached: bool = False

    @property
    def latest(self) -> tuple[dt.date, Decimal] | None:
        return self.values[-1] if self.values else None

    def line_start(self) -> tuple[dt.date, Decimal] | None:
        """Where the plan's straight line starts: the baseline, else the first value."""
        if self.baseline is not None and self.start is not None:
            return self.start, self.baseline
        return self.values[0] if self.values else None

    def progress_label(self) -> str:
        """One German word group for the state of the indicator (shown next to the colour)."""
        if self.reached:
            return "Ziel erreicht"
        if self.off_track:
            return "nicht im Plan"
        if self.expected is not None:
            return "im Plan"
        return "noch nicht bewertbar" if not self.values else "ohne Plan-Linie"

    def summary(self) -> str:
        """The figures in one sentence: the text alternative of the chart."""
        unit = self.unit
        parts = [f"Indikator „{self.name or 'ohne Bezeichnung'}“"]
        if self.baseline is not None:
            since = f" am {datum(self.start)}" if self.start else ""
            parts.append(f"Ausgangswert {number_text(self.baseline, unit)}{since}")
        until = f" bis {datum(self.due)}" if self.due else ""
        parts.append(f"Zielwert {number_text(self.target, unit)}{until}")
        if self.latest is not None:
            day, value = self.latest
            parts.append(f"zuletzt {number_text(value, unit)} am {datum(day)}")
            if self.expected is not None:
                parts.append(f"laut Plan zu erwarten {number_text(self.expected, unit)}")
        else:
            parts.append("noch kein Istwert")
        return ", ".join(parts) + f" – {self.progress_label()}."


def expected_on(
    start: tuple[dt.date, Decimal], target: Decimal, due: dt.date, day: dt.date
) -> Decimal:
    """The plan's value on ``day``: on the straight line from ``start`` to ``target`` at
    ``due``; before the start the start value, after the due date the target."""
    first, base = start
    if due <= first or day >= due:
        return target
    if day <= first:
        return base
    share = Decimal((day - first).days) / Decimal((due - first).days)
    return base + (target - base) * share


def judge(indicator: Indicator, status: str) -> Indicator:
    """Fill in ``expected``, ``off_track`` and ``reached`` (see the module's docstring)."""
    latest, start = indicator.latest, indicator.line_start()
    if latest is None or start is None:
        return indicator
    day, value = latest
    rising = indicator.target >= start[1]
    indicator.reached = value >= indicator.target if rising else value <= indicator.target
    if indicator.due is None or (start == indicator.values[0] and len(indicator.values) < 2):
        return indicator  # no line, or its only point is the value to judge
    expected = expected_on(start, indicator.target, indicator.due, day)
    indicator.expected = expected
    behind = value < expected if rising else value > expected
    indicator.off_track = behind and not indicator.reached and status not in CLOSED
    return indicator


def indicator_of(
    row: dict[str, Any], meeting_date: dt.date | None, due: dt.date | None
) -> Indicator | None:
    """The indicator declared in a register row, or None without a numeric target."""
    target = parse_number(row.get("target"))
    if target is None:
        return None
    return Indicator(
        name=str(row.get("indicator") or "").strip(),
        unit=str(row.get("unit") or "").strip()[:30],
        target=target,
        baseline=parse_number(row.get("baseline")),
        start=meeting_date,
        due=due,
    )


def indicator_keys(indicator: Indicator | None) -> dict[str, Any]:
    """The indicator's figures as plain text for the page, the exports and templates."""
    if indicator is None:
        return {
            "indicator_unit": "",
            "indicator_baseline": "",
            "indicator_target": "",
            "indicator_values": [],
            "indicator_latest": "",
            "indicator_expected": "",
            "indicator_progress": "",
            "indicator_summary": "",
            "off_track": False,
            "_indicator": None,
        }
    unit = xml_text(indicator.unit).strip()
    latest = indicator.latest
    return {
        "indicator_unit": unit,
        "indicator_baseline": number_text(indicator.baseline, unit)
        if indicator.baseline is not None
        else "",
        "indicator_target": number_text(indicator.target, unit),
        "indicator_values": [
            {"date": day, "value": number_text(value, unit)} for day, value in indicator.values
        ],
        "indicator_latest": f"{number_text(latest[1], unit)} ({datum(latest[0])})"
        if latest
        else "",
        "indicator_expected": number_text(indicator.expected, unit)
        if indicator.expected is not None
        else "",
        "indicator_progress": indicator.progress_label(),
        "indicator_summary": xml_text(indicator.summary()),
        "off_track": indicator.off_track,
        "_indicator": indicator,  # for the chart; not in the exports
    }


def values_of(record_ids: list[int]) -> dict[tuple[int, int], list[tuple[dt.date, Decimal]]]:
    """The actual values of every measure of these meetings, by (record, row), by date.

    Of two entries for the same date the newer counts (a correction).
    """
    by_measure: dict[tuple[int, int], dict[dt.date, Decimal]] = {}
    if not record_ids:
        return {}
    query = (
        MeasureValue.select(
            MeasureValue.record, MeasureValue.row, MeasureValue.measured_on, MeasureValue.value
        )
        .where(MeasureValue.record.in_(record_ids))
        .order_by(MeasureValue.id)
    )
    for entry in query:
        day = entry.measured_on
        if isinstance(day, str):  # SQLite may hand back text
            day = dt.date.fromisoformat(day)
        by_measure.setdefault((entry.record_id, entry.row), {})[day] = Decimal(entry.value)
    return {key: sorted(days.items())[-MAX_VALUES:] for key, days in by_measure.items()}
