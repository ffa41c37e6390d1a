"""The bundled fonts as the PDFs load them: the ``@font-face`` rules of the PDF fonts' stylesheet
(``templates/css/pdf-fonts.css``) and the characters each font has.

Two stages read them: ``glyphs`` warns of characters no bundled font can print, and the site's
web fonts (``site/webfonts.py``) are cut from the same faces. One reader, so that both see the same
fonts and a broken rule is reported once, at its line and column.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import InputError, Problem

PDF_FONTS = Path("css", "pdf-fonts.css")
"""The fonts' stylesheet of every paper document; its fonts are the ones any text can fall back on
(a variant's own font, such as OpenDyslexic, comes in front of them and has fewer characters)."""


@dataclass(frozen=True)
class Face:
    """One ``@font-face`` rule of the PDF fonts' stylesheet, and where it is."""

    family: str
    source: Path
    weight: str
    style: str
    place: tuple[Path, int, int]
    """The stylesheet, line and column of the rule."""


def faces(templates: Path) -> list[Face]:
    """The ``@font-face`` rules of ``templates``' PDF fonts' stylesheet, in order; InputError at
    the place of a rule that names no family or no font file, or a file that is not there."""
    import tinycss2  # imported only when the site is built or checked

    path = templates / PDF_FONTS
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem(path, 1, 1, f"cannot read the PDF fonts' stylesheet: {exc}")]) from None
    found, problems = [], []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face" or rule.content is None:
            continue
        values = {
            decl.lower_name: [t for t in decl.value if t.type not in ("whitespace", "comment")]
            for decl in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
            if decl.type == "declaration"
        }
        family, url = _family(values.get("font-family", [])), _url(values.get("src", []))
        where = (path, rule.source_line, rule.source_column)
        if not family or not url:
            problems.append(Problem(*where, "a @font-face rule needs a font-family and a src: url(...)"))
            continue
        source = (path.parent / url).resolve()
        if not source.is_file():
            problems.append(Problem(*where, f"no font file at {url} (looked for {source})"))
            continue
        weight, style = _serialized(values.get("font-weight")) or "400", _serialized(values.get("font-style"))
        found.append(Face(family, source, weight, style or "normal", where))
    if problems:
        raise InputError(problems)
    return found


def _family(tokens: list) -> str:
    if len(tokens) == 1 and tokens[0].type == "string":
        return tokens[0].value
    return " ".join(t.value for t in tokens) if tokens and all(t.type == "ident" for t in tokens) else ""


def _url(tokens: list) -> str:
    for token in tokens:
        if token.type == "url":
            return token.value
        if token.type == "function" and token.lower_name == "url":
            strings = [a.value for a in token.arguments if a.type == "string"]
            return strings[0] if strings else ""
    return ""


def _serialized(tokens: list | None) -> str:
    import tinycss2

    return tinycss2.serialize(tokens).strip() if tokens else ""


@cache
def _cmap(source: Path, stamp: tuple[int, int]) -> frozenset[int]:
    """The code points ``source`` has a glyph for (read again when the file changes)."""
    from fontTools.ttLib import TTFont

    with TTFont(source, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def codes_of(face: Face) -> frozenset[int]:
    """The code points of a face's font; InputError at its rule when the file is not a font."""
    stat = face.source.stat()
    try:
        return _cmap(face.source, (stat.st_mtime_ns, stat.st_size))
    except Exception as exc:  # fontTools raises many kinds of error for a file that is not a font
        message = f"cannot read the font {face.source.name}: {exc}"
        raise InputError([Problem(*face.place, message)]) from None
