"""The text layer of a PDF reads as the page does: what copy and paste, screen readers and
``pdftotext`` get back is what was written.

The heading "GOAL-SETTING WORKSHEETS" once read back as "GOAL-SET TING WORKSHEETS": its letters
were spaced 0.08em apart and the font kerns T and T a little further (+0.022em), and extractors
take a gap of about a tenth of the type's size for a space.
"""

from __future__ import annotations

import datetime
import subprocess

import pytest

from worksheets.clients.records import ClientRecord, Goal
from worksheets.formats import VARIANTS
from worksheets.render.html import environment, render_document, render_packet, render_takehome
from worksheets.render.pdf import write_pdf

from conftest import pdf_text


def pdftotext(data: bytes) -> str:
    """The text poppler reads from a PDF, white space folded."""
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())


def assert_reads(data: bytes, expected: str) -> None:
    """``expected`` is read back whole by poppler and by pypdf."""
    assert expected in pdftotext(data)
    assert expected in pdf_text(data)


@pytest.mark.parametrize("variant", [None, *VARIANTS])
@pytest.mark.parametrize("worksheet_id", ["smart-goals", "worry-tree"])
def test_the_sheet_heading_reads_as_written(project, catalog, worksheet_id, variant):
    html = render_document(
        environment(project), catalog, catalog.get(worksheet_id), mode="print", paper="a4", variant=variant
    )
    assert_reads(write_pdf(html, project), catalog.site.title.upper())


def test_the_packet_cover_reads_as_written(project, catalog):
    packet = next(p for p in catalog.packets if p.id == "worry-and-anxiety")
    html = render_packet(environment(project), catalog, packet, paper="letter")
    assert_reads(write_pdf(html, project), catalog.site.title.upper())


def test_a_take_home_sheet_heading_reads_as_written(project, catalog):
    goal = Goal(id="walk", worksheet="progress-and-wins", title="Walk more", set_on=datetime.date(2026, 11, 2))
    record = ClientRecord(client="Sam", goals=[goal])
    html = render_takehome(environment(project), catalog, record, [goal], paper="letter", date="2 November 2026")
    data = write_pdf(html, project)
    assert pdftotext(data).count(catalog.site.title.upper()) == 3, "the cover, the goal's sheet, the week's sheet"
