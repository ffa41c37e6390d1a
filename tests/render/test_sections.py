"""A packet made of parts and joined (``render_sectioned``, nothing kept: laid out whole once and
written in parts) is the packet rendered whole: the same pages, pixel for pixel, with the same page
numbers, contents, links, bookmarks and a sound structure tree."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from functools import cache
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader
from test_packets import contents_numbers, starts
from test_rtl import arabic_project

from worksheets.content.loader import load_catalog
from worksheets.project import Project
from worksheets.render.html import environment, render_packet
from worksheets.render.pdf import render_pdf
from worksheets.render.pool import Workers
from worksheets.render.sections import SectionedPacket, render_sectioned

from conftest import ROOT


def project_for(direction: str) -> Project:
    return Project.at(ROOT) if direction == "ltr" else arabic_project()


@cache
def whole_and_joined(name: str, paper: str, direction: str = "ltr") -> tuple[bytes, bytes]:
    """The packet ``name`` rendered whole, and in parts joined."""
    project = project_for(direction)
    catalog = load_catalog(project)
    env = environment(project)
    packet = next(p for p in catalog.packets if p.id == name)
    whole = render_pdf(render_packet(env, catalog, packet, paper=paper), project).data
    with Workers(project, jobs=1) as workers:
        _, [joined] = render_sectioned([SectionedPacket(env, catalog, packet, paper)], workers)
    return whole, joined.data


def pictures(data: bytes, folder: Path) -> list[Image.Image]:
    """Every page as a picture at 60 dpi (``pdftoppm``)."""
    source = folder / "in.pdf"
    source.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(source), str(folder / "page")], check=True)
    return [Image.open(path).convert("RGB") for path in sorted(folder.glob("page-*.png"))]


@pytest.mark.parametrize(
    ("name", "paper", "direction"),
    [
        ("getting-started", "letter", "ltr"),
        ("getting-started", "a4", "ltr"),
        ("complete-set", "a4", "ltr"),
        ("worry-and-anxiety", "letter", "rtl"),
    ],
)
def test_joined_pages_are_the_whole_packets_pixel_for_pixel(name, paper, direction):
    whole, joined = whole_and_joined(name, paper, direction)
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        expected, found = pictures(whole, Path(a)), pictures(joined, Path(b))
        assert len(found) == len(expected)
        differ = [
            n for n, (x, y) in enumerate(zip(expected, found, strict=True), 1) if ImageChops.difference(x, y).getbbox()
        ]
    assert differ == [], f"pages that differ from the whole packet: {differ}"


def test_joined_numbers_contents_links_and_bookmarks(catalog):
    whole, joined = (PdfReader(BytesIO(data)) for data in whole_and_joined("complete-set", "a4"))
    marks = starts(joined)
    assert list(marks) == [w.title for w in catalog.worksheets]
    assert marks == starts(whole)
    assert contents_numbers(joined) == contents_numbers(whole)
    for title, page in marks.items():
        assert contents_numbers(joined)[title] == page and title in joined.pages[page - 1].extract_text()
    total = len(joined.pages)
    assert "Page 1 of" not in joined.pages[0].extract_text(), "the cover has no number"
    for number, page in enumerate(joined.pages[1:], start=2):
        assert f"Page {number} of {total}" in page.extract_text()

    def links(reader: PdfReader) -> list[tuple[str, list[float], int]]:
        """Each link of the contents page: where it goes, where it is, and the page it opens."""
        annotations = [a.get_object() for a in reader.pages[1].get("/Annots", [])]
        named = reader.named_destinations
        return [
            (
                str(a["/Dest"]),
                [round(float(n), 2) for n in a["/Rect"]],
                reader.get_destination_page_number(named[str(a["/Dest"])]) + 1,
            )
            for a in annotations
        ]

    found = links(joined)
    assert found == links(whole), "the same links, in the same places, to the same pages"
    assert {page for _, _, page in found} >= set(marks.values())


def shape(element) -> tuple:
    """A structure element's type and its child elements' shapes (marked content left out)."""
    kids = element.get("/K", [])
    kids = kids if isinstance(kids, list) else [kids]
    elements = [kid.get_object() for kid in kids if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get")]
    return (str(element["/S"]), tuple(shape(kid) for kid in elements if "/S" in kid))


def test_joined_structure_tree_and_checkers(tmp_path):
    whole, data = whole_and_joined("complete-set", "a4")
    joined = PdfReader(BytesIO(data))
    root = joined.trailer["/Root"]
    tree = root["/StructTreeRoot"]
    [document] = [kid.get_object() for kid in tree["/K"]]
    assert document["/S"] == "/Document"
    [whole_document] = [kid.get_object() for kid in PdfReader(BytesIO(whole)).trailer["/Root"]["/StructTreeRoot"]["/K"]]
    assert shape(document) == shape(whole_document), "the same tags, nested the same way"
    nums = tree["/ParentTree"]["/Nums"]
    keys = [int(nums[at]) for at in range(0, len(nums), 2)]
    assert sorted(int(page["/StructParents"]) for page in joined.pages) == list(range(len(joined.pages)))
    assert set(range(len(joined.pages))) <= set(keys), "every page has its entry in the parent tree"
    for page in joined.pages:
        for annotation in page.get("/Annots", []):
            assert int(annotation.get_object()["/StructParent"]) in keys
    assert root["/Lang"] == PdfReader(BytesIO(whole)).trailer["/Root"]["/Lang"]
    assert joined.metadata.title == PdfReader(BytesIO(whole)).metadata.title
    path = tmp_path / "joined.pdf"
    path.write_bytes(data)
    checked = subprocess.run([sys.executable, "-m", "pdfua", "check", str(path)], capture_output=True, text=True)
    assert "result: PASS (no findings)" in checked.stdout, checked.stdout
    qpdf = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert qpdf.returncode == 0, qpdf.stdout + qpdf.stderr


@pytest.mark.parametrize(("name", "paper"), [("getting-started", "letter"), ("complete-set", "a4")])
def test_joined_packets_are_about_the_size_of_whole_ones(name, paper):
    """Each face is embedded once (the sections' subsets merged) and small objects are packed in
    object streams, as WeasyPrint writes them."""
    whole, joined = whole_and_joined(name, paper)
    assert len(joined) <= 1.15 * len(whole), (len(joined), len(whole))
    fonts = [f for p in PdfReader(BytesIO(joined)).pages for f in p["/Resources"]["/Font"].values()]
    faces = {str(f.get_object()["/BaseFont"]) for f in fonts}
    assert len({f.idnum for f in fonts}) == len(faces), "one font object per face"


def test_joining_the_same_sections_gives_the_same_bytes():
    project = Project.at(ROOT)
    catalog = load_catalog(project)
    env = environment(project)
    packet = next(p for p in catalog.packets if p.id == "worry-and-anxiety")
    sectioned = SectionedPacket(env, catalog, packet, "a4")
    with Workers(project, jobs=2) as workers:  # the join run in a worker process
        first = render_sectioned([sectioned], workers)[1][0].data
    with Workers(project, jobs=1) as workers:  # and in this one
        assert render_sectioned([sectioned], workers)[1][0].data == first
    assert PdfReader(BytesIO(first)).trailer["/ID"][0] == sectioned.identifier().decode()
