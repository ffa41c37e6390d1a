"""Line charts of a goal over time, drawn as inline SVG: the 0 to 10 ratings and the Goal
Attainment Scaling levels share one drawing, each with its own vertical scale.

Text is where an SVG chart spends its time in WeasyPrint, which lays SVG text out a character at
a time: a report of 20 goals draws 40 charts. So what every label shares (font, size, colour,
anchor) is said once, on a group, and a label is printed only where it tells the reader
something: a level that sits on its own labelled line needs no number above it. The SVG is built
from escaped text only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from html import escape

from markupsafe import Markup

from .diagrams import text_width, words_in_drawing_order

CHART_POINTS = 30
"""Points at most on a progress chart: each far enough from the next for its value to be read.
More ratings than this are drawn as averages over weeks, months, quarters or years."""

_FONT = 'font-family="Atkinson Hyperlegible, Noto Sans, sans-serif"'
_INK, _TEAL, _GREY, _LIGHT, _BLUE = "#1d4f53", "#2f7f83", "#7d9496", "#cfdcdd", "#1b3f8b"
_WIDTH, _LEFT, _RIGHT, _TOP, _BOTTOM, _INSET = 480, 34, 16, 18, 36, 10
"""The view box's width and the margins round the plot (room for the scale on the left and the
dates below); ``_INSET`` is kept between the scale and the first point, and after the last."""
_DATE_SIZE = 9
"""The size of the dates under a chart's axis and of the numbers up its side: 7.5pt or more on a
chart 140mm wide, as in the report."""


@dataclass(frozen=True)
class ChartPoint:
    """One point of a chart: a value, or the average of the values of a period (with the lowest
    and highest of them, drawn as a bar behind the point)."""

    label: str
    value: float
    low: int
    high: int


def _number(value: float) -> str:
    """A rating or an average as printed: 6, 5.5 (one decimal at most)."""
    return f"{value:.1f}".removesuffix(".0")


def signed(value: float) -> str:
    """An attainment level or an average of levels as printed: +2, +0.5, 0, -1.3 (with a true
    minus sign, U+2212, as in print)."""
    text = _number(abs(value))
    if text == "0":
        return "0"
    return ("+" if value > 0 else "\u2212") + text


@dataclass(frozen=True)
class Scale:
    """A chart's vertical scale: its range, the values ruled and labelled up the side (the
    ``strong`` ones darker), how a value is written, and the chart's height in view box units."""

    low: float
    high: float
    ruled: tuple[float, ...]
    strong: tuple[float, ...]
    text: Callable[[float], str]
    height: int


RATINGS = Scale(0, 10, (0, 2, 4, 6, 8, 10), (0, 10), _number, 200)
LEVELS = Scale(-2, 2, (2, 1, 0, -1, -2), (0,), signed, 120)


def rating_chart_svg(points: list[ChartPoint], title: str, note: str = "", *, compact: bool = False) -> Markup:
    """Progress ratings over time: 0 to 10 up the side, one point per rating or period with its
    value above it, and up to ten dates below. ``compact`` is a quarter lower, for the report,
    where a goal's levels, two charts, steps and notes share a page."""
    scale = replace(RATINGS, height=150) if compact else RATINGS
    return line_chart_svg(points, scale, title, note, values=True)


def level_chart_svg(points: list[ChartPoint], title: str, note: str = "") -> Markup:
    """Attainment levels over time: the five levels up the side, +2 at the top. A level sits on
    its labelled line, so only averages (-0.5) get their value printed above them."""
    return line_chart_svg(points, LEVELS, title, note, values=any(p.value != int(p.value) for p in points))


def line_chart_svg(points: list[ChartPoint], scale: Scale, title: str, note: str, *, values: bool) -> Markup:
    """A line chart of ``points`` in date order on ``scale``, each point's value above it when
    ``values``, dates below the axis thinned so that none runs into the next (``_dated``). There
    are at most ``CHART_POINTS``, so every value printed can be read on paper; the chart's title,
    which a screen reader reads, gives every point with its date and the ``note`` (what an
    average stands for)."""
    height = scale.height
    plot_w, plot_h = _WIDTH - _LEFT - _RIGHT, height - _TOP - _BOTTOM
    n = len(points)
    step = (plot_w - 2 * _INSET) / max(n - 1, 1)

    def x(i: int) -> float:
        return _LEFT + (_INSET + i * step if n > 1 else plot_w / 2)

    def y(value: float) -> float:
        return _TOP + plot_h * (scale.high - value) / (scale.high - scale.low)

    label = f"{title}: " + (f"{note} " if note else "") + ", ".join(f"{p.label} {scale.text(p.value)}" for p in points)
    ruled = {strong: [v for v in scale.ruled if (v in scale.strong) == strong] for strong in (False, True)}
    # Lines and dots are drawn as one path each: every element of an inline SVG is also styled
    # as part of the page, so fewer elements lay a page out faster.
    parts = [
        f'<svg class="chart" viewBox="0 0 {_WIDTH} {height}" width="{_WIDTH}" height="{height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
        *(
            f'<path d="{"".join(f"M{_LEFT},{y(v):.1f}H{_WIDTH - _RIGHT}" for v in values)}" '
            f'stroke="{_GREY if strong else _LIGHT}" stroke-width="0.7"/>'
            for strong, values in ruled.items()
            if values
        ),
        f'<g text-anchor="end" {_FONT} font-size="{_DATE_SIZE}" fill="{_GREY}">',
        *(f'<text x="{_LEFT - 6}" y="{y(v) + 3:.1f}">{scale.text(v)}</text>' for v in scale.ruled),
        "</g>",
    ]
    bars = "".join(f"M{x(i):.1f},{y(p.low):.1f}V{y(p.high):.1f}" for i, p in enumerate(points) if p.low != p.high)
    if bars:
        parts.append(f'<path d="{bars}" stroke="{_LIGHT}" stroke-width="5" stroke-linecap="round"/>')
    if n > 1:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(p.value):.1f}" for i, p in enumerate(points))
        parts.append(f'<path d="{path}" fill="none" stroke="{_TEAL}" stroke-width="2"/>')
    dots = "".join(
        f"M{x(i) - 3.5:.1f},{y(p.value):.1f}a3.5,3.5 0 1,0 7,0a3.5,3.5 0 1,0 -7,0" for i, p in enumerate(points)
    )
    parts.append(f'<path class="dots" d="{dots}" fill="{_BLUE}"/>')
    if values:
        # Averages (5.5) are wider than whole values (10): smaller when the points are close together.
        size = 9 if step >= 20 or all(p.value == int(p.value) for p in points) else 7.5
        parts.append(f'<g text-anchor="middle" {_FONT} font-size="{size}" font-weight="bold" fill="{_BLUE}">')
        parts += [
            f'<text x="{x(i):.1f}" y="{y(p.value) - 7:.1f}">{scale.text(p.value)}</text>' for i, p in enumerate(points)
        ]
        parts.append("</g>")
    parts.append(f'<g text-anchor="middle" {_FONT} font-size="{_DATE_SIZE}" fill="{_INK}">')
    parts += [
        f'<text x="{x(i):.1f}" y="{height - _BOTTOM + 14}">{escape(words_in_drawing_order(points[i].label))}</text>'
        for i in sorted(_dated(points, step))
    ]
    parts.append("</g></svg>")
    return Markup("".join(parts))


def _dated(points: list[ChartPoint], step: float, most: int = 10) -> set[int]:
    """Which points get their date printed under the axis: the first, the last, and every k-th
    between, so that the dates are evenly spaced; at most ``most``, and few enough that no two
    run into each other at the widest a date of these points may be (``text_width``: "Nov 2026"
    in Arabic is wider than in English)."""
    n = len(points)
    widest = max((text_width(p.label, _DATE_SIZE) for p in points), default=0)
    fit = max(1, int(step * (n - 1) / (widest + 4)) + 1) if n > 1 else 1
    count = min(n, most, fit)
    if count == 1:
        return {0}
    stride = math.ceil((n - 1) / (count - 1))
    chosen = list(range(0, n, stride))
    chosen[-1] = n - 1  # the last point instead of the k-th before it: a gap of at least k
    return set(chosen)
