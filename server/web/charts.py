"""Charts drawn on the server as SVG: no JavaScript library, no inline script, readable
without colour (every bar carries its number), and escaped like any other text."""

from __future__ import annotations

import textwrap

from markupsafe import Markup, escape

# each at least 4.9:1 on white: the bars are seen (WCAG 1.4.11 asks 3:1) and the white numbers
# inside the stacked bars are read (1.4.3 asks 4.5:1)
BAR_COLOURS = (
    "#1f6fb2",
    "#3b7d58",
    "#9a5a12",
    "#7a4ba6",
    "#b23b3e",
    "#4f6f7d",
    "#7d7019",
    "#1d7d76",
    "#7a4a2e",
    "#555555",
)

OVERDUE = "#c2474a"  # what is late: the same red wherever it is drawn


NARROW = 300  # the narrow drawing's width: a 320 px screen shows it at about its size
TITLE_CHARACTERS = 34  # of 14 px bold text on one line of the narrow drawing


def _pair(wide: str, narrow: str) -> Markup:
    """Both drawings of a chart; the style sheet shows one (the narrow one below 576 px, where
    the wide one would shrink its 12 px text under 9 px: WCAG 1.4.4). The hidden one is
    ``display: none``, so a screen reader meets the chart once."""
    return Markup(
        f'<span class="verbund-chart-pair"><span class="verbund-chart-wide">{wide}</span>'
        f'<span class="verbund-chart-narrow">{narrow}</span></span>'
    )


def _head(width: int, height: int, title: str, lines: list[str]) -> list[str]:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="verbund-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for n, line in enumerate(lines):
        parts.append(
            f'<text x="0" y="{16 + 18 * n}" font-size="14" font-weight="bold">{escape(line)}</text>'
        )
    return parts


def bar_chart(
    items: list[tuple[str, int | None]],
    title: str,
    *,
    suppressed: str = "x",
    colours: list[str] | None = None,
) -> Markup:
    """A horizontal bar chart of (label, value) pairs, drawn wide and narrow (:func:`_pair`);
    ``None`` (a number kept secret) draws no bar and the text ``suppressed``."""
    palette = list(colours or BAR_COLOURS)
    wide = _bars_wide(list(items), title, suppressed, palette)
    return _pair(wide, _bars_narrow(list(items), title, suppressed, palette))


def _bars_narrow(shown, title: str, suppressed: str, palette: list[str]) -> str:
    """Each label on a line of its own above its bar, across the whole width."""
    lines = textwrap.wrap(title, TITLE_CHARACTERS) or [""]
    first = 10 + 18 * len(lines)
    row = 44
    top = max([v for _, v in shown if v] or [1])
    span = NARROW - 40
    height = first + len(shown) * row + 4 + (24 if not shown else 0)
    parts = _head(NARROW, height, title, lines)
    for index, (label, value) in enumerate(shown):
        y = first + index * row
        length = 0 if not value else max(2, round(span * value / top))
        text = escape(suppressed if value is None else str(value))
        parts.append(
            f'<text x="0" y="{y + 12}" font-size="13">{escape(_shorten(label, 44))}</text>'
            f'<rect x="0" y="{y + 17}" width="{length}" height="20" '
            f'fill="{palette[index % len(palette)]}"><title>{escape(label)}: {text}</title></rect>'
            f'<text x="{length + 6}" y="{y + 32}" font-size="12">{text}</text>'
        )
    if not shown:
        parts.append(f'<text x="0" y="{first + 14}" font-size="12" fill="#555">Keine Daten.</text>')
    parts.append("</svg>")
    return "".join(parts)


def _bars_wide(
    shown,
    title: str,
    suppressed: str,
    palette: list[str],
    width: int = 520,
    bar_height: int = 22,
    label_width: int = 200,
) -> str:
    """Labels left of their bars."""
    top = max([v for _, v in shown if v] or [1])
    height = 28 + len(shown) * (bar_height + 6) + 4
    span = width - label_width - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="verbund-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    for index, (label, value) in enumerate(shown):
        y = 28 + index * (bar_height + 6)
        length = 0 if not value else max(2, round(span * value / top))
        colour = palette[index % len(palette)]
        text = escape(suppressed if value is None else str(value))
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.0f}" font-size="12" '
            f'text-anchor="end">{escape(_shorten(label))}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" '
            f'fill="{colour}"><title>{escape(label)}: {text}</title></rect>'
            f'<text x="{label_width + length + 6}" y="{y + bar_height * 0.7:.0f}" '
            f'font-size="12">{text}</text>'
        )
    if not shown:
        parts.append('<text x="0" y="44" font-size="12" fill="#555">Keine Daten.</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_bar_chart(
    rows: list[tuple[str, list[int]]],
    series: list[str],
    title: str,
    *,
    colours: list[str] | None = None,
) -> Markup:
    """Horizontal bars, one per row, split into ``series`` (e.g. people × phases), drawn wide
    and narrow (:func:`_pair`).

    Every segment carries its number when there is room and a tooltip always; the row total
    stands after the bar; a legend names the series (colour and text, so it reads in black
    and white too, with the table the page shows next to it)."""
    palette = list(colours or BAR_COLOURS)
    return _pair(
        _stacked(rows, series, title, palette, narrow=False),
        _stacked(rows, series, title, palette, narrow=True),
    )


def _stacked(rows, series, title: str, palette: list[str], *, narrow: bool) -> str:
    """Wide: 620 px, labels left of the bars, the legend in three columns. Narrow: each label
    above its bar, the legend one name a line."""
    width, bar_height = (NARROW, 20) if narrow else (620, 22)
    label_width = 0 if narrow else 170
    lines = (textwrap.wrap(title, TITLE_CHARACTERS) or [""]) if narrow else [title]
    first = 10 + 18 * len(lines)
    row = (16 + bar_height + 8) if narrow else (bar_height + 6)
    columns = 1 if narrow else 3
    top = max([sum(values) for _, values in rows] or [1]) or 1
    legend_rows = (len(series) + columns - 1) // columns
    height = first + len(rows) * row + 8 + legend_rows * 18
    span = width - label_width - 50
    parts = _head(width, height, title, lines)
    for index, (label, values) in enumerate(rows):
        y = first + index * row
        if narrow:
            parts.append(
                f'<text x="0" y="{y + 12}" font-size="13">{escape(_shorten(label, 44))}</text>'
            )
            y += 16
        else:
            parts.append(
                f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.0f}" font-size="12" '
                f'text-anchor="end">{escape(_shorten(label, 24))}</text>'
            )
        x = float(label_width)
        for number, (name, value) in enumerate(zip(series, values, strict=True)):
            if not value:
                continue
            length = span * value / top
            colour = palette[number % len(palette)]
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{length:.1f}" height="{bar_height}" '
                f'fill="{colour}"><title>{escape(label)} – {escape(name)}: {value}</title></rect>'
            )
            if length >= 14:
                parts.append(
                    f'<text x="{x + length / 2:.1f}" y="{y + bar_height * 0.7:.0f}" '
                    f'font-size="11" fill="#fff" text-anchor="middle">{value}</text>'
                )
            x += length
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + bar_height * 0.7:.0f}" font-size="12">'
            f"{sum(values)}</text>"
        )
    if not rows:
        parts.append(f'<text x="0" y="{first + 16}" font-size="12" fill="#555">Keine Daten.</text>')
    base = first + len(rows) * row + 8
    for number, name in enumerate(series):
        x, y = (number % columns) * (width // columns), base + (number // columns) * 18
        colour = palette[number % len(palette)]
        parts.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="{y + 10}" font-size="11">{escape(_shorten(name, 28))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _shorten(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
