"""Small charts drawn on the server as inline SVG.

No script, no <style> element and no style attribute: colours and fonts are SVG presentation
attributes, so the charts work without JavaScript and under a strict Content-Security-Policy.
Each chart is an image (role="img") named by its title and a one-line summary; the page shows the
same figures as a table next to it. Series differ by dash pattern and marker as well as by colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
TEXT = "#212529"
MUTED = "#495057"
GRID = "#dee2e6"
AXIS = "#6c757d"
# Colour, dash pattern, marker: distinguishable in grey scale and by colour-blind readers.
STYLES = (
    ("#0b5cad", "", "circle"),
    ("#b02a37", "6 4", "square"),
    ("#6f42c1", "2 3", "diamond"),
    ("#146c43", "10 3 2 3", "triangle"),
)
BAR = "#0b5cad"
MAX_X_LABELS = 8
MAX_MARKERS = 60


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]


def nice_ceiling(value: float, ticks: int = 4) -> tuple[float, float]:
    """A round top for the y axis and the step between its ticks (1, 2 or 5 times a power of 10).

    Counts are whole numbers, so the step is never below 1.
    """
    if value <= 0:
        return 1.0, 1.0
    raw = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(step, 1.0)
    return step * math.ceil(value / step), step


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _attrs(**attrs: object) -> str:
    return " ".join(
        f'{name.rstrip("_").replace("_", "-")}="{escape(value)}"'
        for name, value in attrs.items()
        if value not in (None, "")
    )


def _svg(title: str, summary: str, width: int, height: int, body: list[str]) -> SafeString:
    label = f"{title}. {summary}" if summary else title
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f"{_attrs(role='img', aria_label=label, class_='stats-chart')} "
        f'font-family="{escape(FONT)}" font-size="12" fill="{TEXT}" '
        f'preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(title)}</title>"
    )
    if summary:
        head += f"<desc>{escape(summary)}</desc>"
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text is escaped


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{colour}"/>'
    if shape == "diamond":
        points = f"{x:.1f},{y - 4:.1f} {x + 4:.1f},{y:.1f} {x:.1f},{y + 4:.1f} {x - 4:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "triangle":
        points = f"{x:.1f},{y - 4:.1f} {x + 4:.1f},{y + 3:.1f} {x - 4:.1f},{y + 3:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>'


def line_chart(
    *,
    title: str,
    summary: str,
    labels: Sequence[str],
    series: Sequence[Series],
    width: int = 720,
    height: int = 300,
) -> SafeString:
    """Counts over time: one line per series, a legend above, at most eight x labels."""
    left, right, top, bottom = 48, 16, 40, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max((max(s.values, default=0) for s in series), default=0)
    y_max, step = nice_ceiling(highest)
    count = len(labels)

    def x_at(i: int) -> float:
        return left + (plot_w / 2 if count <= 1 else plot_w * i / (count - 1))

    def y_at(value: float) -> float:
        return top + plot_h - plot_h * value / y_max

    body = []
    tick = 0.0
    while tick <= y_max + 1e-9:
        y = y_at(tick)
        body.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{_number(tick)}</text>"
        )
        tick += step
    body.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="{AXIS}"/>'
    )
    every = max(1, math.ceil(count / MAX_X_LABELS))
    for i, label in enumerate(labels):
        if i % every and i != count - 1:
            continue
        if i != count - 1 and count - 1 - i < every / 2:
            continue  # too close to the last label, which is always shown
        # The first and last labels are anchored inwards so they are never cut at the edges.
        anchor = "middle"
        if count > 1 and i == 0:
            anchor = "start"
        elif count > 1 and i == count - 1:
            anchor = "end"
        body.append(
            f'<text x="{x_at(i):.1f}" y="{top + plot_h + 18}" text-anchor="{anchor}" '
            f'fill="{MUTED}">{escape(label)}</text>'
        )
    legend_x = left
    for index, one in enumerate(series):
        colour, dash, shape = STYLES[index % len(STYLES)]
        body.append(
            f"<line {_attrs(x1=legend_x, x2=legend_x + 28, y1=14, y2=14, stroke=colour)} "
            f'stroke-width="2" {_attrs(stroke_dasharray=dash)}/>'
            + _marker(shape, legend_x + 14, 14, colour)
            + f'<text x="{legend_x + 34}" y="18">{escape(one.label)}</text>'
        )
        legend_x += 48 + 7 * len(one.label)
        points = " ".join(f"{x_at(i):.1f},{y_at(v):.1f}" for i, v in enumerate(one.values))
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2" '
            f'stroke-linejoin="round" {_attrs(stroke_dasharray=dash)}/>'
        )
        if count <= MAX_MARKERS:
            body.extend(_marker(shape, x_at(i), y_at(v), colour) for i, v in enumerate(one.values))
    return _svg(title, summary, width, height, body)


def bar_chart(
    *,
    title: str,
    summary: str,
    labels: Sequence[str],
    values: Sequence[float],
    width: int = 720,
) -> SafeString:
    """Horizontal bars, one per label, the value written at the end of each bar."""
    label_w, right, top, row_h = 220, 48, 8, 26
    height = top * 2 + row_h * max(len(labels), 1)
    plot_w = width - label_w - right
    highest = max(values, default=0) or 1
    body = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row_h
        short = label if len(label) <= 32 else label[:31] + "…"
        bar_w = plot_w * value / highest
        body.append(
            f"<g><title>{escape(label)}: {_number(value)}</title>"
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w:.1f}" height="{row_h - 8}" '
            f'fill="{BAR}"/>'
            f'<text x="{label_w + bar_w + 6:.1f}" y="{y + 17}">{_number(value)}</text></g>'
        )
    body.append(
        f'<line x1="{label_w}" x2="{label_w}" y1="{top}" y2="{height - top}" stroke="{AXIS}"/>'
    )
    return _svg(title, summary, width, height, body)
