"""Web fonts for the site's pages: the bundled fonts as WOFF2 slices, made when the site is built.

PDFs take the bundled TrueType fonts whole, through the ``@font-face`` rules of
``templates/css/pdf-fonts.css`` (WeasyPrint keeps in each PDF only the glyphs it uses). Served to a
browser as they are, the same rules cost a page about 1 MB: a face without a ``unicode-range`` is
fetched whenever any character of the page falls through to its family, so the Arabic name in
the language switcher alone made an English page load Noto Sans, Noto Sans Hebrew and Noto Sans
Arabic whole.

So pages get fonts of their own, made here from the faces of that stylesheet (one source of
truth: a font added for PDFs reaches the pages too). Each face becomes WOFF2 files, each holding
one slice of its characters and declared with that slice as its ``unicode-range``, so a browser
fetches a slice only when the page's text has a character in it:

- Atkinson Hyperlegible whole (about 15 KB a face), the font of nearly every character shown;
- Noto Sans only for what Atkinson lacks (it comes after Atkinson in every font list of the
  stylesheets, so nothing Atkinson has is ever drawn with it), cut into Greek, Cyrillic and the
  rest;
- Noto Sans Arabic as the letters, marks, digits and punctuation that Arabic text uses, and a
  second slice with the rest of the font (the letters of Persian, Urdu and other languages, and
  the presentation forms);
- Noto Sans Hebrew and Noto Emoji whole (an emoji sequence must stay in one face to be drawn as
  one picture).

Together the slices of a face hold every character of its TrueType file, so whatever a client
types is drawn in the same font as in the PDF, the slice being fetched when it is needed. Every
layout feature is kept with every glyph it can reach, so Arabic is joined and its marks placed as
in the PDF. Hinting instructions are left out: they are a third of a face's size, and browsers
outside Windows mostly draw without them (macOS and iOS ignore them; Chromium on Linux, with the
usual light hinting, draws the site's pages pixel for pixel the same without them). Windows may
draw the unhinted outlines a little softer at small sizes.

Making them takes about 30 s of CPU, most of it brotli's compression (a cold build of the English
site takes about 75 s), so each file is cached in the user's cache folder, named by a hash of
everything it is made from: the source font's bytes, the slice's characters, these options and
fontTools' version. Every later build, a clean build and the preview then copy the files, unless
a font, a slice or fontTools changed. None of this touches a PDF's freshness key: the web fonts
are made into the site, never read by WeasyPrint.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import unicodedata
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from ..atomic import write_atomic
from ..content import PDF_FONTS, Face, codes_of, faces
from ..project import Project
from .cachedir import user_cache

FOLDER = "webfonts"
"""Where the web fonts and their stylesheet go, under the site's ``assets/``."""
STYLESHEET = "fonts.css"
"""The stylesheet of the web fonts' ``@font-face`` rules, in ``FOLDER`` (``base.html`` links it)."""
REST = "rest"
"""The slice of a face's characters that no named slice of its family takes."""
MAKER = "webfonts 1: woff2, every layout feature, no hinting"
"""What the options below make, as part of every cache key: change it when they change."""


@dataclass(frozen=True)
class Slice:
    """Part of a font's characters, by ranges of code points (both ends included)."""

    name: str
    ranges: tuple[tuple[int, int], ...]

    def takes(self, code: int) -> bool:
        return any(low <= code <= high for low, high in self.ranges)


ARABIC = Slice(
    "arabic",
    (
        (0x0000, 0x00FF),  # what the font has of Latin-1: space, digits, punctuation, « »
        (0x060C, 0x060C),  # comma
        (0x061B, 0x061F),  # semicolon, letter mark, question mark
        (0x0621, 0x065F),  # the letters, tatweel, the harakat and hamza marks
        (0x0660, 0x066D),  # Arabic-Indic digits, percent sign, separators
        (0x0670, 0x0670),  # superscript alef
        (0x2000, 0x206F),  # joiners, direction marks, dashes and quotation marks
    ),
)
SLICES: dict[str, tuple[Slice, ...]] = {
    "Noto Sans": (
        Slice("greek", ((0x0370, 0x03FF), (0x1F00, 0x1FFF))),
        Slice("cyrillic", ((0x0400, 0x052F), (0x1C80, 0x1C8F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F))),
    ),
    "Noto Sans Arabic": (ARABIC,),
}
"""The named slices of a family, in order; what they leave goes in the ``rest`` slice. A family not
listed here is one slice, its whole font."""
BEHIND: dict[str, str] = {"Noto Sans": "Atkinson Hyperlegible"}
"""A family that every font list of the pages' stylesheets names after another, and which is given
only the characters that the other lacks, since those it has are never drawn with it; marks and
format characters (joiners, variation selectors, direction marks) excepted, as a browser draws a
letter and the marks and joiners after it with one face."""
_KEPT_WITH_LETTERS = {"Mn", "Me", "Cf"}


@dataclass(frozen=True)
class WebFont:
    """One WOFF2 file to make: a slice of a face's source font."""

    name: str
    source: Path
    codes: tuple[int, ...]

    def key(self) -> str:
        """The cache key: what the file is made from, and what it is made with."""
        from fontTools import version as fonttools_version

        digest = hashlib.sha256(f"{MAKER}\0fontTools {fonttools_version}\0".encode())
        digest.update(hashlib.sha256(self.source.read_bytes()).digest())
        digest.update(",".join(f"{code:x}" for code in self.codes).encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class Rule:
    """One ``@font-face`` rule of the web fonts' stylesheet."""

    face: Face
    font: WebFont


def web_font_rules(project: Project) -> list[Rule]:
    """Every ``@font-face`` rule of the web fonts, each with the file it loads (faces that share a
    source font, such as Noto Emoji's regular and bold, share its files)."""
    all_faces = faces(project.templates)
    rules = []
    for face in all_faces:
        named = SLICES.get(face.family, ())
        for piece, codes in _sliced(_drawn(face, all_faces), named):
            name = f"{face.source.stem}.{piece}.woff2" if named else f"{face.source.stem}.woff2"
            rules.append(Rule(face, WebFont(name, face.source, codes)))
    return rules


def _drawn(face: Face, all_faces: list[Face]) -> set[int]:
    """The code points a page may draw with ``face``: those of its font, less those that the
    family in front of it (``BEHIND``) has in every face."""
    codes = set(codes_of(face))
    front = [codes_of(f) for f in all_faces if f.family == BEHIND.get(face.family)]
    if front:
        codes -= {c for c in frozenset.intersection(*front) if unicodedata.category(chr(c)) not in _KEPT_WITH_LETTERS}
    return codes


def _sliced(codes: set[int], named: tuple[Slice, ...]) -> list[tuple[str, tuple[int, ...]]]:
    """``codes`` cut into the ``named`` slices, in order, and the rest; empty slices left out."""
    pieces = []
    for piece in named:
        taken = {c for c in codes if piece.takes(c)}
        codes = codes - taken
        pieces.append((piece.name, tuple(sorted(taken))))
    pieces.append((REST, tuple(sorted(codes))))
    return [(name, taken) for name, taken in pieces if taken]


def make(source: Path, codes: tuple[int, ...]) -> bytes:
    """A WOFF2 font of the glyphs of ``codes`` in ``source``, with every layout feature and the
    glyphs they reach (ligatures, joining forms, marks), its names kept and its hinting left out."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.drop_tables += ["DSIG"]
    with TTFont(source) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codes)
        subsetter.subset(font)
        font.flavor = "woff2"
        out = BytesIO()
        font.save(out)
    return out.getvalue()


def _make(job: tuple[str, tuple[int, ...]]) -> bytes:
    return make(Path(job[0]), job[1])


def _cached(folder: Path | None, key: str) -> bytes | None:
    if folder is None:
        return None
    try:
        data = (folder / f"{key}.woff2").read_bytes()
    except OSError:
        return None
    return data if data.startswith(b"wOF2") else None


def _keep(folder: Path | None, key: str, data: bytes) -> None:
    """Cache a made font; a cache that cannot be written only costs the next build the time."""
    if folder is None:
        return
    with suppress(OSError):
        write_atomic(folder / f"{key}.woff2", data)


def _make_all(fonts: list[WebFont], jobs: int) -> list[bytes]:
    """Make ``fonts``, in worker processes when there are several and ``jobs`` allows it."""
    order = sorted(range(len(fonts)), key=lambda i: -len(fonts[i].codes))  # the largest first
    work = [(str(fonts[i].source), fonts[i].codes) for i in order]
    if jobs <= 1 or len(work) <= 1:
        made = [_make(job) for job in work]
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, len(work)), mp_context=context) as pool:
            made = list(pool.map(_make, work))
    results: list[bytes] = [b""] * len(fonts)
    for i, data in zip(order, made, strict=True):
        results[i] = data
    return results


def web_fonts(project: Project, *, jobs: int = 1, cache_in: Path | None = None) -> dict[str, bytes]:
    """Every file of the web fonts (the WOFF2 slices and their stylesheet), by name in ``FOLDER``.

    Files are taken from the cache (``cache_in``, or ``user_cache("webfonts")``) where they were made
    before; the rest are made, ``jobs`` at a time, and cached.
    """
    rules = web_font_rules(project)
    folder = cache_in or user_cache("webfonts")
    fonts = list({rule.font.name: rule.font for rule in rules}.values())
    keys = {font.name: font.key() for font in fonts}
    files: dict[str, bytes] = {}
    for font in fonts:
        if (data := _cached(folder, keys[font.name])) is not None:
            files[font.name] = data
    missing = [font for font in fonts if font.name not in files]
    for font, data in zip(missing, _make_all(missing, jobs), strict=True):
        _keep(folder, keys[font.name], data)
        files[font.name] = data
    files[STYLESHEET] = stylesheet(rules).encode("utf-8")
    return files


def unicode_range(codes: Iterable[int]) -> str:
    """``U+20-7E, U+A0, U+2013-2014``: code points as the ranges of a ``unicode-range``."""
    spans: list[list[int]] = []
    for code in sorted(codes):
        if spans and code == spans[-1][1] + 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    return ", ".join(f"U+{low:X}" if low == high else f"U+{low:X}-{high:X}" for low, high in spans)


def stylesheet(rules: list[Rule]) -> str:
    """The web fonts' ``@font-face`` rules, each with the slice it loads as its ``unicode-range``."""
    lines = [
        f"/* Made by `worksheets build` from templates/{PDF_FONTS.as_posix()} (see worksheets/site/webfonts.py): */",
        "/* each face in WOFF2 slices, a slice fetched only when the page shows a character of it. */",
    ]
    for rule in rules:
        face = rule.face
        lines.append(
            f'@font-face {{ font-family: {_quoted(face.family)}; src: url("{rule.font.name}") format("woff2"); '
            f"font-weight: {face.weight}; font-style: {face.style}; "
            f"unicode-range: {unicode_range(rule.font.codes)}; }}"
        )
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    """``text`` as a CSS string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
