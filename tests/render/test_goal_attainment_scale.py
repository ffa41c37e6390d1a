"""The goal attainment scale: the ids a client record is mapped onto, and the paper form, one page
in both paper sizes, with its five levels as a ladder (+2 at the top, minus 2 at the bottom) in every
language.
"""

from __future__ import annotations

from functools import cache

import pytest

from worksheets.content.loader import load_catalog
from worksheets.content.translations import language_catalog
from worksheets.project import Project
from worksheets.render.html import environment, render_document
from worksheets.render.pdf import render_pdf

from conftest import ROOT, PdfPage, Word, pdf_pages

SHEET = "goal-attainment-scale"
LEVELS = ["much-more", "more", "expected", "less", "much-less"]
REVIEWS = ["review-1", "review-2", "review-3", "review-4"]
MINUS = "\u2212"
NUMBERS = ["+2", "+1", "0", f"{MINUS}1", f"{MINUS}2"]
"""The level numbers the rows' labels start with, top to bottom (written with the minus sign)."""


def test_the_ids_a_record_is_mapped_onto(catalog):
    """A prefilled sheet is made from a record by these ids: they must not drift."""
    ws = catalog.get(SHEET)
    fields = {f.id: f for f in ws.fields}
    assert [o.id for o in fields["weight"].options] == ["one", "two", "three"]
    assert [o.id for o in fields["baseline"].options] == ["much-less", "less"]
    ladder, reviews = fields["ladder"], fields["reviews"]
    assert [r.id for r in ladder.rows] == LEVELS
    assert [c.id for c in ladder.columns] == ["looks-like", *REVIEWS]
    assert [c.kind for c in ladder.columns] == ["text", "check", "check", "check", "check"]
    assert [r.label.split()[0] for r in ladder.rows] == NUMBERS
    assert [r.id for r in reviews.rows] == REVIEWS
    assert [c.id for c in reviews.columns] == ["date", "note"]
    assert ws.names()[:3] == ["goal", "weight", "baseline"]


@cache
def blank(language: str | None, paper: str) -> list[PdfPage]:
    """The blank sheet in ``language`` (None: the content's own) and ``paper``, as words with their
    boxes."""
    project = Project.at(ROOT)
    catalog, _ = language_catalog(project, load_catalog(project), language)
    html = render_document(environment(project), catalog, catalog.get(SHEET), mode="print", paper=paper)
    return pdf_pages(render_pdf(html, project).data)


def level_words(page: PdfPage, rtl: bool) -> list[Word]:
    """The word that starts each level's row label, in the order of ``NUMBERS``, or fewer when some
    are missing. A word is matched by its characters (in a right-to-left line the sign may be read
    on either side of the digit) and by where it stands: at the reading start of the label column,
    where the "+2" row starts; the same numbers elsewhere (the baseline's choices, the review
    columns) are passed over."""

    def start(word: Word) -> float:
        return word.x1 if rtl else word.x0

    def like(number: str) -> list[Word]:
        return [w for w in page.words if sorted(w.text) == sorted(number)]

    top = like("+2")
    if not top:
        return []
    column = start(top[0])
    return [w for number in NUMBERS for w in like(number) if abs(start(w) - column) < 2 and w.y0 >= top[0].y0]


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("language", [None, "es", "ar"], ids=["en", "es", "ar"])
def test_one_page_with_the_ladder_top_down(language, paper):
    pages = blank(language, paper)
    assert len(pages) == 1, f"{len(pages)} pages"
    page = pages[0]
    levels = level_words(page, rtl=language == "ar")
    assert len(levels) == 5, [w.text for w in levels]
    tops = [w.y0 for w in levels]
    assert tops == sorted(tops) and len({round(t) for t in tops}) == 5, "+2 at the top, minus 2 at the bottom"
    middle = page.width / 2
    assert all((w.x0 > middle) if language == "ar" else (w.x1 < middle) for w in levels), "at the reading start"


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("language", [None, "es", "ar"], ids=["en", "es", "ar"])
def test_the_worked_example_stays_on_one_page(language, paper):
    """Levels written in, a weight, a baseline and three reviews ticked and dated: still one page."""
    project = Project.at(ROOT)
    catalog, _ = language_catalog(project, load_catalog(project), language)
    ws = catalog.get(SHEET)
    assert ws.example is not None
    html = render_document(environment(project), catalog, ws, mode="filled", paper=paper, answers=ws.example.answers)
    pages = pdf_pages(render_pdf(html, project).data)
    assert len(pages) == 1
    text = " ".join(w.text for w in pages[0].words)
    for review in ws.example.answers["reviews"].values():
        assert review["date"].isoformat() in text
