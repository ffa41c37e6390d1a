"""Which characters no bundled font can print, so that no sheet shows empty boxes unannounced.

PDFs are rendered with the project's own fonts only (see ``render/pdf.py``), so a character that none of
the fonts in ``templates/fonts`` has prints as an empty box: today Chinese, Japanese and Korean,
among others (a font for them would add megabytes to the project). Such text is not refused, a
sheet may still be worth printing, but every command that prints it warns, naming the file, the
place and the characters, as ``file:line:col: warning: ...``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..project import Project
from .fontfaces import codes_of, faces
from .yamlsource import Document, Key, read_yaml

_NO_GLYPH_NEEDED = {"Cc", "Cf", "Zs", "Zl", "Zp"}
"""Control and format characters (joiners, variation selectors, direction marks) and spaces:
shaping uses them, but none is drawn as a glyph of its own."""
SHOWN_AT_MOST = 8
"""How many of the missing characters a warning names; the rest are counted."""


@cache
def _covered(templates: Path) -> frozenset[int]:
    """Every code point that a font of ``templates``' PDF fonts' stylesheet has a glyph for."""
    return frozenset().union(*(codes_of(face) for face in faces(templates)))


def missing(text: str, templates: Path) -> list[str]:
    """The characters of ``text`` that no font of the sheets in ``templates`` has, each once, in
    order of appearance."""
    covered = _covered(templates)
    found: dict[str, None] = {}
    for char in text:
        if ord(char) not in covered and unicodedata.category(char) not in _NO_GLYPH_NEEDED:
            found.setdefault(char)
    return list(found)


def describe(chars: list[str]) -> str:
    """``漢 (U+6F22), 字 (U+5B57)``: the characters and their code points, the first few of them."""
    named = ", ".join(f"{c} (U+{ord(c):04X})" for c in chars[:SHOWN_AT_MOST])
    more = len(chars) - SHOWN_AT_MOST
    return f"{named} and {more} more" if more > 0 else named


def warning(chars: list[str]) -> str:
    """The message for text holding ``chars``."""
    return f"warning: no bundled font has {describe(chars)}; they would print as empty boxes"


def _strings(data: Any, loc: tuple[Key, ...]) -> Iterator[tuple[tuple[Key, ...], str]]:
    if isinstance(data, str):
        yield loc, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, (*loc, i))


def document_warnings(doc: Document, templates: Path) -> list[Problem]:
    """A warning at every text of ``doc`` (a content file or a client record) holding characters
    that no font of the sheets in ``templates`` has, naming its key path and the characters."""
    problems = []
    for loc, text in _strings(doc.data, ()):
        chars = missing(text, templates)
        if chars:
            place = ".".join(str(part) for part in loc)
            problems.append(doc.problem(loc, f"{warning(chars)} (in {place})"))
    return problems


def content_warnings(project: Project) -> list[Problem]:
    """Warnings for every text in ``content/`` that the bundled fonts cannot print whole: the
    YAML files and every translation in the catalogues (at the line of its ``msgstr``)."""
    from .translations import folder, read_catalogue  # Babel, imported only when needed

    paths = sorted(project.content.rglob("*.yaml"))
    problems = [p for path in paths for p in document_warnings(read_yaml(path), project.templates)]
    for path in sorted(folder(project).glob("*.po")):
        for message in read_catalogue(path):
            chars = missing(message.string, project.templates) if isinstance(message.string, str) else []
            if chars and message.id:
                problems.append(Problem(path, message.lineno or 1, 1, f"{warning(chars)} (in {message.context})"))
    return problems


def text_warnings(project: Project, option: str, text: str) -> list[str]:
    """The same for text given on the command line, such as a packet's ``--title``."""
    chars = missing(text, project.templates)
    return [f"{option}: {warning(chars)}"] if chars else []
