"""What the Lenkungskreis report as a file says: one place for the Word and the Excel form.

Everything comes from the functions the report page uses – :func:`.report.run_report` for
the measures (counts with :mod:`.compare`, durations), :func:`.statistics.count_table` for
the open barriers, :func:`..register.decisions.register_entries` for the decision register –
so a figure is suppressed (and with ``[privacy] noise`` perturbed, :mod:`.noise`) in the
file exactly as on the page; nothing is recomputed here.

No personal data: the measures are counts and durations; from the register only what
describes a decision or measure (topic, decision, measure, due date, indicator, status) –
not the responsible person (``owner``), not the note on the status – with the progress of
each measure's indicator (target, latest actual value, on track or not) and its chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ...config import Settings
from ...german import date_text, local_time
from ...models import User, utcnow
from ...report_settings import Report
from ...schema.definitions import Definitions
from ..errors import NotFound
from ..register.decisions import RegisterFilters, register_entries
from .durations import DurationTable
from .noise import Noise, note, spread
from .periods import Period
from .record_values import StillFilling
from .report import Figures, run_report
from .statistics import Table, count_table

# the register's columns in the report: what describes the decision, never who carries it
REGISTER_COLUMNS = (
    ("date", "Datum"),
    ("topic", "Thema"),
    ("decision", "Beschluss / Ergebnis"),
    ("measure", "Maßnahme"),
    ("due", "Fällig am"),
    ("status_label", "Stand"),
    # indicator progress (services/register/indicators.py): figures of the measure, no one's
    ("indicator", "Indikator"),
    ("indicator_target", "Zielwert"),
    ("indicator_latest", "Istwert zuletzt"),
    ("indicator_progress", "Indikator im Plan?"),
)


@dataclass
class KeyFigure:
    """One line of the key figures: a measure's total now, before and the change.

    ``None`` is a suppressed figure („x“); ``before`` and ``change`` are also None without
    a period before (``has_before`` tells the two apart)."""

    title: str
    unit: str
    now: float | int | None
    before: float | int | None
    change: float | int | None
    has_before: bool


@dataclass
class OpenBarriers:
    """Open records of the barrier workflow by one dimension: the columns of the non-final
    states of the suppressed table (a part of a published table reveals nothing more)."""

    title: str
    row_label: str
    rows: list[str]
    states: list[str]
    cells: list[list[int | None]]


@dataclass
class ReportContent:
    report: Report
    workflow_title: str
    period: Period | None
    previous: Period | None
    min_cell: int
    figures: list[Figures]
    key_figures: list[KeyFigure]
    register: list[dict[str, Any]] = field(default_factory=list)
    register_shown: bool = False
    barriers: OpenBarriers | None = None
    made_at: str = ""
    noise: int = 0  # counts perturbed by up to ±noise (:mod:`.noise`)

    @property
    def noise_note(self) -> str:
        """The sentence under every table of counts (empty without noise)."""
        return note(self.noise)

    @property
    def period_label(self) -> str:
        return self.period.label if self.period else "Gesamter Bestand"

    @property
    def notes(self) -> list[str]:
        """What a reader must know to read the figures right (both file forms print it)."""
        counted = (
            "nach dem Tag der Anlage"
            if self.report.date == "created"
            else f"nach dem Datum „{self.report.date}“"
        )
        out = [
            "Nur Zahlen, keine Personen. Werte unter "
            f"{self.min_cell} und Werte, aus denen sie sich errechnen ließen, stehen als „x“; "
            f"ebenso Veränderungen zwischen 1 und {self.min_cell - 1}.",
            f"Gezählt wird {counted} (Berliner Zeit); Dauern in Tagen zählen im Zeitraum, "
            "in dem sie enden (Median und 90 %).",
        ]
        if self.noise:
            out.append(
                f"{self.noise_note} Veränderungen sind die Differenz der gezeigten Zahlen; "
                "Median und 90 % der Dauern sind nicht verändert."
            )
        if self.previous is not None:
            out.append(f"Verglichen mit dem Zeitraum davor: {self.previous.label}.")
        if self.register_shown:
            out.append(
                "Beschluss- und Maßnahmenregister: Einträge aus Sitzungen im Zeitraum, ohne "
                "verantwortliche Personen und ohne Bemerkungen."
            )
        out.append(f"Erstellt am {self.made_at}.")
        return out


def _count_key(f: Figures) -> KeyFigure:
    table: Table = f.now
    c = f.comparison
    return KeyFigure(
        f.measure.title,
        table.unit,
        table.total,
        c.total_before if c else None,
        c.total_difference if c else None,
        c is not None,
    )


def _duration_key(f: Figures) -> KeyFigure:
    now: DurationTable = f.now
    before: DurationTable | None = f.before
    b = before.total.median if before is not None else None
    # a change of medians reveals no count (the medians are shown anyway)
    change = (
        round(now.total.median - b, 1) if now.total.median is not None and b is not None else None
    )
    return KeyFigure(
        f.measure.title, "Median in Tagen", now.total.median, b, change, before is not None
    )


def key_figures(figures: list[Figures]) -> list[KeyFigure]:
    """One line per measure; phases have no single total and are left to their table."""
    out = []
    for f in figures:
        if f.measure.kind == "count":
            out.append(_count_key(f))
        elif f.measure.kind == "duration":
            out.append(_duration_key(f))
    return out


def _open_barriers(
    defs: Definitions, report: Report, min_cell: int, noise: Noise | None
) -> OpenBarriers | None:
    workflow = defs.workflows.get(report.barriers) if report.barriers else None
    if workflow is None:
        return None
    table = count_table(defs, workflow, report.barriers_by, "state", min_cell, noise=noise)
    final = {s.label for s in workflow.states if s.final}
    keep = [j for j, c in enumerate(table.columns) if c not in final]
    return OpenBarriers(
        title=f"Offene Einträge „{workflow.title}“ am Stichtag",
        row_label=table.row_label,
        rows=table.rows,
        states=[table.columns[j] for j in keep],
        cells=[[row[j] for j in keep] for row in table.cells],
    )


def _register(
    defs: Definitions, settings: Settings, user: User, period: Period | None
) -> tuple[list[dict[str, Any]], bool]:
    filters = RegisterFilters(
        date_from=period.start if period else None, date_to=period.end if period else None
    )
    try:
        entries = register_entries(defs, settings, user, filters)
    except NotFound:
        return [], False  # no register, or the person may not read the meetings
    # ``_indicator`` (the indicator itself) for its chart in the Word document
    keys = [k for k, _label in REGISTER_COLUMNS] + ["overdue", "measure", "_indicator"]
    return [{k: e.get(k) for k in keys} for e in entries], True


def report_content(
    defs: Definitions,
    settings: Settings,
    report: Report,
    period: Period | None,
    min_cell: int,
    user: User,
    with_before: bool = True,
    noise: Noise | None = None,
) -> ReportContent:
    """The report for ``period`` as ``user`` may see it (the register by their access);
    ``noise``: the installation's (:func:`.noise.from_settings`), as on the page."""
    figures = run_report(defs, report, period, min_cell, with_before, noise)
    building = [f.measure.title for f in figures if f.building]
    if building:  # a file is made only from complete figures (the job waits, see there)
        raise StillFilling(report.workflow, building)
    register, shown = _register(defs, settings, user, period)
    return ReportContent(
        report=report,
        workflow_title=defs.workflows[report.workflow].title,
        period=period,
        previous=period.previous() if period is not None and with_before else None,
        min_cell=min_cell,
        figures=figures,
        key_figures=key_figures(figures),
        register=register,
        register_shown=shown,
        barriers=_open_barriers(defs, report, min_cell, noise),
        made_at=local_time(utcnow()),
        noise=spread(noise),
    )


def cell_text(value: Any) -> str:
    """A figure as the page prints it: „x“ suppressed, one decimal with a comma."""
    if value is None:
        return "x"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, dt.date):
        return date_text(value)
    return str(value)
