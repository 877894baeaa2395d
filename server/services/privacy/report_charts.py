"""Charts of the Lenkungskreis report: a horizontal bar chart as SVG, rendered to PNG.

The SVG is written here (a few rectangles and texts – the figures decide everything, so a
chart library would add little) and turned into PNG by cairosvg, which needs the system's
cairo library (Debian: ``libcairo2``). A suppressed figure gets no bar, only „x“, so a chart
shows no more than the table under it.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from .report import Figures
from .report_content import cell_text

WIDTH = 640
BAR = 14
COLOURS = ("#1f4e79", "#9dc3e6")  # the period, the period before (dark/light: also in grey)


def bar_chart_svg(
    title: str, labels: list[str], series: list[tuple[str, list[float | int | None]]]
) -> str:
    """Horizontal bars, one group per label, one bar per series (up to two)."""
    label_width = 200
    top = 40
    group = BAR * len(series) + 10
    height = top + group * max(len(labels), 1) + 30
    peak = max([v for _, values in series for v in values if v is not None] + [1])
    scale = (WIDTH - label_width - 60) / peak
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Arial, sans-serif" '
        'font-size="11">',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="0" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for n, (name, _values) in enumerate(series):
        x = label_width + n * 200
        parts.append(f'<rect x="{x}" y="24" width="10" height="10" fill="{COLOURS[n]}"/>')
        parts.append(f'<text x="{x + 14}" y="33">{escape(name)}</text>')
    for i, label in enumerate(labels):
        y = top + i * group
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + group / 2}" text-anchor="end">'
            f"{escape(short)}</text>"
        )
        for n, (_name, values) in enumerate(series):
            value = values[i]
            by = y + n * BAR
            width = 0 if value is None else max(value * scale, 0)
            if width:
                parts.append(
                    f'<rect x="{label_width}" y="{by}" width="{width:.1f}" height="{BAR - 2}" '
                    f'fill="{COLOURS[n]}"/>'
                )
            parts.append(
                f'<text x="{label_width + width + 4:.1f}" y="{by + BAR - 4}">'
                f"{escape(cell_text(value))}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def figure_chart_svg(f: Figures, now_label: str, before_label: str | None) -> str | None:
    """The chart of one measure: row totals (counts) or medians (durations), now and
    before; None for a measure without rows."""
    if f.measure.kind == "count":
        c = f.comparison
        if c is not None:
            series = [(now_label, c.now)]
            if before_label:
                series.append((before_label, c.before))
            return bar_chart_svg(f.measure.title, c.rows, series)
        table = f.now
        return bar_chart_svg(f.measure.title, table.rows, [(now_label, table.row_totals)])
    rows = [*f.now.rows, f.now.total] if f.now.rows else [f.now.total]
    if not any(r.median is not None for r in rows):
        return None
    series = [(f"{now_label} (Median, Tage)", [r.median for r in rows])]
    if f.before is not None and before_label:
        earlier = {r.label: r.median for r in [*f.before.rows, f.before.total]}
        series.append((f"{before_label} (Median, Tage)", [earlier.get(r.label) for r in rows]))
    return bar_chart_svg(f.measure.title, [r.label for r in rows], series)


def png(svg: str) -> bytes:
    """The SVG as PNG at twice its size (sharp in print)."""
    import cairosvg

    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=2)
