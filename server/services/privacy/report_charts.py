"""Charts of the Lenkungskreis report: a horizontal bar chart as SVG, rendered to PNG.

The SVG is written here (a few rectangles and texts – the figures decide everything, so a
chart library would add little) and turned into PNG by cairosvg, which needs the system's
cairo library (Debian: ``libcairo2``). A suppressed figure gets no bar, only „x“, so a chart
shows no more than the table under it.

A count crossed by a second dimension gets a second chart: the period's cells, one bar per
column category in each row (up to :data:`MOST_CATEGORIES`; a wider table is read in the
table). Colours come in dark/light pairs of three hues, so neighbouring bars differ in
lightness too (printed in grey, or seen without colour vision) and the legend names them.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from .report import Figures
from .report_content import cell_text

WIDTH = 640
BAR = 14
COLOURS = ("#1f4e79", "#9dc3e6")  # the period, the period before (dark/light: also in grey)
# a crossed count's categories: pairs of dark and light blue, orange, green
CATEGORY_COLOURS = ("#1f4e79", "#9dc3e6", "#843c0c", "#f4b183", "#375623", "#a9d18e")
MOST_CATEGORIES = len(CATEGORY_COLOURS)


def _legend(names: list[str], colours: tuple[str, ...], left: int) -> tuple[list[str], int]:
    """The legend's SVG parts, wrapped into lines across the chart, and the y below it."""
    parts, x, y = [], left, 24
    for name, colour in zip(names, colours, strict=False):
        width = 14 + 7 * len(name) + 16  # an estimate: 11 px DejaVu Sans is ~6.5 px a letter
        if x > left and x + width > WIDTH:
            x, y = left, y + 16
        parts.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{y + 9}">{escape(name)}</text>')
        x += width
    return parts, y + 16


def bar_chart_svg(
    title: str,
    labels: list[str],
    series: list[tuple[str, list[float | int | None]]],
    colours: tuple[str, ...] = COLOURS,
) -> str:
    """Horizontal bars, one group per label, one bar per series (as many as ``colours``)."""
    label_width = 200
    legend, top = _legend([name for name, _ in series], colours, label_width)
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
        *legend,
    ]
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
                    f'fill="{colours[n]}"/>'
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


def crossed_chart_svg(f: Figures, now_label: str) -> str | None:
    """The second chart of a count crossed by a column dimension: the period's cells, one bar
    per category in each row; None for a measure without columns, without rows, or with more
    than :data:`MOST_CATEGORIES` categories."""
    table = f.now
    if f.measure.kind != "count" or table is None or not table.rows:
        return None
    if not 1 < len(table.columns) <= MOST_CATEGORIES:
        return None
    series = [(column, [row[j] for row in table.cells]) for j, column in enumerate(table.columns)]
    title = f"{f.measure.title} nach {table.column_label} ({now_label})"
    return bar_chart_svg(title, table.rows, series, CATEGORY_COLOURS)


def png(svg: str) -> bytes:
    """The SVG as PNG at twice its size (sharp in print)."""
    import cairosvg

    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=2)
