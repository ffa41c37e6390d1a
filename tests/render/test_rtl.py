"""Right-to-left documents are mirrored, left-to-right ones are not.

The same sheets are rendered by WeasyPrint from the real project (English, ``dir="ltr"``) and from a
copy of it whose site is in Arabic (``language: ar``, so every document has ``dir="rtl"``; its
strings are still the English ones, which keeps the words to look for the same). The PDFs are read
back: words and their boxes with poppler's ``pdftotext -bbox``, form fields and their rectangles
with pypdf, and the tick boxes drawn on paper (which are not text) from the page as an image
(``pdftoppm``). Where reading starts (left in English, right in Arabic) there must be the sheet's title,
the tick box of an item, the Yes branch of a flowchart, the first column of a table and the running
footer's title; where it ends, the name and date, the No branch and the licence.
"""

from __future__ import annotations

import atexit
import datetime
import re
import shutil
import subprocess
import tempfile
from functools import cache
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from worksheets.clients.records import load_record
from worksheets.content.languages import long_date
from worksheets.content.loader import load_catalog
from worksheets.project import Project
from worksheets.render.html import environment, render_document, render_takehome
from worksheets.render.pdf import render_pdf

from conftest import RECORD, ROOT, Word, pdf_pages

MM = 72 / 25.4
MARGIN = 17 * MM
"""The side margins of the page (``@page`` in ``sheet.css``), where the running footer starts."""
EDGE = MARGIN + 6
"""Where the sheet starts: the page margin and the body's own (8 px)."""
WIDTH, HEIGHT = 612.0, 792.0
"""US Letter, in points."""


@cache
def arabic_project() -> Project:
    """A copy of the project whose site is in Arabic, with the English strings as its own."""
    root = Path(tempfile.mkdtemp(prefix="worksheets-rtl-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)  # cached across tests, so no tmp_path
    for part in ("content", "templates"):
        shutil.copytree(ROOT / part, root / part)
    site = root / "content" / "site.yaml"
    text, count = re.subn(r"^language: .*$", "language: ar", site.read_text(encoding="utf-8"), flags=re.M)
    site.write_text(text if count else text + "language: ar\n", encoding="utf-8")
    strings = root / "content" / "strings"
    if not (strings / "ar.yaml").exists():
        shutil.copy(strings / "en.yaml", strings / "ar.yaml")
    return Project.at(root)


@cache
def pdf(direction: str, worksheet_id: str, mode: str = "print") -> bytes:
    """A worksheet as a US Letter PDF, in the English project (ltr) or the Arabic copy (rtl)."""
    project = Project.at(ROOT) if direction == "ltr" else arabic_project()
    catalog = load_catalog(project)
    assert catalog.site.direction == direction
    html = render_document(environment(project), catalog, catalog.get(worksheet_id), mode=mode, paper="letter")
    assert f'dir="{direction}"' in html
    return render_pdf(html, project, forms=mode == "fillable").data


@cache
def takehome(direction: str) -> bytes:
    """The take-home sheets of the record in conftest, in US Letter."""
    project = Project.at(ROOT) if direction == "ltr" else arabic_project()
    catalog = load_catalog(project)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "client.yaml"
        path.write_text(RECORD, encoding="utf-8")
        record = load_record(path, catalog)
    goals = [g for g in record.goals if g.status == "active"]
    date = long_date(datetime.date(2026, 12, 1), catalog.site.language)
    html = render_takehome(environment(project), catalog, record, goals, paper="letter", date=date)
    return render_pdf(html, project).data


def words(data: bytes) -> list[Word]:
    """Every word of a PDF with its box (points from the top left of its page)."""
    return [w for page in pdf_pages(data) for w in page.words]


def span(found: list[Word], text: str, *, page: int = 1, top: float = 0, bottom: float = HEIGHT) -> tuple[float, float]:
    """Left and right edges of the words of ``text`` on ``page`` between ``top`` and ``bottom``."""
    wanted = set(text.split())
    hits = [w for w in found if w.page == page and w.text in wanted and top <= w.y0 and w.y1 <= bottom]
    assert {w.text for w in hits} == wanted, (text, [w.text for w in hits])
    return min(w.x0 for w in hits), max(w.x1 for w in hits)


def near(value: float, target: float, tolerance: float = 2 * MM) -> bool:
    return abs(value - target) <= tolerance


def ink(data: bytes, page: int, left: float, top: float, right: float, bottom: float) -> int:
    """How many pixels are not white in a rectangle of a page (points from its top left), the page
    rendered at 144 dpi: anything drawn there, text or not."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "in.pdf").write_bytes(data)
        command = ["pdftoppm", "-png", "-r", "144", "-f", str(page), "-l", str(page), "-singlefile"]
        subprocess.run([*command, "in.pdf", "out"], cwd=folder, check=True)
        image = Image.open(Path(folder) / "out.png").convert("L")
        region = image.crop(tuple(round(v * 2) for v in (left, top, right, bottom)))
        return sum(1 for value in region.tobytes() if value < 200)


DIRECTIONS = ["ltr", "rtl"]


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_title_starts_the_header_and_name_and_date_end_it(direction):
    found = words(pdf(direction, "what-i-want"))
    header = {"top": 0, "bottom": 35 * MM}
    title = span(found, "What I want from therapy", **header)
    name, date = span(found, "Name", **header), span(found, "Date", **header)
    if direction == "ltr":
        assert near(title[0], EDGE), title
        assert name[0] > WIDTH / 2 and date[0] > WIDTH / 2, (name, date)
    else:
        assert near(title[1], WIDTH - EDGE), title
        assert name[1] < WIDTH / 2 and date[1] < WIDTH / 2, (name, date)
        assert title[0] > max(name[1], date[1]), "the title is right of the name and date"


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_tick_box_is_on_the_start_side_of_its_label(direction):
    label = "Coping better when things are hard"
    # On paper the box is drawn beside the label: ink just before the label's first word (on its
    # left in English, on its right in Arabic), none just after its last.
    data = pdf(direction, "what-i-want")
    found = words(data)
    line = next(w for w in found if w.page == 2 and w.text == "Coping")
    left, right = span(found, label, page=2, top=line.y0 - 1, bottom=line.y1 + 1)
    before = (right + 0.5 * MM, right + 7 * MM) if direction == "rtl" else (left - 7 * MM, left - 0.5 * MM)
    after = (left - 7 * MM, left - 0.5 * MM) if direction == "rtl" else (right + 0.5 * MM, right + 7 * MM)
    assert ink(data, 2, before[0], line.y0, before[1], line.y1) > 20, "the box"
    assert ink(data, 2, after[0], line.y0, after[1], line.y1) == 0, "nothing"
    start = right if direction == "rtl" else left
    assert 5.5 * MM < abs(start - (WIDTH - EDGE if direction == "rtl" else EDGE)) < 8 * MM, "a box and a gap in"
    # Fillable, the check box is a form field (above its label), whose rectangle pypdf reads: at the
    # start side, where the label starts.
    data = pdf(direction, "what-i-want", "fillable")
    reader = PdfReader(BytesIO(data))
    boxes = [
        [float(v) for v in a.get_object()["/Rect"]]
        for page in reader.pages
        for a in page.get("/Annots", [])
        if a.get_object().get("/T") == "aims.coping"
    ]
    assert len(boxes) == 1, boxes
    x0, _, x1, _ = boxes[0]
    found = words(data)
    line = next(w for w in found if w.page == 2 and w.text == "Coping")
    left, right = span(found, label, page=2, top=line.y0 - 1, bottom=line.y1 + 1)
    if direction == "ltr":
        assert near(min(x0, x1), EDGE) and near(left, EDGE), (x0, x1, left)
    else:
        assert near(max(x0, x1), WIDTH - EDGE) and near(right, WIDTH - EDGE), (x0, x1, right)


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_yes_branches_to_the_start_side_and_tables_start_there(direction):
    found = words(pdf(direction, "worry-tree"))
    yes = next(w for w in found if w.text == "Yes")
    no = next(w for w in found if w.text == "No" and near(w.y0, yes.y0, 1))
    assert (yes.x0 < no.x0) == (direction == "ltr"), (yes, no)
    found = words(pdf(direction, "smart-goals"))
    when = next(w for w in found if w.text == "When")
    row = {w.text: w.x0 for w in found if w.page == when.page and near(w.y0, when.y0, 1)}
    order = sorted(("Step", "When", "Done"), key=row.__getitem__)
    assert order == (["Step", "When", "Done"] if direction == "ltr" else ["Done", "When", "Step"]), row


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_the_footer_names_the_sheet_where_reading_starts(direction):
    found = words(pdf(direction, "what-i-want"))
    footer = {"top": HEIGHT - 17 * MM, "bottom": HEIGHT}
    for page in (1, 2):
        title = span(found, "What I want from therapy", page=page, **footer)
        licence = span(found, "Free to share: CC BY 4.0", page=page, **footer)
        number = span(found, f"Page {page} of 2", page=page, **footer)
        assert near((number[0] + number[1]) / 2, WIDTH / 2, 5 * MM), number
        if direction == "ltr":
            assert near(title[0], MARGIN) and near(licence[1], WIDTH - MARGIN), (title, licence)
        else:
            assert near(title[1], WIDTH - MARGIN) and near(licence[0], MARGIN), (title, licence)


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_pairs_floats_and_centred_boxes_follow_the_direction(direction):
    """What WeasyPrint 70 does not mirror by itself (grid columns, floats after text) or mirrors
    wrongly (auto margins) is laid out for it: nothing is lost, off centre or on the wrong side."""
    starts_left = direction == "ltr"
    found = words(pdf(direction, "worry-tree"))
    # Two half-width fields: the first at the start side.
    notice = next(w for w in found if w.text == "notice")
    strong = next(w for w in found if w.text == "strong" and near(w.y0, notice.y0, 1))
    assert (strong.x0 < notice.x0) == starts_left, (strong, notice)
    # The ends of a scale, inside the text area: the low end at the start side.
    high = next(w for w in found if w.text == "Very" and w.y0 > strong.y0)
    low = next(w for w in found if w.text == "Not" and near(w.y0, high.y0, 1))
    assert (low.x0 < high.x0) == starts_left, (low, high)
    assert min(low.x0, high.x0) >= EDGE - 1 and max(low.x1, high.x1) <= WIDTH - EDGE + 1, (low, high)
    # A flowchart's boxes are centred: the first question's words, centred in it, are centred.
    anything = next(w for w in found if w.text == "anything")
    question = [w for w in found if w.page == anything.page and near(w.y0, anything.y0, 1)]
    centre = (min(w.x0 for w in question) + max(w.x1 for w in question)) / 2
    assert near(centre, WIDTH / 2, 3 * MM), question
    # Each item of a checklist has its priority at the end side.
    priorities = [w for w in words(pdf(direction, "what-i-want")) if w.text == "Priority"]
    assert len(priorities) == 5
    assert all((w.x0 > WIDTH / 2) == starts_left for w in priorities), priorities
    assert all(w.x0 >= EDGE - 1 and w.x1 <= WIDTH - EDGE + 1 for w in priorities), priorities
    # Each step of a goal has its date at the end side, on its line.
    found = words(takehome(direction))
    steps = [next(w for w in found if w.text == word) for word in ("notebook", "recipes")]
    dates = [next(w for w in found if w.text == "by" and w.page == s.page and near(w.y0, s.y0, 4)) for s in steps]
    assert all((w.x0 > WIDTH / 2) == starts_left for w in dates), dates
    assert all(w.x0 >= EDGE - 1 and w.x1 <= WIDTH - EDGE + 1 for w in dates), dates
