"""Small charts drawn on the server as inline SVG.

No script, no <style> element and no style attribute: colours and fonts are SVG presentation
attributes, so the charts work without JavaScript and under a strict Content-Security-Policy.
Each chart is an image (role="img") named by its title and a one-line summary; the page shows the
same figures as a table next to it. Series differ by dash pattern and marker as well as by colour.

Each chart is drawn twice, for a column and for a phone (`responsive`): an SVG scaled down to a
phone's width would shrink its text below reading size, so the phone gets its own drawing, with
fewer axis labels, and CSS shows one of the two (the other is `display: none`, out of the
accessibility tree too).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

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
MAX_MARKERS = 60
# Average advance of a character at font-size 12, and the gap kept between two axis labels.
CHAR_WIDTH = 7
LABEL_GAP = 14
WIDE, NARROW = 560, 340


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


def _svg(
    title: str, summary: str, width: int, height: int, body: list[str], variant: str = ""
) -> SafeString:
    label = f"{title}. {summary}" if summary else title
    css = f"stats-chart stats-chart-{variant}" if variant else "stats-chart"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f"{_attrs(role='img', aria_label=label, class_=css)} "
        f'font-family="{escape(FONT)}" font-size="12" fill="{TEXT}" '
        f'preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(title)}</title>"
    )
    if summary:
        head += f"<desc>{escape(summary)}</desc>"
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text is escaped


def responsive(draw: Callable[..., SafeString], **arguments: Any) -> SafeString:
    """The chart drawn for a column (`WIDE`) and for a phone (`NARROW`), one after the other;
    stats.css shows the one that fits."""
    wide = draw(**arguments, width=WIDE, variant="wide")
    narrow = draw(**arguments, width=NARROW, variant="narrow")
    return mark_safe(wide + narrow)  # noqa: S308 - both are built escaped


def _anchor(i: int, count: int) -> str:
    # The first and last labels are anchored inwards so they are never cut at the edges.
    if count > 1 and i == 0:
        return "start"
    if count > 1 and i == count - 1:
        return "end"
    return "middle"


def label_positions(xs: Sequence[float], widths: Sequence[float]) -> list[int]:
    """Which x labels to write so that none touches the next: evenly spaced, as many as fit, the
    last always shown (the one before it is dropped when the two would touch)."""
    count = len(xs)
    if count == 0:
        return []

    def box(i: int) -> tuple[float, float]:
        shift = {"start": 0.0, "middle": widths[i] / 2, "end": widths[i]}[_anchor(i, count)]
        return xs[i] - shift, xs[i] - shift + widths[i]

    def apart(first: int, second: int) -> bool:
        return box(second)[0] - box(first)[1] >= LABEL_GAP

    last = count - 1
    for every in range(1, count + 1):
        chosen = list(range(0, count, every))
        if chosen[-1] != last:
            if not apart(chosen[-1], last):
                chosen.pop()
            chosen.append(last)
        if all(apart(a, b) for a, b in itertools.pairwise(chosen)):
            return chosen
    return [last]


def _legend_rows(labels: Sequence[str], width: int, left: int) -> list[list[tuple[int, str]]]:
    """The legend's items as rows of (index, label) that fit the width."""
    rows: list[list[tuple[int, str]]] = [[]]
    x = left
    for index, label in enumerate(labels):
        item = 48 + CHAR_WIDTH * len(label)
        if rows[-1] and x + item > width:
            rows.append([])
            x = left
        rows[-1].append((index, label))
        x += item
    return rows


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
    width: int = WIDE,
    height: int | None = None,
    variant: str = "",
) -> SafeString:
    """Counts over time: one line per series, a legend above, as many x labels as fit without
    touching."""
    legend = _legend_rows([one.label for one in series], width, 48)
    left, right, bottom = 40, 16, 32
    top = 22 + 18 * len(legend)
    height = height or (280 if width >= WIDE else 240)
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
    xs = [x_at(i) for i in range(count)]
    for i in label_positions(xs, [CHAR_WIDTH * len(label) for label in labels]):
        body.append(
            f'<text x="{xs[i]:.1f}" y="{top + plot_h + 18}" text-anchor="{_anchor(i, count)}" '
            f'fill="{MUTED}">{escape(labels[i])}</text>'
        )
    for row_index, row in enumerate(legend):
        legend_x, legend_y = left, 14 + 18 * row_index
        for index, label in row:
            colour, dash, shape = STYLES[index % len(STYLES)]
            body.append(
                f"<line {_attrs(x1=legend_x, x2=legend_x + 28, y1=legend_y, y2=legend_y)} "
                f'stroke="{colour}" stroke-width="2" {_attrs(stroke_dasharray=dash)}/>'
                + _marker(shape, legend_x + 14, legend_y, colour)
                + f'<text x="{legend_x + 34}" y="{legend_y + 4}">{escape(label)}</text>'
            )
            legend_x += 48 + CHAR_WIDTH * len(label)
    for index, one in enumerate(series):
        colour, dash, shape = STYLES[index % len(STYLES)]
        points = " ".join(f"{x_at(i):.1f},{y_at(v):.1f}" for i, v in enumerate(one.values))
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2" '
            f'stroke-linejoin="round" {_attrs(stroke_dasharray=dash)}/>'
        )
        if count <= MAX_MARKERS * width / WIDE:
            body.extend(_marker(shape, x_at(i), y_at(v), colour) for i, v in enumerate(one.values))
    return _svg(title, summary, width, height, body, variant)


def bar_chart(
    *,
    title: str,
    summary: str,
    labels: Sequence[str],
    values: Sequence[float],
    width: int = WIDE,
    variant: str = "",
) -> SafeString:
    """Horizontal bars, one per label, the value written at the end of each bar. Narrow drawings
    write each label above its bar instead of beside it."""
    beside = width >= WIDE
    label_w = 200 if beside else 0
    right, top = 48, 8
    row_h = 26 if beside else 40
    height = top * 2 + row_h * max(len(labels), 1)
    plot_w = width - label_w - right
    highest = max(values, default=0) or 1
    longest = (label_w - 16) // CHAR_WIDTH if beside else (width - 8) // CHAR_WIDTH
    body = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row_h
        short = label if len(label) <= longest else label[: longest - 1] + "…"
        bar_w = plot_w * value / highest
        bar_y = y + 4 if beside else y + 18
        if beside:
            name = f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{escape(short)}</text>'
        else:
            name = f'<text x="0" y="{y + 13}">{escape(short)}</text>'
        body.append(
            f"<g><title>{escape(label)}: {_number(value)}</title>{name}"
            f'<rect x="{label_w}" y="{bar_y}" width="{bar_w:.1f}" height="18" fill="{BAR}"/>'
            f'<text x="{label_w + bar_w + 6:.1f}" y="{bar_y + 13}">{_number(value)}</text></g>'
        )
    body.append(
        f'<line x1="{label_w}" x2="{label_w}" y1="{top}" y2="{height - top}" stroke="{AXIS}"/>'
    )
    return _svg(title, summary, width, height, body, variant)
