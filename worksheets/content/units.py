"""The translatable text of a catalog, as units a translator works on, and the catalog rebuilt in
another language from their translations.

A unit is one piece of text with a context that says where it lives (``worksheets/grow/sections/
goal/fields/want/label``), so the same English in two places can be translated two ways, and a
change to one place unmarks only that place. Markdown is cut into its paragraphs (blocks between
blank lines), each a unit of its own: a changed paragraph leaves the rest of a note translated.

Which keys hold text for people is said here, per model, in ``PLAIN`` and ``PROSE``: ids, kinds,
numbers, dates and option ids in answers are never offered for translation. Extracting and
translating walk the same units, so a text offered is a text used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from .fields import (
    BoxField,
    Column,
    DateField,
    FlowchartField,
    LinesField,
    Moment,
    Node,
    Option,
    Row,
    ScaleField,
    Section,
    TableField,
    TextField,
    TimelineField,
    _Field,
)
from .models import Example, Packet, Page, Rating, Site, Step, Strings, TherapistNotes, Worksheet

Key = str | int
Loc = tuple[Key, ...]

PLAIN: dict[type, tuple[str, ...]] = {
    Worksheet: ("title", "summary", "how_to_use"),
    Section: ("title",),
    _Field: ("label", "hint"),
    ScaleField: ("low", "high"),
    TableField: ("row_header",),
    Option: ("label",),
    Column: ("label",),
    Row: ("label",),
    Node: ("text",),
    Moment: ("label", "prompt"),
    Example: ("client", "title"),
    Step: ("text",),
    Rating: ("note",),
    Packet: ("title", "summary"),
    Page: ("title", "summary"),
    Site: ("title", "description", "licence", "footer"),
}
"""Keys of each model whose text is printed as written."""

PROSE: dict[type, tuple[str, ...]] = {
    Worksheet: ("intro",),
    TherapistNotes: ("purpose", "suits", "running", "watch_for"),
    Section: ("prompt",),
    Page: ("body",),
    Site: ("intro",),
}
"""Keys of each model whose text is Markdown, translated paragraph by paragraph."""

_TEXT_ANSWERS = (TextField, LinesField, BoxField, DateField)
"""Kinds of field whose answer is the client's own words (a date written as words included)."""

_BLOCK_START = re.compile(r"\s*([-*+>#]|\d+[.)])\s")


@dataclass(frozen=True)
class Unit:
    """One translatable text: where it is in its model (``loc``), its context for the
    catalogue, its text (a paragraph, for Markdown), and whose it is (``owner``: a worksheet's
    id, ``packets/ID``, ``pages/ID``, ``site`` or ``strings``)."""

    owner: str
    loc: Loc
    context: str
    text: str
    prose: bool
    index: int = 0
    """For a paragraph: its place among the paragraphs of the text at ``loc``."""


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a Markdown text, each on one line where its line breaks are only
    wrapping (kept before a list item, a quote or a heading, where they mean something)."""
    blocks = [b for b in re.split(r"\n[ \t]*\n", text.strip()) if b.strip()]
    out = []
    for block in blocks:
        lines = block.splitlines()
        joined = lines[0].rstrip()
        for line in lines[1:]:
            joined += ("\n" + line.rstrip()) if _BLOCK_START.match(line) else (" " + line.strip())
        out.append(joined)
    return out


def _named(item: Any, index: int) -> str:
    """How a list item is named in a context: its id, else its place counted from 1."""
    return str(getattr(item, "id", None) or index + 1)


def _keys(model: BaseModel, table: dict[type, tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(k for cls in type(model).__mro__ if cls in table for k in table[cls])


def _walk(model: BaseModel, loc: Loc, names: tuple[str, ...]) -> Iterator[tuple[Loc, tuple[str, ...], str, bool]]:
    """(location, context parts, text, is Markdown) for every translatable text under ``model``."""
    plain, prose = _keys(model, PLAIN), _keys(model, PROSE)
    for name in type(model).model_fields:
        value = getattr(model, name)
        if value is None:
            continue
        if isinstance(value, str) and (name in plain or name in prose):
            yield (*loc, name), (*names, name), value, name in prose
        elif isinstance(value, BaseModel):
            yield from _walk(value, (*loc, name), (*names, name))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _walk(item, (*loc, name, i), (*names, name, _named(item, i)))


def _answer_texts(field: Any, value: Any) -> Iterator[tuple[Loc, str]]:
    """The client's own words in one answer to ``field``: never option ids, numbers or dates."""
    if isinstance(field, _TEXT_ANSWERS):
        if isinstance(value, str):
            yield (), value
    elif isinstance(field, FlowchartField | TimelineField):
        for key, text in value.items():
            if isinstance(text, str):
                yield (key,), text
    elif isinstance(field, TableField):
        texts = {c.id for c in field.columns if c.kind == "text"} | {"label"}
        rows = enumerate(value) if isinstance(value, list) else value.items()
        for key, row in rows:
            for column, cell in row.items():
                if column in texts and isinstance(cell, str):
                    yield (key, column), cell


def _expand(
    owner: str, prefix: tuple[str, ...], found: Iterator[tuple[Loc, tuple[str, ...], str, bool]]
) -> Iterator[Unit]:
    for loc, names, text, prose in found:
        context = "/".join((*prefix, *names))
        if prose:
            for i, paragraph in enumerate(paragraphs(text)):
                yield Unit(owner, loc, context, paragraph, True, i)
        else:
            yield Unit(owner, loc, context, text, False)


def worksheet_units(ws: Worksheet) -> list[Unit]:
    """Every translatable text of a worksheet, in the order of its file."""
    found = list(_walk(ws, (), ()))
    if ws.example is not None:
        fields = {f.id: f for f in ws.fields}
        for field_id, value in ws.example.answers.items():
            for sub, text in _answer_texts(fields[field_id], value):
                loc = ("example", "answers", field_id, *sub)
                found.append((loc, tuple(str(k) for k in loc), text, False))
    return list(_expand(ws.id, ("worksheets", ws.id), iter(found)))


def site_units(site: Site, tags: list[str]) -> list[Unit]:
    """The site's texts, and the name of every tag the worksheets use (named in English by
    ``tag_names`` or from the tag's id)."""
    units = list(_expand("site", ("site",), _walk(site, (), ())))
    for tag in tags:
        units.append(Unit("site", ("tag_names", tag), f"site/tag_names/{tag}", site.tag_name(tag), False))
    return units


def strings_units(strings: Strings) -> list[Unit]:
    """Every interface string (all of ``Strings`` is text for people)."""
    return [Unit("strings", (name,), f"strings/{name}", getattr(strings, name), False) for name in Strings.model_fields]


def part_units(model: Packet | Page) -> list[Unit]:
    """Every translatable text of a packet or a page (owner ``packets/ID`` or ``pages/ID``)."""
    kind = "packets" if isinstance(model, Packet) else "pages"
    return list(_expand(f"{kind}/{model.id}", (kind, model.id), _walk(model, (), ())))


def catalog_units(catalog: Any) -> list[Unit]:
    """Every translatable text of a catalog: interface, site, worksheets, packets, pages."""
    tags = sorted({t for ws in catalog.worksheets for t in ws.tags})
    units = strings_units(catalog.strings) + site_units(catalog.site, tags)
    for ws in catalog.worksheets:
        units += worksheet_units(ws)
    for part in (*catalog.packets, *catalog.pages):
        units += part_units(part)
    return units


Lookup = Callable[[str, str], str | None]
"""A translation of (context, English text), or None when there is none that may be used."""


def translated(model: BaseModel, units: list[Unit], lookup: Lookup, **changes: Any) -> tuple[Any, list[Unit]]:
    """``model`` with the text of ``units`` (all of it) translated by ``lookup``, and ``changes``
    made to its top-level keys; or (None, the units with no translation)."""
    missing = [u for u in units if lookup(u.context, u.text) is None]
    if missing:
        return None, missing
    data = model.model_dump()
    texts: dict[Loc, list[str]] = {}
    for unit in units:
        texts.setdefault(unit.loc, []).append(lookup(unit.context, unit.text) or "")
    for loc, parts in texts.items():
        _put(data, loc, "\n\n".join(parts))
    data.update(changes)
    return type(model).model_validate(data), []


def _put(data: Any, loc: Loc, text: str) -> None:
    for key in loc[:-1]:
        data = data[int(key) if isinstance(data, list) else key]
    data[int(loc[-1]) if isinstance(data, list) else loc[-1]] = text
