"""The indicator of a measure drawn as SVG: actual values as a line against target and plan.

Drawn on the server (no script; the same drawing can go into a Word report as an image).
Accessible: ``role="img"`` named by a ``<title>`` and described by a ``<desc>`` that holds
the figures in words (:meth:`Indicator.summary`); the page shows the same figures as a table.
Nothing relies on colour alone: the plan is dashed, the target dotted and labelled, the
actual values are dots with their number at the latest one.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from markupsafe import Markup, escape

from ...german import date_text
from .indicators import Indicator, expected_on, number_text

ACTUAL = "#1f6fb2"  # at least 4.5:1 on white, like the bar charts
TARGET = "#3b7d58"
PLAN = "#555555"
BEHIND = "#b23b3e"

WIDTH, HEIGHT = 260, 180
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 12, 52  # room for the axis labels and the legend


def _domain(ind: Indicator) -> tuple[dt.date, dt.date, Decimal, Decimal]:
    days = [d for d, _ in ind.values]
    start = ind.line_start()
    days += [d for d in (start[0] if start else None, ind.due) if d is not None]
    first, last = min(days), max(days)
    if last <= first:
        last = first + dt.timedelta(days=1)
    numbers = [v for _, v in ind.values] + [ind.target]
    numbers += [n for n in (ind.baseline, ind.expected) if n is not None]
    low, high = min(numbers), max(numbers)
    pad = (high - low) / 10 if high > low else max(abs(high) / 10, Decimal(1))
    # no negative axis for figures that cannot be negative (shares, days, people)
    bottom = low - pad if low < 0 or low - pad >= 0 else Decimal(0)
    return first, last, bottom, high + pad


def indicator_svg(ind: Indicator, ident: str, title: str) -> Markup:
    """The chart of one indicator; ``ident`` makes its element ids unique on the page."""
    first, last, low, high = _domain(ind)
    span_x, span_y = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    total_days = (last - first).days

    def x(day: dt.date) -> float:
        return LEFT + span_x * (day - first).days / total_days

    def y(value: Decimal) -> float:
        return TOP + span_y * float((high - value) / (high - low))

    title_id, desc_id = f"{ident}-titel", f"{ident}-beschreibung"
    unit = ind.unit
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="verbund-indicator-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(ind.summary())}</desc>',
        # axes
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + span_y}" stroke="#767676"/>',
        f'<line x1="{LEFT}" y1="{TOP + span_y}" x2="{LEFT + span_x}" y2="{TOP + span_y}" '
        'stroke="#767676"/>',
    ]
    for value in (high, low):
        shown = value.quantize(Decimal(1) if abs(value) >= 10 else Decimal("0.1"))
        parts.append(
            f'<text x="{LEFT - 4}" y="{y(value) + 4:.1f}" font-size="11" text-anchor="end">'
            f"{escape(number_text(shown))}</text>"
        )
    base_y = TOP + span_y + 14
    parts.append(f'<text x="{LEFT}" y="{base_y}" font-size="11">{escape(_day(first))}</text>')
    parts.append(
        f'<text x="{LEFT + span_x}" y="{base_y}" font-size="11" text-anchor="end">'
        f"{escape(_day(last))}</text>"
    )
    # the target: dotted across the whole chart, labelled
    ty = y(ind.target)
    parts.append(
        f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{LEFT + span_x}" y2="{ty:.1f}" stroke="{TARGET}" '
        'stroke-width="1.5" stroke-dasharray="2 3"/>'
        f'<text x="{LEFT + 4}" y="{ty - 4:.1f}" font-size="11" fill="{TARGET}">'
        f"Ziel {escape(number_text(ind.target, unit))}</text>"
    )
    # the plan: dashed from the line's start to the target on the due date
    start = ind.line_start()
    if start is not None and ind.due is not None:
        parts.append(
            f'<line x1="{x(start[0]):.1f}" y1="{y(start[1]):.1f}" x2="{x(ind.due):.1f}" '
            f'y2="{ty:.1f}" stroke="{PLAN}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        if ind.due < last:  # after the due date the plan stays at the target
            exp = expected_on(start, ind.target, ind.due, last)
            parts.append(
                f'<line x1="{x(ind.due):.1f}" y1="{ty:.1f}" x2="{x(last):.1f}" '
                f'y2="{y(exp):.1f}" stroke="{PLAN}" stroke-width="1.5" stroke-dasharray="6 4"/>'
            )
    # the actual values: a line with a dot each, the latest one labelled
    if ind.values:
        points = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in ind.values)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{ACTUAL}" stroke-width="2.5"/>'
        )
        for day, value in ind.values:
            parts.append(
                f'<circle cx="{x(day):.1f}" cy="{y(value):.1f}" r="3.5" fill="{ACTUAL}">'
                f"<title>{escape(_day(day))}: {escape(number_text(value, unit))}</title></circle>"
            )
        day, value = ind.values[-1]
        colour = BEHIND if ind.off_track else ACTUAL
        anchor = "end" if x(day) > LEFT + span_x / 2 else "start"
        shift = -6 if anchor == "end" else 6
        parts.append(
            f'<text x="{x(day) + shift:.1f}" y="{y(value) - 7:.1f}" font-size="11" '
            f'font-weight="bold" fill="{colour}" text-anchor="{anchor}">'
            f"{escape(number_text(value, unit))}</text>"
        )
    # the legend: line styles, so colour is not needed to tell the lines apart
    ly = HEIGHT - 16
    parts.append(
        f'<line x1="{LEFT}" y1="{ly}" x2="{LEFT + 18}" y2="{ly}" stroke="{ACTUAL}" '
        'stroke-width="2.5"/>'
        f'<text x="{LEFT + 22}" y="{ly + 4}" font-size="11">Ist</text>'
        f'<line x1="{LEFT + 48}" y1="{ly}" x2="{LEFT + 66}" y2="{ly}" stroke="{PLAN}" '
        'stroke-width="1.5" stroke-dasharray="6 4"/>'
        f'<text x="{LEFT + 70}" y="{ly + 4}" font-size="11">Plan</text>'
        f'<line x1="{LEFT + 102}" y1="{ly}" x2="{LEFT + 120}" y2="{ly}" stroke="{TARGET}" '
        'stroke-width="1.5" stroke-dasharray="2 3"/>'
        f'<text x="{LEFT + 124}" y="{ly + 4}" font-size="11">Ziel</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def _day(day: dt.date) -> str:
    return date_text(day)
