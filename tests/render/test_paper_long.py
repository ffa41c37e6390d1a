"""Nothing written is cut off on paper.

For every field kind, full width and half width, a sheet is filled with very long texts: the
answers a client writes and the labels a therapist writes, each a run of numbered words
(``ab1 ab2 ... ab1000``). The real PDF is read back with poppler's ``pdftotext -raw -bbox`` and must
hold every numbered word of every text, in order, inside the page's text area (never over the
running footer, never off the page). Headings and labels never end a page, and no page but the
last is left mostly empty.
"""

from __future__ import annotations

import datetime
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from worksheets.clients.records import ClientRecord, Goal
from worksheets.content.loader import load_catalog, load_worksheet
from worksheets.content.models import Rating, Step, Worksheet
from worksheets.project import Project
from worksheets.render.html import environment, render_document, render_takehome
from worksheets.render.pdf import render_pdf

from conftest import ROOT, PdfPage, Word, pdf_pages, run

PROJECT = Project.at(ROOT)
ENV = environment(PROJECT)
CATALOG = load_catalog(PROJECT)

LONG = 1000
"""Words in a long text: more than a page holds at half width and at full width."""

MM = 72 / 25.4
MARGIN = {"top": 13 * MM, "right": 17 * MM, "bottom": 17 * MM, "left": 17 * MM}
"""The page margins of ``sheet.css``: the text area is inside them, the footer below it."""


def numbered(prefix: str, count: int = LONG) -> str:
    """``count`` words numbered from 1, each starting with ``prefix``."""
    return " ".join(f"{prefix}{n}" for n in range(1, count + 1))


def above_footer(page: PdfPage) -> list[Word]:
    """The words above the footer."""
    return [w for w in page.words if w.y0 < page.height - MARGIN["bottom"]]


def read_back(data: bytes) -> list[PdfPage]:
    """Every word of a PDF with its box, page by page, in the order the PDF draws them (not as
    poppler would guess the reading order)."""
    return pdf_pages(data, raw=True)


def missing_in_order(pages: list[PdfPage], prefix: str, count: int) -> list[str]:
    """The numbered words of ``prefix`` not found in order (a word may also appear elsewhere,
    shortened, as in a running footer or a diagram's label)."""
    expected = 1
    for page in pages:
        for word in page.words:
            if expected <= count and word.text == f"{prefix}{expected}":
                expected += 1
    return [f"{prefix}{n}" for n in range(expected, count + 1)][:5]


FOOTER_TOP = 12 * MM
"""The running footer's text starts this far above the page's bottom edge (``sheet.css``)."""


def outside_text_area(pages: list[PdfPage], prefixes: list[str], footer: tuple[str, ...] = ()) -> list[Word]:
    """Numbered words drawn outside the text area (over the footer, in a margin, off the page),
    and any word at all drawn off the page. Words of the ``footer`` prefixes may also be in the
    running footer, in its small type."""
    numbered_word = re.compile(rf"({'|'.join(prefixes)})\d+")
    tolerance = 1.0
    wrong = []
    for page in pages:
        for w in page.words:
            off_page = w.x0 < 0 or w.y0 < 0 or w.x1 > page.width or w.y1 > page.height
            middle = (w.y0 + w.y1) / 2  # a word's box is the font's height, which may overshoot its line
            inside = (
                w.x0 >= MARGIN["left"] - tolerance
                and w.x1 <= page.width - MARGIN["right"] + tolerance
                and MARGIN["top"] <= middle <= page.height - MARGIN["bottom"]
            )
            in_footer = w.y0 >= page.height - FOOTER_TOP - tolerance and w.y1 - w.y0 < 10
            if w.text.startswith(footer) and in_footer and not off_page:
                continue
            if off_page or (numbered_word.fullmatch(w.text) and not inside):
                wrong.append(w)
    return wrong


def lines(page: PdfPage) -> list[str]:
    """The page's body as lines of text, top to bottom (words whose tops are within 2 points
    of each other share a line)."""
    rows: list[list[Word]] = []
    for w in sorted(above_footer(page), key=lambda w: (round(w.y0), w.x0)):
        if rows and abs(rows[-1][0].y0 - w.y0) < 2:
            rows[-1].append(w)
        else:
            rows.append([w])
    return [" ".join(w.text for w in sorted(row, key=lambda w: w.x0)) for row in rows]


def layout_problems(pages: list[PdfPage], headings: list[str], starts: tuple[str, ...] = ()) -> list[str]:
    """Pages that end on a heading or label, hold nothing but headings, or are mostly empty.

    A page may be short when the next one starts with something that always starts a page
    (``starts``: a take-home sheet's goals, for example)."""
    problems = []
    for number, page in enumerate(pages, 1):
        body = lines(page)
        if not body:
            problems.append(f"page {number} is empty")
            continue
        if all(line in headings for line in body):
            problems.append(f"page {number} holds only {body}")
        if number == len(pages):
            continue
        if body[-1] in headings:
            problems.append(f"page {number} ends on the heading {body[-1]!r}")
        following = lines(pages[number])
        forced = bool(following) and following[0].startswith(starts) if starts else False
        lowest = max(w.y1 for w in above_footer(page))
        if lowest < page.height / 2 and not forced:
            problems.append(f"page {number} is more than half empty (its text ends at {lowest:.0f} pt)")
    return problems


def problems(
    data: bytes, texts: dict[str, int], headings: list[str], starts: tuple[str, ...] = (), footer: tuple[str, ...] = ()
) -> list[str]:
    """Everything wrong with a PDF that should hold every word of ``texts`` (see the functions
    above for ``starts`` and ``footer``)."""
    pages = read_back(data)
    found = []
    for prefix, count in texts.items():
        if missing := missing_in_order(pages, prefix, count):
            found.append(f"missing from {prefix}: {missing}")
    found += [f"drawn outside the text area: {w}" for w in outside_text_area(pages, list(texts), footer)[:5]]
    return found + layout_problems(pages, headings, starts)


# The sheets under test: one per field kind and width. ``texts`` maps each numbered text's
# prefix to its word count; every prefix is two letters, so none is the start of another.


@dataclass
class Case:
    sheet: dict[str, Any]
    answers: dict[str, Any]
    texts: dict[str, int]
    headings: list[str]


def _field(kind: str, field_id: str, width: str, texts: dict[str, int], answers: dict[str, Any]) -> list[dict]:
    """A field of ``kind`` whose every piece of text, written by the therapist or the client, is
    long; it is returned with any field it needs (a wheel needs its table)."""

    def text(prefix: str, count: int = LONG) -> str:
        prefix = f"{field_id[0]}{prefix}"
        texts[prefix] = count
        return numbered(prefix, count)

    base = {"id": field_id, "kind": kind, "label": f"Label {field_id}", "width": width}
    if kind in ("text", "lines", "box", "date"):
        answers[field_id] = text("a")
        return [base | ({"lines": 3} if kind in ("lines", "box") else {})]
    if kind == "scale":
        answers[field_id] = 7
        return [base | {"hint": text("h", 300), "low": text("l", 400), "high": text("r", 400)}]
    if kind == "choice":
        answers[field_id] = "long"
        options = [{"id": "short", "label": "Short"}, {"id": "long", "label": text("o")}]
        return [base | {"options": options}]
    if kind == "checklist":
        answers[field_id] = {"long": 2}
        items = [{"id": "long", "label": text("i")}, {"id": "short", "label": "Short"}]
        return [base | {"priority": 3, "items": items}]
    if kind == "table":
        answers[field_id] = [{"say": text("a"), "score": 4}, {"say": "Short"}]
        score = {"id": "score", "label": "Score", "kind": "score"}
        columns = [{"id": "say", "label": text("c", 200), "width": 5}, score]
        return [base | {"rows": 2, "columns": columns}]
    if kind == "flowchart":
        answers[field_id] = {"yes": text("y"), "no": text("n")}
        nodes = [
            {"id": "ask", "text": text("q", 300), "yes": "yes", "no": "no"},
            {"id": "yes", "text": "Then this", "lines": 2},
            {"id": "no", "text": "Else this", "lines": 2},
        ]
        return [base | {"nodes": nodes}]
    if kind == "timeline":
        answers[field_id] = {"morning": text("m"), "night": "Sleep"}
        moments = [
            {"id": "morning", "label": "Morning", "prompt": text("p", 300)},
            {"id": "night", "label": text("t", 300), "prompt": "Night"},
        ]
        return [base | {"moments": moments}]
    if kind == "wheel":
        table_id = f"{field_id}t"
        answers[table_id] = {"work": {"score": 5, "say": text("w")}, "own": {"label": text("o", 300), "score": 8}}
        rows = [{"id": "work", "label": "Work"}, {"id": "own", "label": "Your own:", "write_in": True}]
        columns = [{"id": "score", "label": "Score", "kind": "score"}, {"id": "say", "label": "Say"}]
        table = {"id": table_id, "kind": "table", "label": f"Label {table_id}", "rows": rows, "columns": columns}
        return [table, base | {"table": table_id, "score": "score"}]
    raise AssertionError(kind)


KINDS = ["text", "lines", "box", "date", "scale", "choice", "checklist", "table", "flowchart", "timeline", "wheel"]


def case(kind: str, width: str) -> Case:
    """A sheet with a short section, then two fields of ``kind`` (side by side at half width)
    full of long texts, then another short section."""
    texts: dict[str, int] = {}
    answers: dict[str, Any] = {"first": "Short", "last": "Short"}
    fields = _field(kind, "k", width, texts, answers) + _field(kind, "z", width, texts, answers)
    sections = [
        {"id": "before", "title": "Heading before", "fields": [{"id": "first", "kind": "text", "label": "Start"}]},
        {"id": "long", "title": "Heading long", "prompt": "A prompt.", "fields": fields},
        {"id": "after", "title": "Heading after", "fields": [{"id": "last", "kind": "lines", "label": "End"}]},
    ]
    sheet = {
        "title": f"Long {kind} {width}",
        "summary": "A sheet for tests.",
        "how_to_use": "Fill it in.",
        "tags": ["test"],
        "minutes": 5,
        "intro": "Hello.",
        "notes": {"purpose": "Testing.", "suits": "Tests.", "running": "Run it.", "watch_for": "Failures."},
        "sections": sections,
    }
    labels = [f["label"] for f in fields]
    return Case(sheet, answers, texts, ["Heading before", "Heading long", "Heading after", "A prompt.", *labels])


def load(sheet: dict[str, Any]) -> Worksheet:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "content" / "worksheets" / "long.yaml"
        path.parent.mkdir(parents=True)
        path.write_text(yaml.safe_dump(sheet, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return load_worksheet(path)


def filled(kind: str, width: str, paper: str) -> tuple[bytes, Case]:
    """The PDF of ``case(kind, width)`` filled in, and the case."""
    c = case(kind, width)
    html = render_document(ENV, CATALOG, load(c.sheet), mode="filled", paper=paper, answers=c.answers, client="C")
    return render_pdf(html, PROJECT).data, c


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("width", ["full", "half"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_word_of_a_long_text_is_printed(kind, width, paper):
    data, c = filled(kind, width, paper)
    assert problems(data, c.texts, c.headings) == []


def test_half_width_fields_taller_than_a_page_break_across_pages():
    """Blank tables and a timeline at half width, each taller than a page, side by side: every
    row is printed (they once were inline blocks, which cannot break, and ran off the page)."""
    table = {"kind": "table", "width": "half", "rows": 30, "lines": 2, "columns": [{"id": "a", "label": "Col"}]}
    moments = [{"id": f"m{n}", "label": f"Time{n}", "prompt": f"Prompt{n}", "lines": 3} for n in range(1, 13)]
    fields = [
        table | {"id": "left", "label": "Left", "columns": [{"id": "a", "label": "Col"}]},
        {"id": "day", "kind": "timeline", "label": "Day", "width": "half", "moments": moments},
    ]
    sheet = case("text", "full").sheet
    sheet["sections"][1]["fields"] = fields
    answers = {"left": [{"a": f"row{n}"} for n in range(1, 31)]}
    html = render_document(ENV, CATALOG, load(sheet), mode="filled", paper="letter", answers=answers)
    pages = read_back(render_pdf(html, PROJECT).data)
    assert len(pages) > 2
    for prefix, count in (("row", 30), ("Time", 12), ("Prompt", 12)):
        assert missing_in_order(pages, prefix, count) == []
    assert outside_text_area(pages, ["row", "Time", "Prompt"]) == []


# A client's take-home sheet, with every text in the record long.


def long_record() -> tuple[ClientRecord, dict[str, int]]:
    """A record whose every text is long: names, the goal's title, a step, a note, the answers.
    Every field of the goal's sheet is answered: write-on lines, which ``pdftotext`` cannot see,
    would look like a page ending on their label."""
    texts: dict[str, int] = {}

    def text(prefix: str, count: int) -> str:
        texts[prefix] = count
        return numbered(prefix, count)

    day = datetime.date(2026, 11, 2)
    goal = Goal(
        id="walk",
        worksheet="progress-and-wins",
        title=text("gt", 150),
        set_on=day,
        answers={
            "goal": "Walk",
            "week-of": "Monday",
            "steps": "Two walks",
            "rating": 5,
            "helped": text("hp", LONG),
            "hindered": text("hd", LONG),
            "change": "Walk earlier",
            "win": text("wn", LONG),
        },
        steps=[Step(text=text("st", 400), due=day), Step(text="Short step", done=True)],
        progress=[
            Rating(date=day, rating=3, note=text("pn", 400)),
            Rating(date=day + datetime.timedelta(days=7), rating=5, note="Short note"),
        ],
    )
    return ClientRecord(client=text("cn", 300), therapist=text("th", 200), goals=[goal]), texts


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_a_take_home_sheet_prints_every_word_of_a_long_record(paper):
    record, texts = long_record()
    html = render_takehome(ENV, CATALOG, record, list(record.goals), paper=paper, date="2 November 2026")
    data = render_pdf(html, PROJECT).data
    ws = CATALOG.get("progress-and-wins")
    # Field labels are left out: on the week's fresh sheet each is followed by write-on lines,
    # which pdftotext cannot see.
    headings = [CATALOG.strings.steps, CATALOG.strings.progress_so_far, *(s.title for s in ws.sections)]
    # Each goal starts a page, and so does its worksheet, and the week's fresh sheet.
    starts = (f"{CATALOG.strings.goal}:", CATALOG.site.title.upper())
    assert problems(data, texts, headings, starts, footer=("gt",)) == []
    footer = [w.text for page in read_back(data) for w in page.words if w.y0 > page.height - MARGIN["bottom"]]
    assert "gt1" in footer and "gt100" not in footer, "the footer names the goal, shortened"


def test_a_long_worked_example_is_printed_whole_by_the_command_line(scratch, tmp_path):
    """``worksheets pdf ID --example`` with an example whose answers and client name are long."""
    path = scratch.worksheets_dir / "progress-and-wins.yaml"
    sheet = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts = {"ec": 200, "eh": LONG, "ei": LONG, "ew": LONG}
    sheet["example"]["client"] = numbered("ec", texts["ec"])
    sheet["example"]["answers"] |= {"helped": numbered("eh", LONG), "hindered": numbered("ei", LONG)}
    sheet["example"]["answers"]["win"] = numbered("ew", LONG)
    path.write_text(yaml.safe_dump(sheet, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = tmp_path / "example.pdf"
    code, _, stderr = run("pdf", "progress-and-wins", "--example", "-o", str(out), project=scratch.root)
    assert code == 0, stderr
    ws = CATALOG.get("progress-and-wins")
    headings = [s.title for s in ws.sections] + [f.label for f in ws.fields]
    assert problems(out.read_bytes(), texts, headings) == []
