"""A workflow's states and transitions as an SVG picture, drawn on the server.

Layout: states are placed in columns by their distance from the initial state (breadth-first
over the transitions), in file order within a column. A step to the next column is a curve
from right to left; longer forward steps arc over the top, steps back arc under the bottom,
steps within a column bend out to the right. Transitions ``from = "*"`` start at one extra
box „aus jedem offenen Zustand“ below the picture. Every text is XML-escaped; there is no
script and no external reference, so the picture can be inlined into a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..schema.definitions import WorkflowDef

NODE_W, NODE_H = 160, 50
COL_GAP, ROW_GAP = 110, 40  # the gap between columns grows with the labels in it
LABEL_CHARS = 24
FONT = 'font-family="sans-serif"'


@dataclass
class _Box:
    x: float
    y: float
    w: float = NODE_W
    h: float = NODE_H

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


def _ranks(workflow: WorkflowDef, edges: list[tuple[str, str, str]], star: list[str]) -> dict:
    """The column of every state: its longest distance from the initial state over steps that
    lead to a state written later in the file (steps back are not counted, so the main line
    of a workflow reads left to right even with jumps back). Unreachable states go last."""
    order = {s.id: i for i, s in enumerate(workflow.states)}
    final = {s.id for s in workflow.states if s.final}
    forward: dict[str, list[str]] = {}
    for src, dst, _ in edges:
        if order[dst] > order[src]:
            forward.setdefault(src, []).append(dst)
    rank = {workflow.initial: 0}
    # „from any open state“ counts from the initial one only: such ends sit next to the start
    if workflow.initial not in final:
        forward.setdefault(workflow.initial, []).extend(
            t for t in star if order.get(t, -1) > order.get(workflow.initial, 0)
        )
    for state in workflow.states:  # file order is a topological order of the forward steps
        if state.id not in rank:
            continue
        for target in forward.get(state.id, []):
            rank[target] = max(rank.get(target, 0), rank[state.id] + 1)
    last = max(rank.values(), default=0) + 1
    for state in workflow.states:
        rank.setdefault(state.id, last)
    return rank


def _wrap(text: str, width: int = 20) -> list[str]:
    """At most two lines of about ``width`` characters (the rest is cut with …)."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], lines[1][: width - 1] + "…"]
    return [ln if len(ln) <= width + 4 else ln[: width + 3] + "…" for ln in lines] or [""]


def _cubic_point(p0, p1, p2, p3, t: float = 0.5) -> tuple[float, float]:
    u = 1 - t
    x = u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0]
    y = u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1]
    return x, y


class _Canvas:
    """Collects SVG elements and the extent they cover."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.xs: list[float] = []
        self.ys: list[float] = []

    def cover(self, *points: tuple[float, float]) -> None:
        for x, y in points:
            self.xs.append(x)
            self.ys.append(y)

    def text(self, x: float, y: float, content: str, size: int = 13, **attrs: str) -> None:
        extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
        self.parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" {FONT} '
            f'text-anchor="middle"{extra}>{escape(content)}</text>'
        )
        half = len(content) * size * 0.3
        self.cover((x - half, y - size), (x + half, y + 4))

    def curve(self, p0, p1, p2, p3, title: str, label: str, dashed: bool = False) -> None:
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        self.parts.append(
            f'<path d="M{p0[0]:.1f},{p0[1]:.1f} C{p1[0]:.1f},{p1[1]:.1f} '
            f'{p2[0]:.1f},{p2[1]:.1f} {p3[0]:.1f},{p3[1]:.1f}" fill="none" stroke="#6c757d" '
            f'stroke-width="1.4"{dash} marker-end="url(#pfeil)"><title>{escape(title)}</title>'
            "</path>"
        )
        self.cover(p0, p1, p2, p3)
        if label:
            x, y = _cubic_point(p0, p1, p2, p3)
            lines = _wrap(label, LABEL_CHARS)
            width = max(len(line) for line in lines) * 6.6 + 8
            height = 14 * len(lines) + 2
            self.parts.append(
                f'<rect x="{x - width / 2:.1f}" y="{y - 9:.1f}" width="{width:.1f}" '
                f'height="{height}" rx="3" fill="#ffffff" fill-opacity="0.9"/>'
            )
            for i, line in enumerate(lines):
                self.text(x, y + 3.5 + 14 * i, line, size=11, fill="#343a40")


def _label_width(label: str) -> float:
    return max(len(line) for line in _wrap(label, LABEL_CHARS)) * 6.6 + 8


def workflow_svg(workflow: WorkflowDef, href=None) -> str:
    """The SVG markup (a complete ``<svg>`` element) of ``workflow``.

    With ``href`` (the workflow builder) every state and arrow is a link:
    ``href("state", id)`` and ``href("transition", index)`` give the addresses.
    """
    ids = {s.id for s in workflow.states}
    edges: list[tuple[str, str, str]] = []
    owner: list[int] = []  # the transition each drawn edge belongs to
    star_labels: list[tuple[str, str]] = []
    for index, t in enumerate(workflow.transitions):
        if t.to not in ids:
            continue
        label = t.label or (workflow.state(t.to).label if workflow.state(t.to) else t.to)
        if t.from_states == ("*",):
            star_labels.append((t.to, label))
            continue
        for src in t.from_states:
            if src in ids:
                edges.append((src, t.to, label))
                owner.append(index)
    rank = _ranks(workflow, edges, [dst for dst, _ in star_labels])

    gap = max([COL_GAP] + [_label_width(n) + 30 for a, b, n in edges if rank[b] - rank[a] == 1])
    gap = min(gap, 240)
    boxes: dict[str, _Box] = {}
    rows: dict[int, int] = {}
    for state in workflow.states:
        column = rank[state.id]
        row = rows.get(column, 0)
        rows[column] = row + 1
        boxes[state.id] = _Box(column * (NODE_W + gap), row * (NODE_H + ROW_GAP))
    bottom = max((b.y + b.h for b in boxes.values()), default=NODE_H)

    # a transition from several states is labelled once, at its shortest edge
    labelled: dict[int, int] = {}
    for i, (src, dst, _) in enumerate(edges):
        best = labelled.get(owner[i])
        distance = abs(rank[dst] - rank[src])
        if best is None or distance < abs(rank[edges[best][1]] - rank[edges[best][0]]):
            labelled[owner[i]] = i
    canvas = _Canvas()
    counts: dict[tuple, int] = {}

    def nth(*key) -> int:
        counts[key] = counts.get(key, 0) + 1
        return counts[key] - 1

    for i, (src, dst, name) in enumerate(edges):
        label = name if labelled.get(owner[i]) == i else ""
        if href is not None:
            canvas.parts.append(_link(href("transition", owner[i]), f"Übergang „{name}“"))
        _edge(canvas, boxes, rank, bottom, nth, src, dst, name, label)
        if href is not None:
            canvas.parts.append("</a>")
    _rest(canvas, workflow, boxes, bottom, star_labels, href)
    return _svg(canvas, workflow, href is not None)


def _link(address: str, name: str) -> str:
    return f'<a href="{escape(address)}" aria-label="{escape(name)}">'


def _edge(canvas, boxes, rank, bottom, nth, src, dst, name, label) -> None:
    """One arrow from ``src`` to ``dst``, routed by how far apart their columns are."""
    a, b = boxes[src], boxes[dst]
    span = rank[dst] - rank[src]
    if src == dst:
        p0, p3 = (a.x + a.w - 20, a.y), (a.x + a.w, a.y + 14)
        canvas.curve(p0, (p0[0] + 10, p0[1] - 40), (p3[0] + 40, p3[1] - 10), p3, name, label)
    elif span == 1:
        shift = 10 * nth("side", src, dst)
        p0, p3 = (a.x + a.w, a.cy + shift), (b.x, b.cy + shift)
        mid = (p0[0] + p3[0]) / 2
        canvas.curve(p0, (mid, p0[1]), (mid, p3[1]), p3, name, label)
    elif span > 1:
        high = min(a.y, b.y) - 40 - 26 * (span - 1) - 10 * nth("top", span)
        p0 = (a.cx + 10 + 10 * nth("top-out", src), a.y)
        p3 = (b.cx - 10 - 10 * nth("top-in", dst), b.y)
        canvas.curve(p0, (p0[0], high), (p3[0], high), p3, name, label)
    elif span == 0:
        out = a.x + a.w + 50 + 12 * nth("right", src, dst)
        p0, p3 = (a.x + a.w, a.cy + 8), (b.x + b.w, b.cy - 8)
        canvas.curve(p0, (out, p0[1]), (out, p3[1]), p3, name, label)
    else:
        low = bottom + 36 + 26 * (-span - 1) + 10 * nth("bottom", span)
        p0 = (a.cx - 10 - 10 * nth("bottom-out", src), a.y + a.h)
        p3 = (b.cx + 10 + 10 * nth("bottom-in", dst), b.y + b.h)
        canvas.curve(p0, (p0[0], low), (p3[0], low), p3, name, label)


def _rest(canvas, workflow, boxes, bottom, star_labels, href) -> None:
    """The box „aus jedem offenen Zustand“, the states and the start marker."""
    if star_labels:
        lowest = max(canvas.ys + [bottom])
        any_box = _Box(0, lowest + 50, NODE_W + 40, 34)
        canvas.parts.append(
            f'<rect x="{any_box.x}" y="{any_box.y:.1f}" width="{any_box.w}" height="{any_box.h}" '
            'rx="17" fill="#ffffff" stroke="#6c757d" stroke-dasharray="5 4"/>'
        )
        canvas.text(any_box.cx, any_box.cy + 4, "aus jedem offenen Zustand", size=12)
        canvas.cover((any_box.x, any_box.y), (any_box.x + any_box.w, any_box.y + any_box.h))
        for i, (dst, label) in enumerate(star_labels):
            b = boxes[dst]
            p0, p3 = (any_box.x + any_box.w - 10 - 8 * i, any_box.y), (b.cx + 10 * i, b.y + b.h)
            canvas.curve(p0, (p0[0] + 40, p0[1] - 60), (p3[0], p3[1] + 60), p3, label, label, True)

    for state in workflow.states:
        box = boxes[state.id]
        stroke = "#007bff" if state.id == workflow.initial else "#495057"
        if href is not None:
            canvas.parts.append(_link(href("state", state.id), f"Zustand „{state.label}“"))
        canvas.parts.append(
            f'<g class="zustand" data-state="{escape(state.id)}"><title>{escape(state.id)}</title>'
            f'<rect x="{box.x}" y="{box.y}" width="{box.w}" height="{box.h}" rx="8" '
            f'fill="#f8f9fa" stroke="{stroke}" stroke-width="{2 if state.final else 1.5}"/>'
        )
        if state.final:
            canvas.parts.append(
                f'<rect x="{box.x + 4}" y="{box.y + 4}" width="{box.w - 8}" '
                f'height="{box.h - 8}" rx="6" fill="none" stroke="{stroke}"/>'
            )
        lines = _wrap(state.label)
        first = box.cy + 5 - 8 * (len(lines) - 1)
        for i, line in enumerate(lines):
            canvas.text(box.cx, first + 16 * i, line, font_weight="bold" if i == 0 else "normal")
        canvas.parts.append("</g></a>" if href is not None else "</g>")
        canvas.cover((box.x, box.y), (box.x + box.w, box.y + box.h))
    start = boxes.get(workflow.initial)
    if start is not None:
        canvas.parts.append(
            f'<circle cx="{start.x - 34}" cy="{start.cy}" r="7" fill="#007bff"/>'
            f'<path d="M{start.x - 27},{start.cy} L{start.x - 2},{start.cy}" stroke="#007bff" '
            'stroke-width="1.4" marker-end="url(#pfeil)"/>'
        )
        canvas.cover((start.x - 42, start.cy - 8))


def _svg(canvas, workflow, linked: bool) -> str:
    # with links the diagram is a group of them, not one picture (role=img hides its links)
    role = "group" if linked else "img"
    pad = 16
    min_x, min_y = min(canvas.xs) - pad, min(canvas.ys) - pad
    width, height = max(canvas.xs) - min_x + pad, max(canvas.ys) - min_y + pad
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="verbund-diagramm" role="{role}" '
        f'aria-label="Ablauf {escape(workflow.title)}" '
        f'viewBox="{min_x:.0f} {min_y:.0f} {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}">'
        '<defs><marker id="pfeil" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#6c757d"/></marker></defs>' + "".join(canvas.parts) + "</svg>"
    )
