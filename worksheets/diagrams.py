"""Diagrams drawn as inline SVG: geometry is easier to read in Python than in a template.

The SVG is built from escaped text only, so a client's write-in area name can never inject markup.
"""

from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

SIZE = 300
"""Side of the SVG's view box; the wheel is scaled to its box by CSS."""

_RADIUS = 100
_CENTRE = SIZE / 2


def _point(angle: float, radius: float) -> tuple[float, float]:
    """A point at ``angle`` (turns, clockwise from 12 o'clock) and ``radius`` from the centre."""
    theta = angle * 2 * math.pi
    return _CENTRE + radius * math.sin(theta), _CENTRE - radius * math.cos(theta)


def _wedge(start: float, end: float, radius: float) -> str:
    """Path of a pie slice between two angles, out to ``radius``."""
    x1, y1 = _point(start, radius)
    x2, y2 = _point(end, radius)
    large = 1 if end - start > 0.5 else 0
    return (
        f"M{_CENTRE:.1f},{_CENTRE:.1f} L{x1:.1f},{y1:.1f} A{radius},{radius} 0 {large} 1 {x2:.1f},{y2:.1f} Z"
    )


def wheel_svg(labels: list[str], scores: list[int | None], title: str) -> Markup:
    """A wheel of life: one segment per label, rings 1 to 10, segments shaded to their scores.

    With no scores (a blank sheet) the rings are numbered so the client can shade by hand.
    """
    n = len(labels)
    parts = [
        f'<svg class="wheel" viewBox="0 0 {SIZE} {SIZE}" role="img" aria-label="{escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, score in enumerate(scores):
        if score:
            parts.append(
                f'<path class="wheel-score" d="{_wedge(i / n, (i + 1) / n, _RADIUS * score / 10)}"/>'
            )
    for ring in range(1, 11):
        cls = "wheel-ring wheel-ring-5" if ring in (5, 10) else "wheel-ring"
        parts.append(f'<circle class="{cls}" cx="{_CENTRE}" cy="{_CENTRE}" r="{_RADIUS * ring / 10}"/>')
    for i in range(n):
        x, y = _point(i / n, _RADIUS)
        parts.append(f'<line class="wheel-spoke" x1="{_CENTRE}" y1="{_CENTRE}" x2="{x:.1f}" y2="{y:.1f}"/>')
    for ring in (2, 4, 6, 8, 10):
        x, y = _point(0, _RADIUS * ring / 10)
        parts.append(f'<text class="wheel-number" x="{x + 2:.1f}" y="{y + 7:.1f}">{ring}</text>')
    for i, label in enumerate(labels):
        middle = (i + 0.5) / n
        x, y = _point(middle, _RADIUS + 14)
        anchor = "middle" if abs(x - _CENTRE) < 20 else ("start" if x > _CENTRE else "end")
        words = label.split()
        lines = [" ".join(words[: (len(words) + 1) // 2]), " ".join(words[(len(words) + 1) // 2 :])]
        lines = [line for line in lines if line] if len(label) > 14 else [label]
        y0 = y + 4 - 6 * (len(lines) - 1)
        tspans = "".join(
            f'<tspan x="{x:.1f}" y="{y0 + 12 * k:.1f}">{escape(line)}</tspan>' for k, line in enumerate(lines)
        )
        parts.append(f'<text class="wheel-label" text-anchor="{anchor}">{tspans}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
