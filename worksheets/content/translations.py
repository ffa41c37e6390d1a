"""Translations as gettext catalogues (PO files), the format Poedit, Weblate and Crowdin open.

``content/translations/messages.pot`` is the template: every translatable text of the project
(``units``), each with its context, the file and line it comes from, and a comment saying where
it is printed. ``content/translations/<language>.po`` holds one language. A language is usable
piece by piece: a worksheet, packet or page is offered in it only when every one of its texts is
translated and none is fuzzy (its English changed since), so no sheet ever mixes languages.
"""

from __future__ import annotations

import datetime
import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog as Catalogue
from babel.messages.catalog import Message
from babel.messages.pofile import PoFileError, denormalize, normalize, read_po, write_po

from ..errors import InputError, Problem
from ..project import Project
from .languages import locale, own_name
from .loader import Catalog, strings_file
from .units import Unit, catalog_units, part_units, site_units, strings_units, translated, worksheet_units
from .yamlsource import MAX_BYTES, read_yaml

FOLDER = "translations"
TEMPLATE = "messages.pot"
PROJECT = "Goal-Setting Worksheets"
HEADER = """\
# Translations of the Goal-Setting Worksheets: content under CC BY 4.0, like the English.
# How to work on them: docs/translating.md. Comments starting #. say where a text is printed.
#"""
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_PO_LINE = re.compile(r'(#.*|\s*|(msgctxt|msgid|msgid_plural|msgstr(\[\d+\])?)?\s*"(?:[^"\\]|\\.)*"\s*)')
"""A line a PO file may have: blank, a comment, or a keyword and a quoted string (or a string
alone, continuing the one above). Babel reads some other lines without a word, cutting a
character off an unterminated string, so each line is checked first."""

_WHAT = {
    "title": "a title",
    "summary": "the one-line summary shown on the site",
    "how_to_use": "the 'How to use this sheet' line under the sheet's title",
    "intro": "the introduction (Markdown)",
    "purpose": "therapist guide, 'What it is for' (Markdown)",
    "suits": "therapist guide, 'Who it suits' (Markdown)",
    "running": "therapist guide, 'How to run it' (Markdown)",
    "watch_for": "therapist guide, 'What to watch for' (Markdown)",
    "prompt": "a prompt printed under a heading",
    "label": "a label printed on the sheet",
    "hint": "a short hint printed under a label",
    "low": "the words at the low end of a 0 to 10 scale",
    "high": "the words at the high end of a 0 to 10 scale",
    "row_header": "the heading of a table's first column",
    "text": "the text of a box",
    "client": "the worked example's made-up client: choose a name that suits the language",
    "note": "a note written beside a rating in the worked example",
    "body": "the page's text (Markdown)",
    "description": "the site's description, for search engines",
    "licence": "the licence line printed on every page and sheet",
    "footer": "a line printed at the foot of every page",
}


def folder(project: Project) -> Path:
    return project.content / FOLDER


def languages(project: Project) -> list[str]:
    """The languages the project has a catalogue for (``es.po`` → es), in order."""
    return sorted(p.stem for p in folder(project).glob("*.po"))


def read_catalogue(path: Path) -> Catalogue:
    """A PO file, read strictly; InputError at the line of anything malformed."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(path, 1, 1, f"cannot read this file: {exc.strerror}")]) from None
    if len(raw) > MAX_BYTES * 10:
        raise InputError([Problem(path, 1, 1, f"the file is too large ({len(raw):,} bytes)")])
    try:
        locale(path.stem)
    except ValueError as exc:
        raise InputError([Problem(path, 1, 1, f"{exc}; name the file for a language, such as es.po")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([Problem(path, line, 1, "not UTF-8 text; save the file as UTF-8")]) from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not _PO_LINE.fullmatch(line):
            msg = 'expected a comment, or a keyword (msgid, msgstr…) and a "quoted" text ending on this line'
            raise InputError([Problem(path, number, 1, msg)])
    try:
        catalogue = read_po(io.BytesIO(raw), locale=path.stem.replace("-", "_"), abort_invalid=True)
    except PoFileError as exc:
        raise InputError([Problem(path, exc.lineno or 1, 1, f"not a valid PO file: {exc}")]) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError([Problem(path, 1, 1, f"not a valid PO file: {exc}")]) from None
    _previous_ids(catalogue)
    return catalogue


def _previous_ids(catalogue: Catalogue) -> None:
    """Put the English a fuzzy translation was made from back in its place.

    Babel writes it as ``#| msgid "..."`` lines but reads those as a translator's comment, so an
    update after an update wrote them back as ``# | msgid``: the old English was lost to the
    next merge, and a translator's comments grew. Comment lines that start with ``|`` are read as
    the previous English here (those written ``# |`` by the old fault included).
    """
    for message in [*catalogue, *catalogue.obsolete.values()]:
        previous = [c[1:].strip() for c in message.user_comments if c.startswith("|")]
        if not previous:
            continue
        message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
        plural = next((n for n, p in enumerate(previous) if p.startswith("msgid_plural")), len(previous))
        message.previous_id = denormalize("\n".join(p.removeprefix("msgid").strip() for p in previous[:plural]))


@dataclass
class Lookup:
    """The usable translations of one catalogue, and the reasons others are not."""

    found: dict[tuple[str, str], str] = field(default_factory=dict)
    fuzzy: set[tuple[str, str]] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    def __call__(self, context: str, text: str) -> str | None:
        return self.found.get((context, text))


def lookup(path: Path) -> Lookup:
    """What a catalogue translates. A fuzzy entry, an empty one, or one whose placeholders
    (``{count}``) differ from the English is not used; the last is also a problem to report."""
    result = Lookup()
    for message in read_catalogue(path):
        if not message.id or not isinstance(message.id, str):
            continue
        key = (message.context or "", message.id)
        if message.fuzzy:
            result.fuzzy.add(key)
        elif message.string:
            wanted, written = set(_PLACEHOLDER.findall(message.id)), set(_PLACEHOLDER.findall(message.string))
            if wanted != written:
                names = ", ".join(sorted(wanted ^ written))
                msg = f"the translation of '{key[0]}' must keep {names} as in the English"
                result.problems.append(Problem(path, message.lineno or 1, 1, msg))
                continue
            result.found[key] = message.string
    return result


@dataclass(frozen=True)
class Translation:
    """A catalog in one language (None when its interface is not fully translated), and what was
    left out of it for want of translation, by owner (``grow``, ``packets/ID``, ``strings``…)."""

    language: str
    catalog: Catalog | None
    missing: dict[str, list[Unit]]
    fuzzy: set[tuple[str, str]]
    problems: list[Problem]

    def warnings(self) -> list[str]:
        """One line per left-out part, naming it and the first of its texts."""
        lines = [str(p) for p in self.problems]
        for owner, units in self.missing.items():
            fuzzy = sum((u.context, u.text) in self.fuzzy for u in units)
            what = f"{len(units) - fuzzy} missing, {fuzzy} fuzzy" if fuzzy else f"{len(units)} missing"
            whole = " (the whole language is left out)" if owner in ("strings", "site") else ""
            lines.append(f"{self.language}: {_owner_words(owner)} left out{whole}: {what}, first {units[0].context}")
        return lines


def _owner_words(owner: str) -> str:
    if owner == "strings":
        return "interface strings"
    if owner == "site":
        return "site texts"
    if "/" in owner:
        kind, name = owner.split("/", 1)
        return f"{kind[:-1]} '{name}'"
    return f"worksheet '{owner}'"


def translate(catalog: Catalog, language: str, find: Lookup) -> Translation:
    """``catalog`` in ``language``: every part whose texts are all translated, the rest left out
    (a packet keeps the worksheets that are translated; none, and it is left out too)."""
    missing: dict[str, list[Unit]] = {}

    def attempt(owner: str, model: Any, units: list[Unit], **changes: Any) -> Any:
        result, lacking = translated(model, units, find, **changes)
        if lacking:
            missing[owner] = lacking
        return result

    tags = sorted({t for ws in catalog.worksheets for t in ws.tags})
    strings = attempt("strings", catalog.strings, strings_units(catalog.strings))
    site = attempt("site", catalog.site, site_units(catalog.site, tags), language=language)
    sheets = [attempt(ws.id, ws, worksheet_units(ws)) for ws in catalog.worksheets]
    worksheets = tuple(ws for ws in sheets if ws is not None)
    ids = {ws.id for ws in worksheets}
    packets = []
    for packet in catalog.packets:
        kept = [i for i in packet.worksheets if i in ids]
        result = attempt(f"packets/{packet.id}", packet, part_units(packet), worksheets=kept)
        if result is not None and kept:
            packets.append(result)
    pages = [attempt(f"pages/{p.id}", p, part_units(p)) for p in catalog.pages]
    whole = strings is not None and site is not None
    translated_catalog = (
        Catalog(
            site,
            strings,
            worksheets,
            tuple(p for p in pages if p is not None),
            tuple(packets),
            untranslated=tuple(ws for ws in catalog.worksheets if ws.id not in ids),
            references=catalog.references,
        )
        if whole
        else None
    )
    return Translation(language, translated_catalog, missing, find.fuzzy, find.problems)


def translate_into(project: Project, catalog: Catalog, language: str) -> Translation:
    """``catalog`` in one of the project's languages; KeyError naming those it has otherwise."""
    if language not in languages(project):
        have = ", ".join([catalog.site.language, *languages(project)])
        raise KeyError(f"no translation into '{language}' (this project has: {have})")
    return translate(catalog, language, lookup(folder(project) / f"{language}.po"))


def language_catalog(project: Project, catalog: Catalog, language: str | None) -> tuple[Catalog, list[str]]:
    """``catalog`` in ``language`` (itself for None or its own language), with the warnings for
    what was left out; ValueError, in words, for a language the project has no catalogue for or
    one whose interface is not translated yet (nothing could be printed in it)."""
    if language is None or language == catalog.site.language:
        return catalog, []
    try:
        translation = translate_into(project, catalog, language)
    except KeyError as exc:
        raise ValueError(exc.args[0]) from None
    if translation.catalog is None:
        raise ValueError(f"'{language}' is not translated far enough to print yet (see worksheets translations status)")
    return translation.catalog, translation.warnings()


def project_translations(project: Project, catalog: Catalog) -> list[Translation]:
    """The catalog in every language the project has a catalogue for."""
    return [translate(catalog, lang, lookup(folder(project) / f"{lang}.po")) for lang in languages(project)]


# Extracting, merging and counting: what `worksheets translations` does.


def _source(project: Project, unit: Unit, catalog_language: str) -> Path:
    content = project.content
    if unit.owner == "strings":
        return strings_file(project, catalog_language)
    if unit.owner == "site":
        return content / "site.yaml"
    if "/" in unit.owner:
        kind, name = unit.owner.split("/", 1)
        return content / kind / f"{name}.yaml"
    return project.worksheets_dir / f"{unit.owner}.yaml"


def _notes_above(lines: list[str], line: int) -> list[str]:
    """The comment lines just above line ``line`` (1-based) of a YAML file: notes for translators."""
    notes: list[str] = []
    number = line - 1
    while number >= 1 and lines[number - 1].strip().startswith("#"):
        notes.insert(0, lines[number - 1].strip().lstrip("#").strip())
        number -= 1
    return [n for n in notes if n]


def _comment(catalog: Catalog, unit: Unit) -> list[str]:
    """Where a text is printed, in words, for the translator."""
    key = next((k for k in reversed(unit.loc) if isinstance(k, str) and k in _WHAT), str(unit.loc[-1]))
    if unit.owner == "strings":
        where = "Interface: printed on pages and sheets."
    elif unit.owner == "site":
        where = "The site: " + ("the name of a topic" if unit.loc[0] == "tag_names" else _WHAT.get(key, key)) + "."
    elif "/" in unit.owner:
        kind, name = unit.owner.split("/", 1)
        where = f"The {kind[:-1]} '{name}': {_WHAT.get(key, key)}."
    else:
        ws = catalog.get(unit.owner)
        where = f"Worksheet '{ws.title}'"
        if unit.loc[0] == "sections":
            where += f", section '{ws.sections[int(unit.loc[1])].title}'"
        if unit.loc[0] == "example":
            where += ", worked example: what the made-up client wrote" if "answers" in unit.loc else ""
        where += f": {_WHAT.get(key, key)}."
    notes = [where]
    if unit.prose:
        notes.append(f"Paragraph {unit.index + 1} of a Markdown text: keep **bold**, links, list markers and headings.")
    placeholders = sorted(set(_PLACEHOLDER.findall(unit.text)))
    if placeholders:
        notes.append(f"Keep {', '.join(placeholders)} as written: it is replaced when printed.")
    return notes


def template(project: Project, catalog: Catalog) -> Catalogue:
    """The catalogue template: every translatable text, with where it comes from and notes."""
    out = Catalogue(
        project=PROJECT, header_comment=HEADER, fuzzy=False, creation_date=datetime.datetime.now(datetime.UTC)
    )
    documents: dict[Path, Any] = {}
    for unit in catalog_units(catalog):
        path = _source(project, unit, catalog.site.language)
        if path not in documents:
            documents[path] = read_yaml(path)
        doc = documents[path]
        line = doc.where(unit.loc, key=True)[0]
        comments = _comment(catalog, unit) + _notes_above(doc.lines, line)
        flags = ["python-brace-format"] if _PLACEHOLDER.search(unit.text) else []
        relative = str(path.relative_to(project.root)) if path.is_relative_to(project.root) else str(path)
        out.add(unit.text, "", [(relative, line)], flags=flags, auto_comments=comments, context=unit.context)
    return out


def merged(new: Catalogue, old: Catalogue, language: str) -> Catalogue:
    """``old`` brought up to ``new``: a text whose English is unchanged keeps its translation; one
    whose English changed keeps the old translation marked fuzzy, with the old English beside it
    (matched by context, then by the closest English in that context); the rest is new and empty.
    Texts no longer in the template are kept at the end as obsolete, so no translation is lost,
    and come back as they were if their English does."""
    out = Catalogue(locale=language.replace("-", "_"), project=PROJECT, header_comment=HEADER, fuzzy=False)
    out.mime_headers = old.mime_headers
    out.revision_date = datetime.datetime.now(datetime.UTC)
    out.creation_date = new.creation_date
    previous = {(m.context or "", m.id): m for m in [*old.obsolete.values(), *old] if m.id}
    by_context: dict[str, list[Message]] = {}
    for message in previous.values():
        if message.string:
            by_context.setdefault(message.context or "", []).append(message)
    used: set[tuple[str, Any]] = set()  # kept as they were
    matched: set[tuple[str, Any]] = set()  # lent to a changed text as fuzzy, and kept as obsolete
    for message in new:
        if not message.id:
            continue
        key = (message.context or "", message.id)
        string, flags, before = "", set(message.flags), ()
        if key in previous:
            string, used_key = previous[key].string, key
            flags |= previous[key].flags & {"fuzzy"}
            before = previous[key].previous_id if "fuzzy" in flags else ()
            used.add(used_key)
        else:
            taken = used | matched
            candidates = [m for m in by_context.get(key[0], []) if (m.context or "", m.id) not in taken]
            match = _closest(str(message.id), candidates)
            if match is not None:
                string, before = match.string, match.id
                flags.add("fuzzy")
                matched.add((match.context or "", match.id))
        out.add(
            message.id,
            string,
            message.locations,
            flags=sorted(flags),
            auto_comments=message.auto_comments,
            user_comments=previous[key].user_comments if key in previous else (),
            previous_id=before,
            context=message.context,
        )
    for key, message in previous.items():
        if key not in used and message.string:
            out.obsolete[key] = message
    return out


def _closest(text: str, candidates: list[Message]) -> Message | None:
    """The candidate whose English is closest to ``text``; the only one when there is one."""
    if len(candidates) == 1:
        return candidates[0]
    scored = [(difflib.SequenceMatcher(None, text, str(m.id)).ratio(), i) for i, m in enumerate(candidates)]
    best = max(scored, default=(0.0, -1))
    return candidates[best[1]] if best[0] >= 0.5 else None


def po_bytes(catalogue: Catalogue) -> bytes:
    """A catalogue as PO text, lines wrapped as translators' tools wrap them.

    The English a fuzzy translation was made from is written here, as ``#|`` lines before the
    entry's context: Babel wraps a long one as if it were prose, which leaves lines that no tool
    (Babel included) reads back as the old English.
    """
    buffer = io.BytesIO()
    write_po(buffer, catalogue, width=_WIDTH)
    text = buffer.getvalue().decode("utf-8")
    for message in catalogue:
        if message.id and message.fuzzy and message.previous_id and message.context:
            context = f"\nmsgctxt {normalize(message.context, width=_WIDTH)}\n"
            old = normalize(message.previous_id[0], width=_WIDTH).split("\n")
            before = "".join(f"#| {'msgid ' if n == 0 else ''}{line}\n" for n, line in enumerate(old))
            text = text.replace(context, "\n" + before + context[1:], 1)
    return text.encode("utf-8")


_WIDTH = 79


def same_but_dates(a: bytes, b: bytes) -> bool:
    """Whether two PO files differ only in their creation and revision dates."""
    drop = re.compile(rb'^"(POT-Creation-Date|PO-Revision-Date): .*\n', re.MULTILINE)
    return drop.sub(b"", a) == drop.sub(b"", b)


@dataclass(frozen=True)
class Count:
    """How much of one part (a worksheet, the interface…) a language has."""

    owner: str
    translated: int
    fuzzy: int
    missing: int


def status(catalog: Catalog, catalogue: Catalogue) -> list[Count]:
    """Per part, in the template's order: texts translated, fuzzy and missing."""
    messages = {(m.context or "", m.id): m for m in catalogue if m.id}
    counts: dict[str, list[int]] = {}
    for unit in catalog_units(catalog):
        row = counts.setdefault(unit.owner, [0, 0, 0])
        message = messages.get((unit.context, unit.text))
        if message is None or not message.string:
            row[2] += 1
        elif message.fuzzy:
            row[1] += 1
        else:
            row[0] += 1
    return [Count(owner, *row) for owner, row in counts.items()]


def describe_language(code: str) -> str:
    """``es (Español)``."""
    return f"{code} ({own_name(code)})"


def _write_if_changed(path: Path, data: bytes) -> bool:
    """Write a catalogue unless only its dates would change (no noise in version control)."""
    from ..atomic import write_atomic

    if path.exists() and same_but_dates(path.read_bytes(), data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)
    return True


def translation_template(project: Project, catalog: Catalog, pot: Catalogue | None = None) -> tuple[Path, int, bool]:
    """Write ``messages.pot`` (``pot``, made here when not given); its path, how many texts it
    holds, and whether it changed."""
    pot = template(project, catalog) if pot is None else pot
    path = folder(project) / TEMPLATE
    return path, len(pot), _write_if_changed(path, po_bytes(pot))


def update_catalogues(
    project: Project, catalog: Catalog, add: tuple[str, ...] = ()
) -> list[tuple[Path, tuple[int, int, int], bool]]:
    """Extract the template and merge it into every catalogue, starting those in ``add``
    (ValueError for a code CLDR does not know or a language that exists): for each, its path,
    its counts (translated, fuzzy, missing) and whether it changed."""
    for code in add:
        locale(code)
        if code == catalog.site.language or code in languages(project):
            raise ValueError(f"'{code}' already has a catalogue")
    pot = template(project, catalog)
    translation_template(project, catalog, pot)
    out = []
    for code in sorted({*languages(project), *add}):
        path = folder(project) / f"{code}.po"
        old = read_catalogue(path) if path.exists() else Catalogue(locale=code.replace("-", "_"), project=PROJECT)
        new = merged(pot, old, code)
        counts = [0, 0, 0]
        for message in new:
            if message.id:
                counts[2 if not message.string else 1 if message.fuzzy else 0] += 1
        out.append((path, (counts[0], counts[1], counts[2]), _write_if_changed(path, po_bytes(new))))
    return out


def translation_status(project: Project, catalog: Catalog) -> list[tuple[str, dict[str, tuple[int, int, int]]]]:
    """Per language (named ``es (Español)``), per part: texts translated, fuzzy and missing."""
    reports = []
    for code in languages(project):
        counts = status(catalog, read_catalogue(folder(project) / f"{code}.po"))
        reports.append((describe_language(code), {c.owner: (c.translated, c.fuzzy, c.missing) for c in counts}))
    return reports
