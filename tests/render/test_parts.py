"""A packet laid out once and written in parts (``render_parts``), then joined, is the packet
rendered whole; and a sheet's part has the bytes of that sheet's section rendered alone with its
first page number and the total given, so a changed sheet could be rendered alone."""

from __future__ import annotations

import tempfile
from functools import cache
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest
from PIL import ImageChops
from pypdf import PdfReader
from test_packets import contents_numbers, starts
from test_sections import pictures

from worksheets.content.loader import load_catalog
from worksheets.content.translations import language_catalog
from worksheets.project import Project
from worksheets.render.html import environment, render_packet
from worksheets.render.join import join_pdfs
from worksheets.render.pdf import render_parts, render_pdf

from conftest import ROOT

NAME, PAPER = "getting-started", "letter"


@cache
def rendered(name: str = NAME, paper: str = PAPER, language: str | None = None) -> dict:
    """The packet rendered whole, its parts written from one layout, and what made them."""
    project = Project.at(ROOT)
    catalog, _ = language_catalog(project, load_catalog(project), language)
    env = environment(project)
    packet = next(p for p in catalog.packets if p.id == name)
    html = render_packet(env, catalog, packet, paper=paper)
    parts = render_parts(html, project, [f"{ws}-sheet-title" for ws in packet.worksheets], title=name)
    whole = render_pdf(html, project).data
    return {"project": project, "env": env, "catalog": catalog, "packet": packet, "whole": whole, "parts": parts}


@pytest.mark.parametrize(
    ("name", "paper", "language"),
    [(NAME, PAPER, None), ("worry-and-anxiety", "a4", "es")],
    ids=["english", "spanish-accents"],
)
def test_parts_joined_are_the_whole_packet(name, paper, language):
    """Page for page the same pictures, contents and links. In Spanish, parts print accented
    letters that the font draws from components (ñ is n and a tilde), which a subset keeps after
    its last glyph used, at an id of its own: a merged font that took such a letter from one part
    with another part's ids drew "pequeño" with a wrong mark."""
    done = rendered(name, paper, language)
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


def test_a_later_parts_link_out_of_itself_never_moves_a_destination(project):
    """Only the first part (a packet's front) gets stand-in anchors for the links out of it: the
    join takes a later part's destination over an earlier one's, so a stand-in in the third part
    for an anchor of the second would move that destination onto the third part's page."""
    html = (
        "<!doctype html><html lang='en'><head><title>Parts</title>"
        "<link rel='stylesheet' href='css/pdf-fonts.css'><style>h1 { break-before: page }</style></head><body>"
        "<p><a href='#two'>two</a> <a href='#three'>three</a></p>"
        "<h1 id='two'>Two</h1><p>The second part.</p>"
        "<h1 id='three'>Three</h1><p>Back to <a href='#two'>two</a>.</p>"
        "</body></html>"
    )
    parts = render_parts(html, project, ["two", "three"], title="parts")
    assert [part.pages for part in parts] == [1, 1, 1]
    joined = PdfReader(BytesIO(join_pdfs([part.data for part in parts], b"0" * 32)))
    named = joined.named_destinations
    assert joined.get_destination_page_number(named["two"]) == 1, "on the second part's page"
    assert joined.get_destination_page_number(named["three"]) == 2


def embedded_fonts(pdf: pikepdf.Pdf) -> dict[str, list[pikepdf.Object]]:
    """Each face's distinct embedded TrueType programs (``FontFile2`` streams), by /BaseFont."""
    faces: dict[str, dict[tuple[int, int], pikepdf.Object]] = {}
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            if "/DescendantFonts" in font:
                program = font.DescendantFonts[0].FontDescriptor.FontFile2
                faces.setdefault(str(font.BaseFont), {})[program.objgen] = program
    return {face: list(programs.values()) for face, programs in faces.items()}


def test_merged_font_subsets_describe_their_own_glyphs():
    """A face used by several parts is embedded once in the join, its glyphs merged from each
    part's subset: its maxp, head and hhea tables must be made from the glyphs it holds, as a
    font program's are, not kept from the largest subset."""
    from fontTools.ttLib import TTFont

    parts = rendered()["parts"]
    shared = {}
    for part in parts:
        with pikepdf.open(BytesIO(part.data)) as pdf:
            for face in embedded_fonts(pdf):
                shared[face] = shared.get(face, 0) + 1
    merged = {face for face, count in shared.items() if count > 1}
    assert len(merged) >= 2, "the parts share more than one face"
    with pikepdf.open(BytesIO(join_pdfs([part.data for part in parts], b"0" * 32))) as pdf:
        for face, programs in embedded_fonts(pdf).items():
            if face not in merged:
                continue
            assert len(programs) == 1, face
            font = TTFont(BytesIO(programs[0].read_bytes()))
            glyf, order = font["glyf"], font.getGlyphOrder()
            boxes = []
            for glyph in (glyf[name] for name in order):
                if glyph.numberOfContours != 0:
                    glyph.recalcBounds(glyf)
                    boxes.append((glyph.xMin, glyph.yMin, glyph.xMax, glyph.yMax))
            head, maxp = font["head"], font["maxp"]
            assert maxp.numGlyphs == len(order), face
            assert (head.xMin, head.yMin, head.xMax, head.yMax) == (
                min(box[0] for box in boxes),
                min(box[1] for box in boxes),
                max(box[2] for box in boxes),
                max(box[3] for box in boxes),
            ), face
            assert font["hhea"].advanceWidthMax == max(width for width, _ in font["hmtx"].metrics.values()), face
            assert maxp.maxContours == max(glyf[name].numberOfContours for name in order), face
