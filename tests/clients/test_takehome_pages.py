"""A worksheet in a take-home sheet takes the pages it takes blank: nothing pushed onto a page of
its own by what the take-home sheet adds around it.

A goal with steps or ratings starts its worksheet on a new page, and a margin kept after that break
pushed the last lines of SMART goals onto a third page, holding two rating scales and nothing else;
a date in the header made it a line taller than the blank one's. Every worksheet of the catalog is
checked, in both paper sizes and every language, by reading the take-home PDF's bookmarks back:
each worksheet's pages run from its title's bookmark to the next sheet's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from worksheets.clients.takehome import prefill
from worksheets.content import language_catalog
from worksheets.render.html import environment, render_document
from worksheets.render.pdf import render_pdf


def _bookmarks(reader: PdfReader, outline: list, depth: int = 0) -> list[tuple[int, str, int]]:
    """(depth, title, page) of every bookmark, in order."""
    marks = []
    for item in outline:
        if isinstance(item, list):
            marks += _bookmarks(reader, item, depth + 1)
        else:
            marks.append((depth, item.title, reader.get_destination_page_number(item)))
    return marks


@pytest.mark.parametrize("language", [None, "es", "ar"])  # None: the content's own
@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_each_worksheet_takes_its_blank_pages(project, catalog, tmp_path: Path, paper: str, language: str | None):
    path = tmp_path / "client.yaml"
    path.write_text(
        "client: Client C.\n"
        + (f"language: {language}\n" if language else "")
        + "goals:\n"
        + "".join(
            f"  - {{id: {ws.id}, worksheet: {ws.id}, title: Goal {n}, steps: [{{text: A first step}}]}}\n"
            for n, ws in enumerate(catalog.worksheets)
        )
    )
    (made,) = prefill(project, catalog, [path], tmp_path / "out", paper=paper, jobs=1)
    reader = PdfReader(made.path)
    marks = _bookmarks(reader, reader.outline)
    starts = [page for depth, _, page in marks if depth == 1] + [len(reader.pages)]  # goals and weekly sheets
    env = environment(project)
    translated, _ = language_catalog(project, catalog, language)
    wrong = []
    for ws in translated.worksheets:
        sheet = next(n for n, (depth, title, _) in enumerate(marks) if depth == 2 and title == ws.title)
        first = marks[sheet][2]
        taken = min(start for start in starts if start > first) - first
        blank = render_pdf(render_document(env, translated, ws, mode="print", paper=paper), project).pages
        if taken != blank:
            wrong.append(f"{ws.id}: {taken} pages in the take-home sheet, {blank} blank")
    assert not wrong, (paper, language, wrong)
