"""Blank packets: cover, contents with real page numbers, bookmarks, duplex, QR codes, the CLI."""

from __future__ import annotations

import re
from functools import cache
from io import BytesIO

import pytest
from pypdf import PdfReader

from worksheets.content.loader import load_catalog
from worksheets.errors import InputError
from worksheets.project import Project
from worksheets.render.html import environment, render_document, render_packet
from worksheets.render.pdf import render_pdf

from conftest import ROOT, run


@cache
def packet_pdf(name: str, paper: str = "letter", duplex: bool = False) -> PdfReader:
    project = Project.at(ROOT)
    catalog = load_catalog(project)
    packet = next(p for p in catalog.packets if p.id == name)
    html = render_packet(environment(project), catalog, packet, paper=paper, duplex=duplex)
    return PdfReader(BytesIO(render_pdf(html, project).data))


@cache
def sheet_pages(worksheet_id: str, paper: str = "letter") -> int:
    project = Project.at(ROOT)
    catalog = load_catalog(project)
    html = render_document(environment(project), catalog, catalog.get(worksheet_id), mode="print", paper=paper)
    return render_pdf(html, project).pages


def starts(reader: PdfReader) -> dict[str, int]:
    """Each bookmark's title and the page (from 1) it points to."""
    return {item.title: reader.get_destination_page_number(item) + 1 for item in reader.outline}


def contents_numbers(reader: PdfReader) -> dict[str, int]:
    """What the contents page (page 2) says: each entry's text and page number."""
    text = reader.pages[1].extract_text()
    return {m[1].strip(): int(m[2]) for m in re.finditer(r"^(.+?)\.{3,}\s*(\d+)$", text, re.MULTILINE)}


def test_the_packets_of_the_brief_exist(catalog):
    packets = {p.id: p for p in catalog.packets}
    assert packets["getting-started"].worksheets == ["what-i-want", "four-steps", "smart-goals"]
    assert packets["worry-and-anxiety"].worksheets == ["worry-tree", "progress-and-wins"]
    assert sorted(packets["complete-set"].worksheets) == sorted(w.id for w in catalog.worksheets)


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_cover_contents_bookmarks_and_page_count(catalog, paper):
    packet = next(p for p in catalog.packets if p.id == "getting-started")
    reader = packet_pdf(packet.id, paper)
    titles = [catalog.get(i).title for i in packet.worksheets]
    cover = reader.pages[0].extract_text()
    assert packet.title in cover
    for title in titles:
        assert title in cover
    marks = starts(reader)
    assert list(marks) == titles, "one bookmark per sheet, in order"
    assert contents_numbers(reader) == marks, "the contents page gives the real page numbers"
    expected = 2 + sum(sheet_pages(i, paper) for i in packet.worksheets)
    assert len(reader.pages) == expected
    pages = list(marks.values())
    assert pages[0] == 3
    for (worksheet_id, start), following in zip(zip(packet.worksheets, pages, strict=True), pages[1:], strict=False):
        assert following == start + sheet_pages(worksheet_id, paper), "each sheet starts on a new page"
    for number, page in enumerate(reader.pages[2:], start=3):
        assert f"Page {number} of {len(reader.pages)}" in page.extract_text()


def test_complete_set_with_guides(catalog):
    reader = packet_pdf("complete-set")
    marks = starts(reader)
    assert list(marks) == [w.title for w in catalog.worksheets]
    listed = contents_numbers(reader)
    for title, page in marks.items():
        assert listed[title] == page
        assert title in reader.pages[page - 1].extract_text()
    guides = [n for n, page in enumerate(reader.pages, 1) if "For therapists: " in page.extract_text()]
    assert len(guides) == len(catalog.worksheets)
    assert [v for k, v in listed.items() if k == "For therapists"] or len(listed) >= len(marks)


def test_duplex_starts_every_sheet_on_a_right_hand_page():
    reader = packet_pdf("worry-and-anxiety", "a4", duplex=True)
    marks = starts(reader)
    assert all(page % 2 == 1 for page in marks.values()), marks
    assert len(reader.pages) == 5, "cover, contents, worry tree, a blank back, progress sheet"
    assert reader.pages[3].extract_text().strip() == ""


def test_qr_codes_only_with_a_base_url(scratch):
    catalog = load_catalog(scratch)
    env = environment(scratch)
    packet = catalog.packets[0]
    assert "qr-code" not in render_packet(env, catalog, packet, paper="letter")
    site = scratch.content / "site.yaml"
    site.write_text(site.read_text() + "base_url: https://example.org/kit/\n")
    catalog = load_catalog(scratch)
    html = render_packet(env, catalog, packet, paper="letter")
    assert html.count('class="qr-code"') == len(packet.worksheets)
    reader = PdfReader(BytesIO(render_pdf(html, scratch).data))
    assert "Online" in " ".join(page.extract_text() for page in reader.pages)


def test_unknown_worksheet_in_a_packet_is_a_clear_error(scratch):
    path = scratch.content / "packets" / "broken.yaml"
    path.write_text("title: Broken\nsummary: Has a typo.\nworksheets:\n  - grow\n  - smart-goal\n  - grow\n")
    with pytest.raises(InputError) as caught:
        load_catalog(scratch)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:5:5: no worksheet 'smart-goal'; did you mean 'smart-goals'?",
        f"{path}:6:5: 'grow' is already in this packet",
    ]
    code, _, err = run("check", project=scratch.root)
    assert code == 2 and "did you mean 'smart-goals'?" in err


def test_packet_command(tmp_path):
    target = tmp_path / "start.pdf"
    code, out, _ = run("packet", "getting-started", "--paper", "a4", "-o", str(target))
    assert code == 0 and out.startswith(f"Wrote {target} (")
    assert round(float(PdfReader(target).pages[0].mediabox[3])) == 842
    custom = tmp_path / "custom.pdf"
    code, out, _ = run("packet", "--worksheets", "worry-tree,grow", "--title", "Tuesday group", "-o", str(custom))
    assert code == 0
    reader = PdfReader(custom)
    assert "Tuesday group" in reader.pages[0].extract_text()
    assert [item.title for item in reader.outline] == ["The worry tree", "GROW: Goal, Reality, Options, Way forward"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["getting-startd"], "no packet 'getting-startd'; did you mean 'getting-started'?"),
        (["--worksheets", "grow,worry-tre"], "no worksheet 'worry-tre'; did you mean 'worry-tree'?"),
        ([], "give a packet NAME or --worksheets a,b,c"),
        (["complete-set", "--worksheets", "grow"], "give a packet NAME or --worksheets a,b,c"),
    ],
)
def test_packet_command_usage_errors(args, message, tmp_path):
    code, _, err = run("packet", *args, "-o", str(tmp_path / "x.pdf"))
    assert code == 2 and message in err
    assert not (tmp_path / "x.pdf").exists()


def test_site_lists_packets_with_pages_and_sizes(built_site, catalog):
    page = (built_site / "packets.html").read_text()
    for packet in catalog.packets:
        assert f'id="{packet.id}"' in page
        for paper in ("letter", "a4"):
            pdf = built_site / "pdf" / f"packet-{packet.id}-{paper}.pdf"
            pages = len(PdfReader(pdf).pages)
            size = f"{pdf.stat().st_size / 1024:.0f} KB"
            assert f'href="pdf/{pdf.name}" download>' in page
            assert f"{pages} pages, {size}" in page
    grow = (built_site / "worksheets" / "grow.html").read_text()
    assert 'href="../packets.html#goal-frameworks"' in grow and 'href="../packets.html#complete-set"' in grow
    assert 'href="../packets.html#worry-and-anxiety"' not in grow


def test_a_packet_can_carry_the_worked_examples(tmp_path):
    target = tmp_path / "examples.pdf"
    project = Project.at(ROOT)
    catalog = load_catalog(project)
    from worksheets.content.models import Packet

    sheets = ["grow", "progress-and-wins"]
    packet = Packet(id="examples", title="Examples", summary="Two.", worksheets=sheets, include_examples=True)
    html = render_packet(environment(project), catalog, packet, paper="a4")
    target.write_bytes(render_pdf(html, project).data)
    reader = PdfReader(target)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert catalog.get("grow").example.client in text and "My progress so far" in text
    listed = contents_numbers(reader)
    assert "Worked example" in " ".join(listed)
