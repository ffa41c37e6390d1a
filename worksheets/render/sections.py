"""A packet rendered in sections and joined, so that a changed sheet re-renders only its section.

A packet in one WeasyPrint document costs what all its pages cost, every time one of its sheets
changes. In sections it is:

1. one document per sheet (the sheet, its guide and its example), without page numbers: it
   depends only on its own content, so the site can keep it and render it again only when that
   sheet changes;
2. once every section is rendered and its pages counted, the front (the cover and the contents,
   whose page numbers are now known) and a "numbers" document of as many pages as the packet,
   each page carrying only its "Page x of y" footer, laid out by the same page rules;
3. the join (``render.join``): the front and the sections in order, one structure tree, the
   bookmarks and the contents' links, and each numbers page drawn over its page.

Everything else in the margins (the packet's title, the sheet's, the site's, the licence) is known
to a section and stays in it. The result looks exactly like the packet rendered whole (the tests
compare every page's pixels). The front is first laid out as a cover and one page of contents;
a contents page that runs longer moves every number, so the front and numbers are rendered again
with the count it has.

The ``packet`` command renders a packet whole (``render_packet`` without ``part``), which is also
the only way to make a duplex one: blank backs depend on where each sheet starts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

from jinja2 import Environment

from ..errors import RenderError
from ..formats import Paper
from .html import render_packet
from .join import join_pdfs
from .pdf import RenderedPdf
from .pool import Document

if TYPE_CHECKING:
    from ..content import Catalog, Packet

FRONT_PAGES = 2
"""The front's pages as first laid out: the cover and one page of contents."""
FRONT_ATTEMPTS = 3
"""How many times the front is laid out before a contents that keeps changing length is an error."""

Renderer = Callable[[list[Document]], list[RenderedPdf]]
"""Renders documents, in order (``render_all`` with the build's workers, or the build's cache)."""


@dataclass(frozen=True)
class SectionedPacket:
    """One packet in one paper size, to be rendered in sections."""

    env: Environment
    catalog: Catalog
    packet: Packet
    paper: Paper

    def _html(self, **part: object) -> str:
        return render_packet(self.env, self.catalog, self.packet, paper=self.paper, **part)

    def sections(self) -> list[Document]:
        """One document per sheet, in the packet's order."""
        return [Document(self._html(part=ws), title=f"{self.packet.id}: {ws}") for ws in self.packet.worksheets]

    def finishing(self, sections: Sequence[RenderedPdf], front_pages: int) -> list[Document]:
        """The front and the numbers, for these rendered sections after ``front_pages`` pages."""
        numbers, first = {}, front_pages + 1
        for section in sections:
            numbers.update({anchor: first + page for anchor, page in _anchors(section.data).items()})
            first += section.pages
        front = Document(self._html(part="front", numbers=numbers), title=f"{self.packet.id}: contents")
        stamps = Document(self._html(part="numbers", pages=first - 1), title=f"{self.packet.id}: page numbers")
        return [front, stamps]

    def identifier(self) -> bytes:
        """The joined PDF's /ID: made from the whole packet's HTML, as ``render_pdf`` makes it."""
        return hashlib.sha256(self._html().encode()).hexdigest()[:32].encode()


def _anchors(pdf: bytes) -> dict[str, int]:
    """Each named destination of a section (the targets of the contents' links) and its page,
    counted from 0."""
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(pdf))
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages)}
    root = reader.trailer["/Root"]
    if "/Names" not in root or "/Dests" not in root["/Names"]:
        return {}
    flat = root["/Names"]["/Dests"].get_object()["/Names"]
    return {str(flat[at]): pages[flat[at + 1][0].idnum] for at in range(0, len(flat), 2)}


def render_sectioned(
    packets: Sequence[SectionedPacket], render: Renderer, first: Sequence[Document] = ()
) -> tuple[list[RenderedPdf], list[RenderedPdf]]:
    """Render ``packets`` in sections with ``render``, and return the ``first`` documents'
    PDFs (rendered in the first round with the sections, so that every worker is busy) and each
    packet's joined PDF."""
    sections = [packet.sections() for packet in packets]
    flat = render([*first, *(document for part in sections for document in part)])
    done, at = flat[: len(first)], len(first)
    rendered = []
    for part in sections:
        rendered.append(flat[at : at + len(part)])
        at += len(part)
    front_pages = [FRONT_PAGES] * len(packets)
    finished: dict[int, list[RenderedPdf]] = {}
    for _ in range(FRONT_ATTEMPTS):
        waiting = [i for i in range(len(packets)) if i not in finished]
        if not waiting:
            break
        documents = [packets[i].finishing(rendered[i], front_pages[i]) for i in waiting]
        results = render([document for pair in documents for document in pair])
        for n, i in enumerate(waiting):
            front, numbers = results[2 * n], results[2 * n + 1]
            if front.pages == front_pages[i]:
                finished[i] = [front, numbers]
            front_pages[i] = front.pages
    if len(finished) < len(packets):
        late = ", ".join(packets[i].packet.id for i in range(len(packets)) if i not in finished)
        raise RenderError(f"{late}: the contents' length kept changing with its page numbers")
    joined = []
    for i, packet in enumerate(packets):
        front, numbers = finished[i]
        data = join_pdfs([front.data, *(s.data for s in rendered[i])], packet.identifier(), numbers.data)
        joined.append(RenderedPdf(data, numbers.pages))
    return done, joined
