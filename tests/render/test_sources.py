"""A therapist guide's Sources: on the worksheet's page and in packets that print guides, after
the guide's four parts, with the citations of ``references.yaml``; absent where a guide lists none.

Pages are rendered by the site's own function and read as HTML; packets are rendered by
WeasyPrint and read back from the PDF.
"""

from __future__ import annotations

import re
from functools import cache
from html import unescape
from io import BytesIO

from pypdf import PdfReader

from worksheets.content.loader import Catalog, load_catalog
from worksheets.content.models import Packet
from worksheets.content.translations import language_catalog
from worksheets.project import Project
from worksheets.render.html import environment, render_packet
from worksheets.render.pdf import render_pdf
from worksheets.site.pages import worksheet_page

from conftest import ROOT, folded, pdf_text

DORAN = "Doran, G. T. (1981). There's a S.M.A.R.T. way to write management's goals and objectives."


def guide_html(project: Project, catalog: Catalog, worksheet_id: str) -> str:
    """The therapist guide section of a worksheet's page on the site."""
    page = worksheet_page(environment(project), catalog, catalog.get(worksheet_id), [])
    found = re.search(r'<section class="guide".*?</section>', page, re.S)
    assert found, "the page has a therapist guide"
    return found.group(0)


def words(html: str) -> str:
    """The text of some HTML, tags dropped and white space folded."""
    return folded(unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_page_lists_the_sources_after_the_guide(project, catalog):
    guide = guide_html(project, catalog, "smart-goals")
    text = words(guide)
    assert text.index("What to watch for") < text.index("Sources") < text.index(DORAN)
    assert "<em>Management Review</em>" in guide, "the journal in italics"
    assert '<h3 class="sources-title">Sources</h3>' in guide, "a heading of the guide's level"


def test_two_sources_in_the_order_the_guide_gives(project, catalog):
    text = words(guide_html(project, catalog, "goal-attainment-scale"))
    assert text.index("Kiresuk, T. J., & Sherman, R. E. (1968)") < text.index("Turner-Stokes, L. (2009)")
    assert "doi:10.1177/0269215508101742" in text


def test_an_arabic_page_keeps_citations_as_published(project, catalog):
    """The heading is translated; the citation is printed as written, set left to right."""
    arabic, _ = language_catalog(project, catalog, "ar")
    guide = guide_html(project, arabic, "smart-goals")
    assert arabic.strings.sources in words(guide) and "Sources" not in words(guide)
    assert re.search(r'<li dir="ltr">\s*<p>Doran, G\. T\. \(1981\)', guide)


def test_a_guide_without_sources_has_no_sources_section(scratch, write_sheet, minimal):
    write_sheet("plain.yaml", minimal)
    catalog = load_catalog(scratch)
    guide = guide_html(scratch, catalog, "plain")
    assert "What to watch for" in words(guide)
    assert "Sources" not in words(guide) and "guide-sources" not in guide


@cache
def complete_set() -> tuple[Catalog, str]:
    """The complete set (every sheet with its guide) in US Letter, as text read from the PDF."""
    project = Project.at(ROOT)
    catalog = load_catalog(project)
    packet = next(p for p in catalog.packets if p.id == "complete-set")
    html = render_packet(environment(project), catalog, packet, paper="letter")
    return catalog, pdf_text(render_pdf(html, project).data)


def test_a_guide_packet_prints_each_guides_sources():
    catalog, text = complete_set()
    for ws in catalog.worksheets:
        guide = text.split(f"For therapists: {ws.title}", 1)[1]
        after = guide[guide.index("What to watch for") :]
        for key in ws.notes.sources:
            citation = words(catalog.references[key].replace("*", ""))
            before_next = after.split("For therapists: ", 1)[0]
            assert "Sources" in before_next and citation[:60] in before_next, f"{ws.id}: {key}"


def test_a_guide_packet_without_sources_prints_no_heading(scratch, write_sheet, minimal):
    write_sheet("plain.yaml", minimal)
    catalog = load_catalog(scratch)
    packet = Packet(id="plain-guides", title="Plain", summary="One sheet.", worksheets=["plain"], include_guide=True)
    data = render_pdf(render_packet(environment(scratch), catalog, packet, paper="a4"), scratch).data
    text = pdf_text(data)
    assert "For therapists: Test sheet" in text and "Failures." in text
    assert "Sources" not in text
    assert len(PdfReader(BytesIO(data)).pages) == 4, "cover, contents, sheet, guide"
