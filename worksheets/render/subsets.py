"""One font subset per face in a joined PDF, where each section brought its own.

WeasyPrint embeds a subset of each face a document uses, made by HarfBuzz with the glyph ids of
the original font kept (``HB_SUBSET_FLAGS_RETAIN_GIDS``) up to the highest glyph the document
uses: a glyph the text uses has the same id in every subset of a face, and the text of every
page names glyphs by those ids. So the subsets of one face that the sections of a packet bring
can be replaced by one font holding the union of their glyphs, and every page can use it
unchanged: its glyph outlines and advances taken from whichever subset has them, its widths (/W)
and its text map (/ToUnicode) the union of theirs.

Not every glyph keeps its id. A composite glyph (an accented letter such as ñ is often n and a
tilde) is drawn from components the text may never name; WeasyPrint's second subsetting pass
keeps the ids up to the highest glyph used (the last key of /W) and puts such components after
it, in the subset's own order. Those "tail" glyphs have an id of the subset only: the merged font
takes the tail of the subset that uses the highest glyph as it is, and a composite copied from
another subset gets the components it names from that subset's tail appended after it, renamed.

Subsets of a face are recognised by their /BaseFont, which WeasyPrint makes from a hash of the
face's description, not of the document: the parts of a packet name a face alike
(``tests/render/test_parts.py`` finds faces shared by parts and checks their merged font, and
compares joined packets with whole ones page by page). Only TrueType subsets with glyph outlines
(``glyf``) and the identity glyph map are merged; anything else is left as it was (correct, only
larger). The merged font's maxp, head and hhea tables are made again from
its glyphs; a subset HarfBuzz made keeps the whole face's bounding box in its head table, which
is also true of it.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from collections.abc import Iterator
from io import BytesIO
from typing import Any

BLOCK = re.compile(rb"beginbfchar(.*?)endbfchar", re.DOTALL)
"""A block of a ToUnicode map as WeasyPrint writes it."""
BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
"""One entry of a ToUnicode map as WeasyPrint writes it: a glyph id and its UTF-16BE text."""


def merge_subsets(pdf: Any) -> None:
    """Give every page of ``pdf`` (a ``pikepdf.Pdf``) one font object per face, holding every
    glyph it uses."""
    named: list[tuple[Any, str]] = []  # (a /Font resource dictionary, a name in it)
    faces: dict[str, list[Any]] = defaultdict(list)  # /BaseFont -> its distinct font objects
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        fonts = page.obj.Resources.get("/Font")
        if fonts is None:
            continue
        for name, font in fonts.items():
            named.append((fonts, name))
            if font.objgen not in seen:
                seen.add(font.objgen)
                faces[str(font.BaseFont)].append(font)
    merged: dict[tuple[int, int], Any] = {}
    for fonts in faces.values():
        if len(fonts) > 1 and _merge(fonts, pdf):
            merged.update({font.objgen: fonts[0] for font in fonts[1:]})
    for fonts, name in named:
        replacement = merged.get(fonts[name].objgen)
        if replacement is not None:
            fonts[name] = replacement


def _mergeable(font: Any) -> bool:
    if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H":
        return False
    descendant = font.DescendantFonts[0]
    return descendant.get("/CIDToGIDMap") == "/Identity" and "/FontFile2" in descendant.FontDescriptor


def _merge(fonts: list[Any], pdf: Any) -> bool:
    """Make ``fonts[0]`` hold the glyphs, widths and text of all ``fonts``; False if they cannot
    be merged (then nothing is changed)."""
    import pikepdf
    from fontTools.ttLib import TTFont

    if not all(_mergeable(font) for font in fonts):
        return False
    descendants = [font.DescendantFonts[0] for font in fonts]
    files = [d.FontDescriptor.FontFile2.read_bytes() for d in descendants]
    subsets = [TTFont(BytesIO(data), recalcTimestamp=False, recalcBBoxes=False) for data in files]
    if not all("glyf" in subset for subset in subsets):
        return False
    tops = [max((cid for cid, _ in _width_entries(d.get("/W", pikepdf.Array()))), default=0) for d in descendants]
    base = max(range(len(subsets)), key=lambda at: (tops[at], len(subsets[at].getGlyphOrder())))
    font = subsets[base]
    merged = _Merged(font)
    for at, other in enumerate(subsets):
        if at != base:
            merged.take(other, tops[at])
    merged.finish()
    font.recalcBBoxes = True  # maxp, head and hhea describe the merged glyphs, not one subset's
    out = BytesIO()
    font.save(out)
    data = out.getvalue()
    first = descendants[0]
    first.FontDescriptor.FontFile2 = pikepdf.Stream(pdf, data, Length1=len(data))  # compressed when saved
    first.W = _widths([d.get("/W", pikepdf.Array()) for d in descendants])
    fonts[0].ToUnicode = pikepdf.Stream(pdf, _to_unicode([font.get("/ToUnicode") for font in fonts]))
    return True


class _Merged:
    """The font of the subset that uses the highest glyph, taking glyphs from the other subsets."""

    def __init__(self, font: Any) -> None:
        self.font = font
        self.order = list(font.getGlyphOrder())
        self.glyphs, self.metrics = font["glyf"].glyphs, font["hmtx"].metrics

    def take(self, other: Any, top: int) -> None:
        """Copy the glyphs ``other`` draws up to ``top`` (its highest glyph used) where this font
        draws none, and the advances it has where this font has none."""
        names, glyf, metrics = other.getGlyphOrder(), other["glyf"], other["hmtx"].metrics
        tail: dict[int, str] = {}  # a glyph of other's tail -> its name in this font
        for gid in range(min(top + 1, len(names))):
            name, mine = names[gid], self.order[gid]
            if _drawn(glyf.glyphs[name]) and not _drawn(self.glyphs[mine]):
                self.glyphs[mine] = self._copy(other, gid, top, tail)
                self.metrics[mine] = metrics[name]
            elif self.metrics[mine][0] == 0 and metrics[name][0] != 0:
                self.metrics[mine] = metrics[name]

    def finish(self) -> None:
        """Make the glyphs appended to this font part of its glyph order."""
        self.font.setGlyphOrder(self.order)
        self.font["glyf"].setGlyphOrder(self.order)

    def _copy(self, other: Any, gid: int, top: int, tail: dict[int, str]) -> Any:
        """Glyph ``gid`` of ``other``, its components renamed for this font: the same id up to
        ``top``, else a copy of other's tail glyph appended to this font (once)."""
        names, glyf = other.getGlyphOrder(), other["glyf"]
        if not glyf.glyphs[names[gid]].isComposite():
            return glyf.glyphs[names[gid]]  # raw, never expanded: an outline names no other glyph
        glyph = copy.deepcopy(glyf[names[gid]])  # expanded, so its components can be renamed
        for component in glyph.components:
            part = other.getGlyphID(component.glyphName)
            if part <= top:
                component.glyphName = self.order[part]
                continue
            if part not in tail:
                tail[part] = f"tail{len(self.order)}"
                self.order.append(tail[part])
                self.glyphs[tail[part]] = self._copy(other, part, top, tail)
                self.metrics[tail[part]] = other["hmtx"].metrics[names[part]]
            component.glyphName = tail[part]
        return glyph


def _width_entries(array: Any) -> Iterator[tuple[int, Any]]:
    """Each glyph id of a /W array (``c [w1 w2 ...]`` and ``c_first c_last w``) with its width:
    the glyphs a document's text uses."""
    import pikepdf

    items, at = list(array), 0
    while at < len(items):
        first = int(items[at])
        if isinstance(items[at + 1], pikepdf.Array):
            yield from enumerate(items[at + 1], first)
            at += 2
        else:
            for cid in range(first, int(items[at + 1]) + 1):
                yield cid, items[at + 2]
            at += 3


def _drawn(glyph: Any) -> bool:
    """Whether a glyph of a subset has an outline (one the subset left out has no data)."""
    return bool(getattr(glyph, "data", b"")) if not hasattr(glyph, "numberOfContours") else glyph.numberOfContours != 0


def _widths(arrays: list[Any]) -> Any:
    """The union of /W arrays, as runs."""
    import pikepdf

    widths: dict[int, Any] = {}
    for array in arrays:
        for cid, width in _width_entries(array):
            widths.setdefault(cid, width)
    runs: list[Any] = []
    for cid in sorted(widths):
        if runs and runs[-2] + len(runs[-1]) == cid:
            runs[-1].append(widths[cid])
        else:
            runs += [cid, [widths[cid]]]
    return pikepdf.Array([run if isinstance(run, int) else pikepdf.Array(run) for run in runs])


def _to_unicode(streams: list[Any]) -> bytes:
    """One ToUnicode map with every glyph's text from ``streams`` (the first one's where two
    differ, as in the whole document)."""
    text: dict[int, bytes] = {}
    for stream in streams:
        if stream is None:
            continue
        for block in BLOCK.findall(stream.read_bytes()):
            for glyph, code in BFCHAR.findall(block):
                text.setdefault(int(glyph, 16), code.lower())
    lines = [
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo",
        b"<< /Registry (Adobe)",
        b"/Ordering (UCS)",
        b"/Supplement 0",
        b">> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<0000> <ffff>",
        b"endcodespacerange",
    ]
    glyphs = sorted(text)
    for at in range(0, len(glyphs), 100):
        batch = glyphs[at : at + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [b"<%04x> <%s>" % (glyph, text[glyph]) for glyph in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)
