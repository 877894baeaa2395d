"""Charts drawn on the server as SVG: no JavaScript library, no inline script, readable
without colour (every bar carries its number), and escaped like any other text."""

from __future__ import annotations

from markupsafe import Markup, escape

BAR_COLOURS = ("#1f6fb2", "#4c9f70", "#d08c2f", "#8c5ab8", "#c2474a", "#5a7d8c")


def bar_chart(
    items: list[tuple[str, int | None]],
    title: str,
    *,
    width: int = 520,
    bar_height: int = 22,
    label_width: int = 200,
) -> Markup:
    """A horizontal bar chart of (label, value) pairs; ``None`` draws as "< 5" (suppressed)."""
    shown = list(items)
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
        colour = BAR_COLOURS[index % len(BAR_COLOURS)]
        text = escape("< 5" if value is None else str(value))
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.0f}" font-size="12" '
            f'text-anchor="end">{escape(_shorten(label))}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" '
            f'fill="{colour}"><title>{escape(label)}: {text}</title></rect>'
            f'<text x="{label_width + length + 6}" y="{y + bar_height * 0.7:.0f}" '
            f'font-size="12">{text}</text>'
        )
    if not shown:
        parts.append('<text x="0" y="44" font-size="12" fill="#666">Keine Daten.</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _shorten(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
