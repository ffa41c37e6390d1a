"""Diagrams drawn as inline SVG: geometry is easier to read in Python than in a template.

The SVG is built from escaped text only, so a client's write-in area name can never inject markup.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 380, 240
"""The SVG's view box: room for the wheel and for area names on either side of it."""

_RADIUS = 95
_CX, _CY = WIDTH / 2, HEIGHT / 2
_FONT = 'font-family="Atkinson Hyperlegible, Noto Sans, sans-serif"'
_INK, _TEAL, _GREY, _LIGHT = "#1d4f53", "#2f7f83", "#7d9496", "#cfdcdd"


def _point(angle: float, radius: float) -> tuple[float, float]:
    """A point at ``angle`` (turns, clockwise from 12 o'clock) and ``radius`` from the centre."""
    theta = angle * 2 * math.pi
    return _CX + radius * math.sin(theta), _CY - radius * math.cos(theta)


def _wedge(start: float, end: float, radius: float) -> str:
    """Path of a pie slice between two angles, out to ``radius``."""
    x1, y1 = _point(start, radius)
    x2, y2 = _point(end, radius)
    large = 1 if end - start > 0.5 else 0
    return f"M{_CX:.1f},{_CY:.1f} L{x1:.1f},{y1:.1f} A{radius},{radius} 0 {large} 1 {x2:.1f},{y2:.1f} Z"


_LABEL_SIZE, _LABEL_LEADING, _LABEL_LINES, _LABEL_MAX = 9.5, 11, 2, 120
"""Area names beside the wheel: 9.5 units high, at most two lines 11 units apart, none wider
than 120 units (so that names above and below the wheel do not run into their neighbours)."""


def _width(text: str) -> float:
    """A generous estimate of how wide ``text`` is in the bold label type, in view box units.

    Python cannot measure the glyphs WeasyPrint will pick, so characters are sorted by shape,
    each class at about the widest of its kind in common sans-serif fonts: a name drawn can only
    come out narrower than estimated, never wider."""
    em = 0.0
    for c in text:
        if c in " .,;:!'|()-ijlftr":
            em += 0.4
        elif c in "mwMW@%…" or unicodedata.east_asian_width(c) in "WF":
            em += 1.0
        elif c.isupper():
            em += 0.8
        else:
            em += 0.66
    return em * _LABEL_SIZE


def _pieces(word: str, room: float) -> list[str]:
    """A word cut into pieces no wider than ``room`` (most words are one piece)."""
    pieces = []
    while len(word) > 1 and _width(word) > room:
        cut = max([i for i in range(1, len(word)) if _width(word[:i]) <= room] or [1])
        pieces.append(word[:cut])
        word = word[cut:]
    return [*pieces, word]


def _label_lines(label: str, room: float) -> list[str]:
    """An area's name broken into lines no wider than ``room``: at most two, the second shortened
    with an ellipsis when there is more. The room beside the wheel is fixed, and the whole name
    is printed in the table the wheel is drawn from (a client's own area may be a sentence)."""
    room = min(room, _LABEL_MAX)
    lines: list[str] = []
    for piece in (p for word in label.split() for p in _pieces(word, room)):
        if lines and _width(f"{lines[-1]} {piece}") <= room:
            lines[-1] += f" {piece}"
        else:
            lines.append(piece)
    if len(lines) > _LABEL_LINES:
        last = lines[_LABEL_LINES - 1]
        while len(last) > 1 and _width(last + "…") > room:
            last = last[:-1]
        lines = [*lines[: _LABEL_LINES - 1], last.rstrip() + "…"]
    return lines or [""]


_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_LTR = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]")


def words_in_drawing_order(text: str) -> str:
    """``text`` with its words in the order WeasyPrint must be given them to draw them right in
    an SVG: reversed when the text starts in a right-to-left script. WeasyPrint 70 shapes each
    word of SVG text (Arabic letters join as they should) but sets the words left to right, so
    "الصحة والعافية" would read backwards on paper. Browsers apply the bidirectional algorithm
    to SVG text themselves, so pages are given the text as written (``paper=False``)."""
    first_rtl, first_ltr = _RTL.search(text), _LTR.search(text)
    if first_rtl is None or (first_ltr is not None and first_ltr.start() < first_rtl.start()):
        return text
    return " ".join(reversed(text.split(" ")))


def _label(x: float, y: float, anchor: str, lines: list[str], paper: bool = False) -> str:
    """An SVG text of one or more lines, the first line's baseline at ``y``."""
    shown = [words_in_drawing_order(line) if paper else line for line in lines]
    text = escape(shown[0]) + "".join(
        f'<tspan x="{x:.1f}" dy="{_LABEL_LEADING}">{escape(line)}</tspan>' for line in shown[1:]
    )
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {_FONT} font-size="{_LABEL_SIZE}" '
        f'font-weight="bold" fill="{_INK}">{text}</text>'
    )


def wheel_svg(labels: list[str], scores: list[int | None], title: str, *, paper: bool = False) -> Markup:
    """A wheel of life: one segment per label, rings 1 to 10, segments shaded to their scores.

    With no scores (a blank sheet) the rings are numbered so the client can shade by hand.
    ``paper``: drawn by WeasyPrint (see ``words_in_drawing_order``).
    """
    n = len(labels)
    parts = [
        f'<svg class="wheel" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, score in enumerate(scores):
        if score:
            wedge = _wedge(i / n, (i + 1) / n, _RADIUS * score / 10)
            parts.append(f'<path d="{wedge}" fill="{_TEAL}" fill-opacity="0.35" stroke="{_TEAL}" stroke-width="0.8"/>')
    for ring in range(1, 11):
        colour, width = (_GREY, 0.9) if ring in (5, 10) else (_LIGHT, 0.6)
        parts.append(
            f'<circle cx="{_CX}" cy="{_CY}" r="{_RADIUS * ring / 10}" fill="none" '
            f'stroke="{colour}" stroke-width="{width}"/>'
        )
    for i in range(n):
        x, y = _point(i / n, _RADIUS)
        parts.append(f'<line x1="{_CX}" y1="{_CY}" x2="{x:.1f}" y2="{y:.1f}" stroke="{_GREY}" stroke-width="0.9"/>')
    for ring in (5, 10):
        parts.append(
            f'<text x="{_CX + 2:.1f}" y="{_CY - _RADIUS * ring / 10 + 8:.1f}" {_FONT} font-size="7" '
            f'fill="{_GREY}">{ring}</text>'
        )
    for i, label in enumerate(labels):
        x, y = _point((i + 0.5) / n, _RADIUS + 8)
        anchor = "middle" if abs(x - _CX) < 25 else ("start" if x > _CX else "end")
        room = {"middle": 2 * min(x, WIDTH - x), "start": WIDTH - x, "end": x}[anchor] - 2
        lines = _label_lines(label, room)
        extra = _LABEL_LEADING * (len(lines) - 1)  # lines below the first: above the wheel they go up
        if y > _CY + _RADIUS * 0.7:
            y += 9
        elif y < _CY - _RADIUS * 0.7:
            y -= extra
        else:
            y += 3 - extra / 2
        parts.append(_label(x, y, anchor, lines, paper))
    parts.append("</svg>")
    return Markup("".join(parts))


def qr_svg(url: str) -> Markup:
    """A QR code for ``url`` as inline SVG (segno draws it; nothing is fetched)."""
    import segno

    code = segno.make(url, error="m")
    return Markup(code.svg_inline(scale=1, border=2, dark="#1d4f53", omitsize=True, svgclass="qr-code"))


CHART_POINTS = 30
"""Points at most on a progress chart: each far enough from the next for its value to be read.
More ratings than this are drawn as averages over weeks, months, quarters or years."""


@dataclass(frozen=True)
class ChartPoint:
    """One point of a progress chart: a rating, or the average of the ratings of a period (with
    the lowest and highest of them, drawn as a bar behind the point)."""

    label: str
    value: float
    low: int
    high: int


def _number(value: float) -> str:
    """A rating or an average as printed: 6, 5.5 (one decimal at most)."""
    return f"{value:.1f}".removesuffix(".0")


def progress_chart_svg(points: list[ChartPoint], title: str, note: str = "") -> Markup:
    """Progress ratings over time as a line chart: 0 to 10 up the side, one labelled point per
    rating or period (its value printed above it), and up to ten of their dates below the axis.
    There are at most ``CHART_POINTS``, so every value printed can be read on paper; the chart's
    title, which a screen reader reads, gives each point with its date, and the ``note`` (what an
    average stands for)."""
    width, height = 480, 200
    left, right, top, bottom = 34, 16, 18, 36
    inset = 10  # between the scale's numbers and the first point, and after the last
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(points)
    step = (plot_w - 2 * inset) / max(n - 1, 1)

    def x(i: int) -> float:
        return left + (inset + i * step if n > 1 else plot_w / 2)

    def y(rating: float) -> float:
        return top + plot_h * (1 - rating / 10)

    label = f"{title}: " + (f"{note} " if note else "") + ", ".join(f"{p.label} {_number(p.value)}" for p in points)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    for value in range(0, 11, 2):
        colour = _GREY if value in (0, 10) else _LIGHT
        parts.append(
            f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - right}" y2="{y(value):.1f}" '
            f'stroke="{colour}" stroke-width="0.7"/>'
            f'<text x="{left - 6}" y="{y(value) + 3:.1f}" text-anchor="end" {_FONT} font-size="8" '
            f'fill="{_GREY}">{value}</text>'
        )
    for i, point in enumerate(points):
        if point.low != point.high:
            parts.append(
                f'<line x1="{x(i):.1f}" y1="{y(point.low):.1f}" x2="{x(i):.1f}" y2="{y(point.high):.1f}" '
                f'stroke="{_LIGHT}" stroke-width="5" stroke-linecap="round"/>'
            )
    if n > 1:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(p.value):.1f}" for i, p in enumerate(points))
        parts.append(f'<path d="{path}" fill="none" stroke="{_TEAL}" stroke-width="2"/>')
    dated = _dated(points, step)
    # Averages (5.5) are wider than ratings (10): smaller when the points are close together.
    size = 9 if step >= 20 or all(p.value == int(p.value) for p in points) else 7.5
    for i, point in enumerate(points):
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(point.value):.1f}" r="3.5" fill="#1b3f8b"/>'
            f'<text x="{x(i):.1f}" y="{y(point.value) - 7:.1f}" text-anchor="middle" {_FONT} font-size="{size}" '
            f'font-weight="bold" fill="#1b3f8b">{_number(point.value)}</text>'
        )
        if i in dated:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 14}" text-anchor="middle" {_FONT} font-size="8" '
                f'fill="{_INK}">{escape(words_in_drawing_order(point.label))}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


_DATE_SIZE = 8
"""The size of the dates under a chart's axis."""


def _dated(points: list[ChartPoint], step: float, most: int = 10) -> set[int]:
    """Which points get their date printed under the axis: the first, the last and others evenly
    between, at most ``most``, and few enough that no two dates run into each other at the
    widest a date of these points may be (``_width``: "Nov 2026" in Arabic is wider than in
    English)."""
    n = len(points)
    widest = max((_width(p.label) for p in points), default=0) * _DATE_SIZE / _LABEL_SIZE
    fit = max(1, int(step * (n - 1) / (widest + 4)) + 1) if n > 1 else 1
    count = min(n, most, fit)
    if count == 1:
        return {0}
    return {round(j * (n - 1) / (count - 1)) for j in range(count)}


def signed(value: float) -> str:
    """An attainment level or an average of levels as printed: +2, +0.5, 0, -1.3 (with a true
    minus sign, U+2212, as in print)."""
    text = _number(abs(value))
    if text == "0":
        return "0"
    return ("+" if value > 0 else "\u2212") + text


def level_chart_svg(points: list[ChartPoint], title: str, note: str = "") -> Markup:
    """Goal Attainment Scaling levels over time, in the style of the progress chart: the five
    levels up the side (+2 at the top, labelled with their signs), one point per level recorded
    or per period averaged (its value above it, the lowest and highest of the period as a bar
    behind it), and dates below the axis, thinned so that none run into the next. The chart's
    title, which a screen reader reads, gives every point with its date."""
    width, height = 480, 140
    left, right, top, bottom = 34, 16, 18, 36
    inset = 10
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(points)
    step = (plot_w - 2 * inset) / max(n - 1, 1)

    def x(i: int) -> float:
        return left + (inset + i * step if n > 1 else plot_w / 2)

    def y(level: float) -> float:
        return top + plot_h * (2 - level) / 4

    label = f"{title}: " + (f"{note} " if note else "") + ", ".join(f"{p.label} {signed(p.value)}" for p in points)
    parts = [
        f'<svg class="chart level-chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(label)}</title>",
    ]
    for level in range(2, -3, -1):
        colour, stroke = (_GREY, 1.1) if level == 0 else (_LIGHT, 0.7)
        parts.append(
            f'<line x1="{left}" y1="{y(level):.1f}" x2="{width - right}" y2="{y(level):.1f}" '
            f'stroke="{colour}" stroke-width="{stroke}"/>'
            f'<text x="{left - 6}" y="{y(level) + 3:.1f}" text-anchor="end" {_FONT} font-size="8" '
            f'fill="{_GREY}">{signed(level)}</text>'
        )
    for i, point in enumerate(points):
        if point.low != point.high:
            parts.append(
                f'<line x1="{x(i):.1f}" y1="{y(point.low):.1f}" x2="{x(i):.1f}" y2="{y(point.high):.1f}" '
                f'stroke="{_LIGHT}" stroke-width="5" stroke-linecap="round"/>'
            )
    if n > 1:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f},{y(p.value):.1f}" for i, p in enumerate(points))
        parts.append(f'<path d="{path}" fill="none" stroke="{_TEAL}" stroke-width="2"/>')
    size = 9 if step >= 24 or all(p.value == int(p.value) for p in points) else 7.5
    for i, point in enumerate(points):
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(point.value):.1f}" r="3.5" fill="#1b3f8b"/>'
            f'<text x="{x(i):.1f}" y="{y(point.value) - 7:.1f}" text-anchor="middle" {_FONT} font-size="{size}" '
            f'font-weight="bold" fill="#1b3f8b">{signed(point.value)}</text>'
        )
    for i in sorted(_dated(points, step)):
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - bottom + 14}" text-anchor="middle" {_FONT} font-size="{_DATE_SIZE}" '
            f'fill="{_INK}">{escape(words_in_drawing_order(points[i].label))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
