"""Properties that must hold for any input, checked with generated examples (hypothesis).

- Any client text (any Unicode: control characters, right-to-left scripts, combining marks, very
  long words) is saved to a record and read back unchanged, renders on a take-home sheet without
  error, and every printable character of it that the bundled fonts draw (Latin, Greek, Cyrillic,
  Hebrew, Arabic and their marks) can be read back from the PDF.
- Any worksheet built from generated valid content loads, and renders in Letter and A4 with every
  label it carries on the page.

Each example is a real WeasyPrint render read back with poppler's ``pdftotext``, so the example
counts are kept small for a test run, and a plain run tries the same examples every time (so CI
cannot turn red on a roll of the dice). ``PROPERTY_SCALE=20 pytest tests/test_properties.py``
explores: twenty times as many examples, new ones each run. Hypothesis remembers failures in
``.hypothesis/`` and tries them first; add one that matters as an ``@example``.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import tempfile
import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

import yaml
from fontTools.ttLib import TTFont
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worksheets.clients.records import ClientRecord, Goal, load_record, save_record
from worksheets.content.loader import load_catalog, load_worksheet
from worksheets.project import Project
from worksheets.render.html import environment, render_document, render_takehome
from worksheets.render.pdf import render_pdf

from conftest import ROOT

PROJECT = Project.at(ROOT)
ENV = environment(PROJECT)
CATALOG = load_catalog(PROJECT)
SHEET = "what-i-want"
FIELD = "hope"
"""The field of ``SHEET`` that the generated text answers (a few ruled lines)."""

_any = st.characters(exclude_categories=["Cs"])  # every code point a str can encode as UTF-8
_hebrew = st.characters(min_codepoint=0x05D0, max_codepoint=0x05EA)
_arabic = st.characters(min_codepoint=0x0621, max_codepoint=0x064A)
_marks = st.characters(categories=["Mn", "Me"])
_controls = st.characters(categories=["Cc", "Cf", "Zl", "Zp"])
_latin = st.characters(min_codepoint=0x21, max_codepoint=0x24F)
_word = st.text(st.characters(min_codepoint=0x61, max_codepoint=0x7A), min_size=120, max_size=400)

client_text = st.one_of(
    st.text(st.one_of(_any, _hebrew, _arabic, _marks, _controls, _latin), min_size=1, max_size=80),
    st.builds(lambda a, w, b: f"{a}{w}{b}", st.text(_latin, max_size=10), _word, st.text(_hebrew, max_size=10)),
).filter(lambda t: t.strip())

SCALE = int(os.environ.get("PROPERTY_SCALE", "1"))
settings.register_profile("worksheets", deadline=None, derandomize=SCALE == 1)
settings.load_profile("worksheets")
SLOW = settings(max_examples=25 * SCALE, suppress_health_check=[HealthCheck.too_slow])


def pdftotext(data: bytes) -> str:
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


FONTS = [frozenset(TTFont(font).getBestCmap()) for font in sorted((ROOT / "templates" / "fonts").glob("*.ttf"))]
COVERED = frozenset().union(*FONTS)
"""The characters each bundled font draws, and all of them. Other characters are drawn from
whatever fonts the computer has, or as an empty box; WeasyPrint keeps one text per glyph, and
all of a font's missing characters share its empty box, so they cannot all be read back. They
must still print without error."""

_IGNORABLE = [(0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x3164, 0x3164)]
_IGNORABLE += [(0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF)]
"""Unicode's default-ignorable code points that ``str.isprintable`` still counts as printable
(variation selectors, fillers, the grapheme joiner): they modify or hide, and draw nothing."""


def _visible(c: str) -> bool:
    return c.isprintable() and not c.isspace() and not any(a <= ord(c) <= b for a, b in _IGNORABLE)


def printable_characters(text: str) -> Counter[str]:
    """The characters of ``text`` that must be read back from a PDF, in decomposed form (a PDF
    may give back é as e and a combining accent).

    Counted: visible characters (no spaces, no control, format or ignorable characters) that the
    bundled fonts draw, and combining marks that the font of the letter they sit on also has. Not
    counted, because WeasyPrint keeps one text per glyph (its issue #2841): a mark with no letter
    to sit on (at the start, after a space or an invisible character) is drawn on a dotted circle,
    whose glyph then takes the mark's text, so every use of that mark reads back as nothing; a
    mark the letter's font lacks, drawn as that font's empty box; and any mark in text that holds
    right-to-left letters, whose shaped and reordered clusters give their text to other glyphs
    (#2841 itself). All of these are drawn.
    """
    text = unicodedata.normalize("NFD", text)
    right_to_left = any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)
    counted: Counter[str] = Counter()
    baseless: set[str] = set()
    base = None
    for c in text:
        if unicodedata.combining(c):
            if base is None:
                baseless.add(c)
            elif not right_to_left and any(ord(base) in font and ord(c) in font for font in FONTS):
                counted[c] += 1
            continue
        base = c if _visible(c) else None
        if base is not None and ord(c) in COVERED:
            counted[c] += 1
    for c in baseless:
        del counted[c]
    return counted


def record_with(text: str) -> ClientRecord:
    goal = Goal(
        id="goal",
        worksheet=SHEET,
        title="Sleep better",
        set_on=datetime.date(2026, 11, 2),
        answers={FIELD: text},
    )
    return ClientRecord(client="Client", goals=[goal])


def take_home(record: ClientRecord) -> bytes:
    html = render_takehome(ENV, CATALOG, record, list(record.goals), paper="letter", date="26 November 2026")
    return render_pdf(html, PROJECT).data


@cache
def printed_around() -> Counter[str]:
    """What the take-home prints besides the answer: the same sheet answered with "-"."""
    return printable_characters(pdftotext(take_home(record_with("-")))) - Counter("-")


@settings(max_examples=200 * SCALE)
@given(text=client_text)
def test_any_client_text_is_saved_and_read_back_unchanged(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "client.yaml"
        save_record(path, record_with(text), CATALOG)
        assert load_record(path, CATALOG).goal("goal").answers[FIELD] == text


@SLOW
@given(text=client_text)
def test_any_client_text_prints_and_reads_back(text):
    text_read = pdftotext(take_home(record_with(text)))
    printed = printable_characters(text_read)
    assert not [c for c in text_read if unicodedata.category(c) == "Cc" and c not in "\n\f"], "control characters"
    missing = printable_characters(text) - (printed - printed_around())
    assert not missing, f"not found in the PDF: {sorted(missing)}"


_words = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzéñøABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=1, max_size=14)
_phrase = st.lists(_words, min_size=1, max_size=12).map(" ".join)
_ids = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)


@st.composite
def fields(draw: st.DrawFn, field_id: str) -> dict:
    kind = draw(st.sampled_from(["text", "lines", "box", "date", "scale", "choice", "checklist", "table"]))
    field: dict = {"id": field_id, "kind": kind, "label": draw(_phrase)}
    if kind == "lines":
        field["lines"] = draw(st.integers(1, 8))
    if kind in ("choice", "checklist"):
        options = draw(st.lists(_phrase, min_size=2, max_size=6, unique=True))
        field["options" if kind == "choice" else "items"] = [{"id": f"o{i}", "label": o} for i, o in enumerate(options)]
    if kind == "table":
        columns = draw(st.lists(_phrase, min_size=1, max_size=4, unique=True))
        field["columns"] = [{"id": f"c{i}", "label": label} for i, label in enumerate(columns)]
        field["rows"] = draw(st.integers(1, 6))
    if kind != "table" and draw(st.booleans()):
        field["width"] = "half"
    return field


@st.composite
def worksheets(draw: st.DrawFn) -> dict:
    sections = []
    for s in range(draw(st.integers(1, 4))):
        count = draw(st.integers(1, 4))
        section = {"id": f"s{s}", "title": draw(_phrase), "fields": [draw(fields(f"f{s}x{i}")) for i in range(count)]}
        if draw(st.booleans()):
            section["prompt"] = draw(_phrase)
        sections.append(section)
    return {
        "title": draw(_phrase),
        "summary": draw(_phrase),
        "how_to_use": draw(_phrase),
        "tags": draw(st.lists(_ids, min_size=1, max_size=3, unique=True)),
        "minutes": draw(st.integers(1, 90)),
        "intro": draw(_phrase),
        "notes": {part: draw(_phrase) for part in ("purpose", "suits", "running", "watch_for")},
        "sections": sections,
    }


def labels(sheet: dict) -> list[str]:
    found = [sheet["title"]]
    for section in sheet["sections"]:
        found.append(section["title"])
        for field in section["fields"]:
            found.append(field["label"])
            found += [o["label"] for o in field.get("options", field.get("items", []))]
            found += [c["label"] for c in field.get("columns", [])]
    return found


@settings(max_examples=15 * SCALE, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sheet=worksheets())
def test_any_valid_worksheet_renders_in_both_sizes_with_every_label(sheet):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "content" / "worksheets" / "generated.yaml"
        path.parent.mkdir(parents=True)
        path.write_text(yaml.safe_dump(sheet, allow_unicode=True, sort_keys=False), encoding="utf-8")
        ws = load_worksheet(path)
    for paper in ("letter", "a4"):
        pdf = render_pdf(render_document(ENV, CATALOG, ws, mode="print", paper=paper), PROJECT)
        assert pdf.pages >= 1
        text = "".join(pdftotext(pdf.data).split())  # pdftotext guesses spaces; compare without
        for label in labels(sheet):
            assert "".join(label.split()) in text, f"{label!r} is not on the {paper} sheet"
