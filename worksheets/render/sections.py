"""A packet rendered in sections and joined, so that a changed sheet re-renders only its section.

A packet in one WeasyPrint document costs what all its pages cost, every time one of its sheets
changes. In sections it is:

1. one document per sheet (the sheet, its guide and its example), without page numbers: it
   depends only on its own content, so the site can keep it and render it again only when that
   sheet changes;
2. once every section of the packet is rendered and its pages counted, the front (the cover and the contents,
   whose page numbers are now known) and a "numbers" document of as many pages as the packet,
   each page carrying only its "Page x of y" footer, laid out by the same page rules;
3. the join (``render.join``): the front and the sections in order, one structure tree, the
   bookmarks and the contents' links, and each numbers page drawn over its page.

Everything else in the margins (the packet's title, the sheet's, the site's, the licence) is known
to a section and stays in it. The result looks exactly like the packet rendered whole (the tests
compare every page's pixels). The front is first laid out as a cover and one page of contents;
a contents page that runs longer moves every number, so the front and numbers are rendered again
with the count it has.

The steps of many packets are driven together (``render_sectioned``) by workers that take work as
it comes (``pool.Workers``): each packet's front and numbers are queued as soon as its own
sections are done, and its join runs in a worker as soon as they are, while the other packets and
the sheets are still being rendered.

The ``packet`` command renders a packet whole (``render_packet`` without ``part``), which is also
the only way to make a duplex one: blank backs depend on where each sheet starts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from jinja2 import Environment

from ..errors import InputError, Problem, RenderError
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

T = TypeVar("T")


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


SECTION_VARIABLES = ("part", "numbers", "pages")
"""What ``packet.html`` is given to render one section, the front or the page numbers."""


def check_packet_template(env: Environment) -> None:
    """Refuse a project's ``packet.html`` that cannot render a packet in sections.

    Projects keep their own templates, and one written before packets were rendered in sections
    ignores ``part``: every section would be the whole packet, and the join would fail with
    page counts that do not add up. Said here instead, naming the template and what it lacks.
    """
    from jinja2 import meta

    source, filename, _ = env.loader.get_source(env, "packet.html") if env.loader else ("", None, None)
    used = meta.find_undeclared_variables(env.parse(source))
    missing = [name for name in SECTION_VARIABLES if name not in used]
    if missing:
        names = ", ".join(f"'{name}'" for name in missing)
        raise InputError(
            [
                Problem(
                    Path(filename or "packet.html"),
                    1,
                    1,
                    f"this packet template does not use {names}: the site renders each packet in sections "
                    "(one per sheet, the cover and contents, the page numbers), chosen by 'part'; "
                    "update it from the packet.html of this version of worksheets",
                )
            ]
        )


def _anchors(pdf: bytes) -> dict[str, int]:
    """Each named destination of a section (the targets of the contents' links) and its page,
    counted from 0. Read with pikepdf (qpdf): pypdf parses WeasyPrint's object streams in Python,
    which cost the main process about 0.15 s a section."""
    import pikepdf

    with pikepdf.open(BytesIO(pdf)) as document:
        root = document.Root
        if "/Names" not in root or "/Dests" not in root.Names:
            return {}
        pages = {page.objgen: number for number, page in enumerate(document.pages)}
        return {str(name): pages[dest[0].objgen] for name, dest in pikepdf.NameTree(root.Names.Dests).items()}


class Renderer(Protocol):
    """What renders the sections: ``pool.Workers``, or the build's cache in front of them."""

    def render(self, documents: Sequence[Document]) -> list[Future[RenderedPdf]]: ...

    def run(self, call: Callable[..., T], *args: Any) -> Future[T]: ...


@dataclass
class _Packet:
    """Where one packet is: its sections, then its front and numbers (laid out again while the
    contents' length changes), then its join."""

    packet: SectionedPacket
    sections: list[Future[RenderedPdf]]
    front_pages: int = FRONT_PAGES
    attempts: int = 0
    finishing: list[Future[RenderedPdf]] = field(default_factory=list)
    joined: Future[RenderedPdf] | None = None

    def ready_to_finish(self) -> bool:
        return not self.finishing and all(future.done() for future in self.sections)

    def finish(self) -> list[Document]:
        """The front and numbers to render (next), for the sections as rendered."""
        self.attempts += 1
        if self.attempts > FRONT_ATTEMPTS:
            raise RenderError(f"{self.packet.packet.id}: the contents' length kept changing with its page numbers")
        return self.packet.finishing([future.result() for future in self.sections], self.front_pages)

    def ready_to_join(self) -> bool:
        """Whether the front and numbers are rendered with the front's own page count: if not,
        they are to be rendered again (``finishing`` emptied) with the count the front had."""
        if self.joined is not None or not self.finishing or not all(f.done() for f in self.finishing):
            return False
        front = self.finishing[0].result()
        if front.pages == self.front_pages:
            return True
        self.front_pages, self.finishing = front.pages, []
        return False

    def join(self, workers: Renderer) -> Future[RenderedPdf]:
        front, numbers = (future.result() for future in self.finishing)
        parts = [front.data, *(future.result().data for future in self.sections)]
        return workers.run(_join, parts, self.packet.identifier(), numbers)


def _join(parts: list[bytes], identifier: bytes, numbers: RenderedPdf) -> RenderedPdf:
    """A packet joined from ``parts``, numbered by ``numbers`` (run in a worker)."""
    return RenderedPdf(join_pdfs(parts, identifier, numbers.data), numbers.pages)


def render_sectioned(
    packets: Sequence[SectionedPacket],
    workers: Renderer,
    first: Sequence[Document] = (),
    done: Callable[[int], None] | None = None,
) -> tuple[list[RenderedPdf], list[RenderedPdf]]:
    """Render ``packets`` in sections with ``workers``, and return the ``first`` documents' PDFs
    (given to the workers with the sections, so that every worker is busy) and each packet's
    joined PDF. ``done(i)`` is called as the ``first`` document ``i`` is finished, and
    ``done(len(first) + j)`` as packet ``j`` is joined.

    Each packet goes on as soon as its own sections are rendered: its front and numbers are
    queued, then its join, while the workers still render the rest."""
    sections = [packet.sections() for packet in packets]
    flat = workers.render([*first, *(document for part in sections for document in part)])
    states, at = [], len(first)
    for packet, part in zip(packets, sections, strict=True):
        states.append(_Packet(packet, flat[at : at + len(part)]))
        at += len(part)
    told = {future: i for i, future in enumerate(flat[: len(first)])}
    pending: set[Future[Any]] = set(flat)
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            future.result()  # a failure stops the build now, not after everything else
            if future in told and done:
                done(told[future])
        for j, state in enumerate(states):
            if state.joined in finished and done:
                done(len(first) + j)
            elif state.ready_to_join():
                state.joined = state.join(workers)
                pending.add(state.joined)
        starting = [state for state in states if state.joined is None and state.ready_to_finish()]
        documents = [document for state in starting for document in state.finish()]
        rendered = iter(workers.render(documents))
        for state in starting:
            state.finishing = [next(rendered), next(rendered)]
            pending.update(state.finishing)
    joined = []
    for state in states:
        assert state.joined is not None, "every packet is joined when nothing is pending"
        joined.append(state.joined.result())
    return [future.result() for future in flat[: len(first)]], joined
