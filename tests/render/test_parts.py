"""A packet laid out once and written in parts (``render_parts``), then joined, is the packet
rendered whole; and a sheet's part has the bytes of that sheet's section rendered alone with its
first page number and the total given, so a changed sheet could be rendered alone."""

from __future__ import annotations

import tempfile
from functools import cache
from io import BytesIO
from pathlib import Path

import pikepdf
from PIL import ImageChops
from pypdf import PdfReader
from test_packets import contents_numbers, starts
from test_sections import pictures

from worksheets.content.loader import load_catalog
from worksheets.project import Project
from worksheets.render.html import environment, render_packet
from worksheets.render.join import join_pdfs
from worksheets.render.pdf import render_parts, render_pdf

from conftest import ROOT

NAME, PAPER = "getting-started", "letter"


@cache
def rendered() -> dict:
    """The packet rendered whole, its parts written from one layout, and what made them."""
    project = Project.at(ROOT)
    catalog = load_catalog(project)
    env = environment(project)
    packet = next(p for p in catalog.packets if p.id == NAME)
    html = render_packet(env, catalog, packet, paper=PAPER)
    parts = render_parts(html, project, [f"{ws}-sheet-title" for ws in packet.worksheets], title=NAME)
    whole = render_pdf(html, project).data
    return {"project": project, "env": env, "catalog": catalog, "packet": packet, "whole": whole, "parts": parts}


def test_parts_joined_are_the_whole_packet():
    done = rendered()
    whole, parts = done["whole"], done["parts"]
    assert len(parts) == 1 + len(done["packet"].worksheets), "the front, then one part per sheet"
    joined = join_pdfs([part.data for part in parts], b"0" * 32)
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        expected, found = pictures(whole, Path(a)), pictures(joined, Path(b))
        assert len(found) == len(expected) == sum(part.pages for part in parts)
        differ = [
            n for n, (x, y) in enumerate(zip(expected, found, strict=True), 1) if ImageChops.difference(x, y).getbbox()
        ]
    assert differ == [], f"pages that differ from the whole packet: {differ}"
    whole_reader, joined_reader = PdfReader(BytesIO(whole)), PdfReader(BytesIO(joined))
    assert starts(joined_reader) == starts(whole_reader)
    assert contents_numbers(joined_reader) == contents_numbers(whole_reader)
    links = [annotation.get_object()["/Dest"] for annotation in joined_reader.pages[1]["/Annots"]]
    named = joined_reader.named_destinations
    for name in links:  # each of the contents' links goes where the whole packet's does
        page = joined_reader.get_destination_page_number(named[str(name)])
        assert page == whole_reader.get_destination_page_number(whole_reader.named_destinations[str(name)])


def test_a_sheets_part_is_its_section_rendered_alone_numbered():
    done = rendered()
    parts, packet = done["parts"], done["packet"]
    total = sum(part.pages for part in parts)
    first = parts[0].pages + parts[1].pages + 1  # the second sheet's first page, from 1
    sheet = packet.worksheets[1]
    html = render_packet(done["env"], done["catalog"], packet, paper=PAPER, part=sheet, first=first, total=total)
    alone = render_pdf(html, done["project"]).data
    with pikepdf.open(BytesIO(alone)) as pdf:
        alone_id = bytes(pdf.trailer.ID[0])
    with pikepdf.open(BytesIO(parts[2].data)) as pdf:
        part_id = bytes(pdf.trailer.ID[0])
    assert alone.replace(alone_id, part_id) == parts[2].data, "the same bytes, but for the identifier"
    assert f"Page {first} of {total}" in PdfReader(BytesIO(alone)).pages[0].extract_text()
