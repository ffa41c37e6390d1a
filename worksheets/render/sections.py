"""A packet rendered in parts and joined, so that a changed sheet re-renders only its own part.

A packet in one WeasyPrint document costs what all its pages cost, every time one of its sheets
changes. Here it is made of parts: the front (the cover and the contents) and one part per sheet
(the sheet, its guide and its example), each numbered as in the whole packet, joined by
``render.join``:

1. with nothing kept, the packet is laid out whole once and written in parts
   (``render_parts``): what the parts are, page numbers and contents included, is what the
   whole packet is. Each part is kept (``Store``) under the key of the HTML that renders that
   part alone, numbered from its first page with the packet's total, and the layout (``Layout``:
   each part's page count, the page of each contents entry) under the packet's name;
2. with a layout kept, each part's HTML follows from it; the parts found are taken, and a sheet
   not found (it changed) is rendered alone, numbered where the layout says it starts. A sheet's
   part rendered alone has the bytes of the same part written from the whole layout (the tests
   compare them), so the join is the same whatever was kept. If the sheet now has another number
   of pages, or a contents entry moved to another page, or the front is not kept (a title
   changed, say), the packet is laid out whole again, as in 1.

The parts of many packets are driven together (``render_sectioned``) by workers that take work as
it comes (``pool.Workers``): each packet's join runs in a worker as soon as its parts are done,
while the other packets and the sheets are still being rendered. With a Dask cluster the sheets
go to it in one batch, and every packet's work (its layout, its missing parts, its join) is done
by local processes: a packet's parts are few and found one packet at a time, and a cluster
session each (the project's files sent, the workers' versions checked) would cost more than it
saves.

The ``packet`` command renders a packet whole (``render_packet`` without ``part``), which is also
the only way to make a duplex one: blank backs depend on where each sheet starts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from functools import cached_property
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from jinja2 import Environment

from ..errors import InputError, Problem, RenderError
from ..formats import Paper
from .html import render_packet
from .join import join_pdfs
from .pdf import RenderedPdf, render_parts
from .pool import Document

if TYPE_CHECKING:
    from ..content import Catalog, Packet
    from ..project import Project

T = TypeVar("T")


@dataclass(frozen=True)
class Layout:
    """Where a packet's parts fell when it was last laid out whole: each part's page count (the
    front first) and the page (from 1) of each anchor the contents link to."""

    pages: tuple[int, ...]
    numbers: dict[str, int]

    @property
    def firsts(self) -> list[int]:
        """Each part's first page, from 1."""
        return [1 + sum(self.pages[:at]) for at in range(len(self.pages))]

    @property
    def total(self) -> int:
        return sum(self.pages)

    def as_record(self) -> dict[str, Any]:
        return {"pages": list(self.pages), "numbers": self.numbers}

    @classmethod
    def from_record(cls, record: dict[str, Any] | None) -> Layout | None:
        """The layout a store kept, or None if it is not of the shape ``as_record`` makes."""
        try:
            pages = tuple(int(count) for count in record["pages"])  # type: ignore[index]
            numbers = {str(name): int(page) for name, page in record["numbers"].items()}  # type: ignore[index]
        except (TypeError, KeyError, AttributeError, ValueError, OverflowError):  # Overflow: Infinity
            return None
        if any(count < 1 for count in pages):
            return None
        return cls(pages, numbers)

    @classmethod
    def of(cls, parts: Sequence[RenderedPdf]) -> Layout:
        """The layout of parts written from the whole packet (the front's first)."""
        pages = tuple(part.pages for part in parts)
        targets = _link_targets(parts[0].data)
        numbers: dict[str, int] = {}
        first = 1
        for part in parts:  # a later part's anchor wins over the front's stand-in of that name
            numbers.update({name: first + page for name, page in _anchors(part.data).items() if name in targets})
            first += part.pages
        return cls(pages, numbers)


@dataclass(frozen=True)
class SectionedPacket:
    """One packet in one paper size, to be rendered in parts."""

    env: Environment
    catalog: Catalog
    packet: Packet
    paper: Paper

    def _html(self, **part: object) -> str:
        return render_packet(self.env, self.catalog, self.packet, paper=self.paper, **part)

    @property
    def name(self) -> str:
        """What the packet's layout is kept under: the same packet in the same language and paper."""
        return f"{self.catalog.site.language}/{self.packet.id}/{self.paper}"

    @cached_property
    def whole(self) -> str:
        """The whole packet's HTML, made once: the site's plan, the layout and the /ID use it."""
        return self._html()

    def starts(self) -> list[str]:
        """The anchor on each sheet's first page, where its part starts."""
        return [f"{ws}-sheet-title" for ws in self.packet.worksheets]

    def parts(self, layout: Layout) -> list[Document]:
        """The documents that render each part alone, numbered as ``layout`` says (the front's is
        only a key: the front is always written from the whole packet)."""
        firsts, total = layout.firsts, layout.total
        front = self._html(part="front", numbers=layout.numbers, first=1, total=total)
        return [
            Document(front, title=f"{self.packet.id}: contents"),
            *(
                Document(self._html(part=ws, first=first, total=total), title=f"{self.packet.id}: {ws}")
                for ws, first in zip(self.packet.worksheets, firsts[1:], strict=True)
            ),
        ]

    def fits(self, layout: Layout, at: int, part: RenderedPdf) -> bool:
        """Whether the part ``at`` (the front is 0) has the pages ``layout`` gave it and, for a
        sheet's, the contents' anchors on the same pages: then the rest of the packet is
        unchanged. The front's page numbers and total are in its HTML, so in its key; its anchors
        are the stand-ins of every sheet's, at its top (``render_parts``)."""
        first = layout.firsts[at]
        if part.pages != layout.pages[at]:
            return False
        if at == 0:
            return True
        mine = {name: page for name, page in layout.numbers.items() if first <= page < first + part.pages}
        found = {name: first + page for name, page in _anchors(part.data).items() if name in layout.numbers}
        return found == mine

    def identifier(self) -> bytes:
        """The joined PDF's /ID: made from the whole packet's HTML, as ``render_pdf`` makes it."""
        return hashlib.sha256(self.whole.encode()).hexdigest()[:32].encode()


SECTION_VARIABLES = ("part", "numbers", "first", "total")
"""What ``packet.html`` is given to render one part: which, the contents' numbers, its first page
and the total."""


def check_packet_template(env: Environment) -> None:
    """Refuse a project's ``packet.html`` that cannot render a packet in sections.

    Projects keep their own templates, and one written before packets were rendered in sections
    ignores ``part``: every part would be the whole packet, and the join would fail with page
    counts that do not add up. Said here instead, naming the template and what it lacks.
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
                    f"this packet template does not use {names}: the site renders each packet in parts "
                    "(the cover and contents, then one per sheet, numbered as in the packet), chosen by 'part'; "
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


def _link_targets(pdf: bytes) -> set[str]:
    """The named destinations the links of a PDF go to (the front's: the contents' entries)."""
    import pikepdf

    with pikepdf.open(BytesIO(pdf)) as document:
        return {
            str(annotation.Dest)
            for page in document.pages
            for annotation in page.obj.get("/Annots", [])
            if isinstance(annotation.get("/Dest"), pikepdf.String)
        }


class Renderer(Protocol):
    """What renders the parts: ``pool.Workers``."""

    project: Project

    def render(self, documents: Sequence[Document], *, local: bool = False) -> list[Future[RenderedPdf]]: ...

    def run(self, call: Callable[..., T], *args: Any, heavy: bool = False) -> Future[T]: ...


class Store(Protocol):
    """Where parts and layouts are kept between builds: the site's section cache."""

    def get(self, document: Document) -> RenderedPdf | None: ...

    def keep(self, document: Document, pdf: RenderedPdf) -> None: ...

    def layout(self, name: str) -> dict[str, Any] | None: ...

    def keep_layout(self, name: str, record: dict[str, Any]) -> None: ...


class Nothing:
    """A store that keeps nothing: every packet is laid out whole."""

    def get(self, document: Document) -> RenderedPdf | None:
        return None

    def keep(self, document: Document, pdf: RenderedPdf) -> None:
        pass

    def layout(self, name: str) -> dict[str, Any] | None:
        return None

    def keep_layout(self, name: str, record: dict[str, Any]) -> None:
        pass


@dataclass
class _Packet:
    """Where one packet is: its parts (kept or rendered alone, as its kept layout says) or its
    whole layout written in parts, then its join."""

    packet: SectionedPacket
    layout: Layout | None = None
    documents: list[Document] = field(default_factory=list)
    parts: list[Future[RenderedPdf]] = field(default_factory=list)
    rendered: list[int] = field(default_factory=list)  # the parts rendered alone, to be checked
    laid_out: Future[list[RenderedPdf]] | None = None
    joined: Future[RenderedPdf] | None = None

    def start(self, workers: Renderer, store: Store) -> list[Future[Any]]:
        """Take the kept parts, and render the missing sheets alone; or, without a kept layout
        or front, lay the packet out whole. Returns what to wait for."""
        layout = Layout.from_record(store.layout(self.packet.name))
        if layout is not None and len(layout.pages) == 1 + len(self.packet.packet.worksheets):
            try:
                documents = self.packet.parts(layout)
            except RenderError:  # a layout of another packet of that name: its anchors differ
                return [self.lay_out(workers)]
            kept = [store.get(document) for document in documents]
            if kept[0] is not None:
                self.layout, self.documents = layout, documents
                self.rendered = [at for at, pdf in enumerate(kept) if pdf is None]
                made = iter(workers.render([documents[at] for at in self.rendered], local=True))
                self.parts = [_done(pdf) if pdf is not None else next(made) for pdf in kept]
                return [self.parts[at] for at in self.rendered]
        return [self.lay_out(workers)]

    def lay_out(self, workers: Renderer) -> Future[list[RenderedPdf]]:
        """Lay the packet out whole, dropping whatever parts and join it had."""
        html, title = self.packet.whole, self.packet.packet.id
        self.parts, self.rendered, self.joined = [], [], None
        self.laid_out = workers.run(_lay_out, html, workers.project, self.packet.starts(), title, heavy=True)
        return self.laid_out

    def take_whole(self, parts: list[RenderedPdf], store: Store) -> None:
        """The parts written from the whole layout, and the layout they make (kept)."""
        self.layout, self.laid_out = Layout.of(parts), None
        self.documents = self.packet.parts(self.layout)
        self.parts = [_done(part) for part in parts]
        self.rendered = list(range(len(parts)))
        store.keep_layout(self.packet.name, self.layout.as_record())

    def fit(self) -> bool:
        """Whether every part fits the kept layout: those rendered alone this build, and those
        kept, which a layout kept later may no longer describe (a change, a build, the change
        undone: the sheet's old part is kept, under the same first page and total, beside a front
        numbered for the change)."""
        assert self.layout is not None, "parts taken or rendered alone come with their layout"
        try:
            return all(self.packet.fits(self.layout, at, part.result()) for at, part in enumerate(self.parts))
        except Exception:  # a kept part that opens but is not what a build writes, whatever it holds
            return False

    def took_kept(self) -> bool:
        """Whether some of the parts were taken from the store rather than rendered now."""
        return len(self.rendered) < len(self.parts)

    def ready(self, workers: Renderer, store: Store) -> Future[Any] | None:
        """The join, when every part is here and fits; the packet laid out whole, when a sheet
        rendered alone does not fit its layout; None while parts are still being made."""
        if self.joined is not None:
            return None
        if self.laid_out is not None:
            if not self.laid_out.done():
                return None
            self.take_whole(self.laid_out.result(), store)
        elif not self.parts or not all(future.done() for future in self.parts):
            return None
        elif not self.fit():
            return self.lay_out(workers)
        for at in self.rendered:
            store.keep(self.documents[at], self.parts[at].result())
        parts = [future.result() for future in self.parts]
        pages = sum(part.pages for part in parts)
        self.joined = workers.run(_join, [part.data for part in parts], self.packet.identifier(), pages)
        return self.joined


def _done(value: T) -> Future[T]:
    future: Future[T] = Future()
    future.set_result(value)
    return future


def _lay_out(html: str, project: Project, starts: list[str], title: str) -> list[RenderedPdf]:
    """A packet laid out whole and written in parts (run in a worker)."""
    return render_parts(html, project, starts, title=title)


def _join(parts: list[bytes], identifier: bytes, pages: int) -> RenderedPdf:
    """A packet joined from ``parts`` (run in a worker)."""
    return RenderedPdf(join_pdfs(parts, identifier), pages)


def render_sectioned(
    packets: Sequence[SectionedPacket],
    workers: Renderer,
    first: Sequence[Document] = (),
    done: Callable[[int], None] | None = None,
    store: Store | None = None,
) -> tuple[list[RenderedPdf], list[RenderedPdf]]:
    """Render ``packets`` in parts with ``workers``, those kept in ``store`` taken from it, and
    return the ``first`` documents' PDFs (given to the workers with the parts, so that every
    worker is busy) and each packet's joined PDF. ``done(i)`` is called as the ``first``
    document ``i`` is finished, and ``done(len(first) + j)`` as packet ``j`` is joined.

    Each packet goes on as soon as its own parts are done: its join is queued, or, when a part
    does not fit the packet's kept layout, the packet is laid out whole; so is a packet whose join
    of kept parts fails (a kept file that opens but is not what a build writes). A failure with
    nothing kept is the build's."""
    store = store or Nothing()
    flat = workers.render(first)
    told = {future: i for i, future in enumerate(flat)}
    states = [_Packet(packet) for packet in packets]
    pending: set[Future[Any]] = set(flat)
    for state in states:
        pending.update(state.start(workers, store))
    for state in states:  # every part was kept: joined now
        if (step := state.ready(workers, store)) is not None:
            pending.add(step)
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            spoilt = next((state for state in states if state.joined is future and state.took_kept()), None)
            if spoilt is not None and future.exception() is not None:
                pending.add(spoilt.lay_out(workers))  # a kept part the join could not read
                continue
            future.result()  # a failure stops the build now, not after everything else
            if future in told and done:
                done(told[future])
        for j, state in enumerate(states):
            if state.joined in finished and done:
                done(len(first) + j)
            elif (step := state.ready(workers, store)) is not None:
                pending.add(step)
    joined = []
    for state in states:
        assert state.joined is not None, "every packet is joined when nothing is pending"
        joined.append(state.joined.result())
    return [future.result() for future in flat], joined
