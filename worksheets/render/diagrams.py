"""Diagrams drawn as inline SVG: geometry is easier to read in Python than in a template.

The SVG is built from escaped text only, so a client's write-in area name can never inject markup.
"""

from __future__ import annotations

import math
import re
import unicodedata
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


def text_width(text: str, size: float = _LABEL_SIZE) -> float:
    """A generous estimate of how wide ``text`` is in bold type of ``size``, in view box units.

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
    return em * size


def _pieces(word: str, room: float) -> list[str]:
    """A word cut into pieces no wider than ``room`` (most words are one piece)."""
    pieces = []
    while len(word) > 1 and text_width(word) > room:
        cut = max([i for i in range(1, len(word)) if text_width(word[:i]) <= room] or [1])
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
        if lines and text_width(f"{lines[-1]} {piece}") <= room:
            lines[-1] += f" {piece}"
        else:
            lines.append(piece)
    if len(lines) > _LABEL_LINES:
        last = lines[_LABEL_LINES - 1]
        while len(last) > 1 and text_width(last + "…") > room:
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


QR_MODULE_MM = 0.35
"""The side of one square of a QR code that carries a long link, in millimetres: a phone reads
squares this small from paper, and a link of 2,000 characters still fits beside a sheet's title
(about 55 mm)."""


def qr_svg(url: str, title: str, *, sized: bool = False) -> Markup:
    """A QR code for ``url`` as inline SVG (segno draws it; nothing is fetched).

    A plain page link is small and printed 15 mm wide (the stylesheet's size). A ``sized`` code,
    for a link that carries a client's answers, has as many squares as its link needs: it is
    printed ``QR_MODULE_MM`` a square, so that it stays readable however long the link, with the
    lowest error correction (as ``worksheets link --qr``), which keeps it smallest. ``title``
    (the words printed under it) is what a screen reader says of it in a tagged PDF.
    """
    import segno

    code = segno.make(url, error="l" if sized else "m")
    svg = code.svg_inline(scale=1, border=2, dark="#1d4f53", omitsize=True, svgclass="qr-code", title=title)
    if not sized:
        return Markup(svg)
    side = code.symbol_size(border=2)[0] * QR_MODULE_MM
    return Markup(f'<span class="qr-sized" style="width: {side:.1f}mm; height: {side:.1f}mm">{svg}</span>')
