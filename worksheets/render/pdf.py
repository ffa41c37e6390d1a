"""The one place WeasyPrint is called: HTML in, PDF bytes out, with no network and no surprises.

- Resources: only ``data:`` URLs and files inside the project's ``templates/`` and ``content/``
  folders are served. Anything else (``http:``, ``file:///etc/passwd``, a path that climbs out with
  ``..``) stops the render with a RenderError naming the URL, rather than a warning that leaves a
  sheet without its font or picture.
- Reproducible: the same input gives the same bytes at any time and on any machine with the same
  package versions. The PDF identifier is derived from the HTML and no date is written; fonts come
  only from the project (``fonts.conf`` beside this module names no system font folder, so an
  installed font can neither change a sheet nor stand in for a missing glyph); and any font that
  fontTools rewrites on the way (a WOFF or variable font, a subset made without HarfBuzz) is
  stamped with a fixed date instead of the time of the build.
- Tagged for accessibility: every PDF is WeasyPrint's PDF/UA-1 variant, with a structure tree
  (headings, lists, tables, reading order), the document's language and title, alt text for
  diagrams from their SVG titles, and form fields in the structure's tab order.
- WeasyPrint is imported inside the function: it takes a good part of a second to import, and
  commands that render nothing should not pay for it.
"""

from __future__ import annotations

import copy
import gc
import hashlib
import mimetypes
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from ..errors import RenderError
from ..project import Project
from .styles import base_url, shared, split

TAGGED = "pdf/ua-1"
"""Every PDF is made as WeasyPrint's PDF/UA-1 variant: tagged, titled, with its language."""


@cache
def _fetcher_class() -> Any:
    """The fetcher class, defined once per process (it needs WeasyPrint, imported late)."""
    from weasyprint import URLFetcher
    from weasyprint.urls import URLFetcherResponse

    class ProjectFetcher(URLFetcher):
        """Serves ``data:`` URLs and files under the allowed folders; refuses everything else.

        A file's address must name a place under one of the ``roots`` (after ``..`` is taken
        out), and what it names, links followed, must be inside ``boundary`` (the project): a
        linked ``templates/`` is judged by where it leads, not passed because it was resolved.
        """

        def __init__(self, roots: list[Path], boundary: Path) -> None:
            super().__init__(allowed_protocols=("data", "file"), fail_on_errors=True)
            self.roots = roots
            self.boundary = boundary.resolve()
            self.refused: list[str] = []
            self.served: list[Path] = []  # what it read, to notice a change (styles.py)

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                named = Path(os.path.normpath(url2pathname(unquote(urlsplit(url).path))))
                path = named.resolve()
                inside = any(named.is_relative_to(root) for root in self.roots) and path.is_relative_to(self.boundary)
                if inside and path.is_file():
                    self.served.append(path)
                    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
            self.refused.append(url)
            raise ValueError(f"refused to fetch {url}: only files in templates/ and content/ are allowed")

    return ProjectFetcher


def fetcher(project: Project) -> Any:
    """A WeasyPrint URL fetcher limited to this project's templates and content."""
    return _fetcher_class()([project.templates, project.content], project.root)


def _finish(document: Any, pdf: Any) -> None:
    """Mend three things in WeasyPrint's output before it is written (see the functions below)."""
    _table_headers_scoped(pdf)
    if "AcroForm" in pdf.catalog:
        _radio_groups_fixed(pdf)
        _typed_text_shown_once(pdf)


def _table_headers_scoped(pdf: Any) -> None:
    """Say which cells each table header heads, for screen readers (PDF/UA clause 7.5).

    WeasyPrint tags header cells as /TH without a /Scope; a header in the table's head row heads
    its column, any other (our row names) heads its row.
    """
    objects = pdf.objects

    def parent(element: dict) -> dict:
        return objects[int(element["P"].split()[0])]

    for element in objects:
        if isinstance(element, dict) and element.get("S") == "/TH":
            row = parent(element)
            in_head = row.get("S") == "/TR" and parent(row).get("S") == "/THead"
            element.setdefault("A", {"O": "/Table"})["Scope"] = "/Column" if in_head else "/Row"


def _radio_groups_fixed(pdf: Any) -> None:
    """Make each radio group one form field, as PDF readers expect.

    WeasyPrint (70) gives every radio button its group's name (/T) and lists it among the form's
    top-level fields as well as among its group's kids, so readers see each button as a field of
    its own, named "scale.scale". A button belongs under its group only: its name and tooltip are
    the group's, and the form's field list holds the group.
    """
    fields = pdf.catalog["AcroForm"]["Fields"]
    kids = [o for o in pdf.objects if isinstance(o, dict) and o.get("FT") == "/Btn" and "Parent" in o]
    for kid in kids:
        kid.pop("T", None)
        kid.pop("TU", None)
    drop = {kid.reference for kid in kids}
    fields[:] = [ref for ref in fields if ref not in drop]


def _typed_text_shown_once(pdf: Any) -> None:
    """Show a text field's value once, in every PDF reader, as typed and after any change.

    WeasyPrint draws an input's value into the page itself (shaped and wrapped by Pango, so it
    prints as written, Arabic included) and gives its form field no appearance, with the form's
    /NeedAppearances set: a reader that honours it draws the value a second time over the first.
    So a field holding a value gets an empty appearance (the page shows the value) and a white
    background (/MK /BG, as the sheet draws its boxes): a reader that redraws the field when the
    value is changed paints over the old words. Blank fillable PDFs are left as WeasyPrint makes
    them.
    """
    import pydyf

    filled = [
        o
        for o in pdf.objects
        if isinstance(o, dict) and o.get("FT") == "/Tx" and str(getattr(o.get("V"), "string", "")) != ""
    ]
    for field in filled:
        x1, y1, x2, y2 = (float(n) for n in field["Rect"])
        empty = pydyf.Stream(
            extra={"Type": "/XObject", "Subtype": "/Form", "BBox": pydyf.Array((0, 0, abs(x2 - x1), abs(y2 - y1)))}
        )
        pdf.add_object(empty)
        field["AP"] = pydyf.Dictionary({"N": empty.reference})
        field["MK"] = pydyf.Dictionary({"BG": pydyf.Array((1, 1, 1))})
    if filled:
        pdf.catalog["AcroForm"]["NeedAppearances"] = "false"


FONTS_CONF = Path(__file__).with_name("fonts.conf")
FIXED_DATE = "0"
"""``SOURCE_DATE_EPOCH`` while rendering: fontTools writes this date into every font it saves
(otherwise the current time), following the reproducible-builds convention."""


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables for the duration of a render only: a browser or any other
    program started later by the same process must still see the computer's own fonts."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_rendering = 0
_saved_thresholds: tuple[int, ...] = ()
_collections_lock = threading.Lock()


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run Python's cycle collector less often while rendering. WeasyPrint makes millions of small
    objects for a document, and with the default threshold (700) the collector ran about 130 times
    for each take-home sheet, walking the young objects each time. Cycles left meanwhile are
    collected all the same, only later.

    The threshold belongs to the process, and documents may be rendered in several threads at once
    (a Dask worker's, the preview server's): it is raised by the first render to start and put back
    by the last to end, so that no render puts back a value another one set."""
    global _rendering, _saved_thresholds
    with _collections_lock:
        if _rendering == 0:
            _saved_thresholds = gc.get_threshold()
            gc.set_threshold(50_000, *_saved_thresholds[1:])
        _rendering += 1
    try:
        yield
    finally:
        with _collections_lock:
            _rendering -= 1
            if _rendering == 0:
                gc.set_threshold(*_saved_thresholds)


@dataclass(frozen=True)
class RenderedPdf:
    """A PDF and how many pages it has (for the site's listings)."""

    data: bytes
    pages: int


def render_pdf(html: str, project: Project, *, forms: bool = False, title: str = "") -> RenderedPdf:
    """Render ``html`` (whose relative URLs resolve against ``templates/``) to a PDF.

    ``forms`` turns the HTML's form controls into PDF form fields (the fillable mode).
    """
    with _weasyprint(project, title) as url_fetcher:
        document = _layout(html, project, url_fetcher, forms=forms)
        return RenderedPdf(_write(document, _identifier(html)), len(document.pages))


def render_parts(html: str, project: Project, starts: Sequence[str], *, title: str = "") -> list[RenderedPdf]:
    """``html`` laid out once and written in parts: the first from its first page, each next one
    from the page holding the anchor ``starts[i]``, each part's pages written as a document of
    their own (``Document.copy``), with the whole document's identifier.

    A part looks exactly as its pages do in the whole document, page numbers included, so the
    parts joined (``render.join``) are the whole document; a packet's sheet written this way has
    the bytes of its section rendered alone with its first page number and the total given.
    WeasyPrint drops a link whose anchor is not in the part written, so the first part's first
    page (a packet's front, whose contents link to every sheet) is given a stand-in anchor of each
    such name, at its top, which the join replaces by the real one from the part that has it. Only
    the first part's: the join takes a later part's destination over an earlier one's, so a
    stand-in in a later part would replace a real one. A later part's link out of itself is
    dropped, as it is when that part is rendered alone.
    """
    with _weasyprint(project, title) as url_fetcher:
        document = _layout(html, project, url_fetcher, forms=False)
        identifier = _identifier(html)
        parts = []
        for first, end in _part_bounds(document.pages, starts, title):
            pages = document.pages[first:end]
            if first == 0:
                pages = _with_stand_in_anchors(pages)
            parts.append(RenderedPdf(_write(document.copy(pages), identifier), end - first))
        return parts


def _part_bounds(pages: list[Any], starts: Sequence[str], title: str) -> list[tuple[int, int]]:
    """Each part's first page and the page after its last (counted from 0)."""
    firsts = [0]
    for anchor in starts:
        found = next((at for at, page in enumerate(pages) if anchor in page.anchors), None)
        if found is None or found < firsts[-1]:
            raise RenderError(f"{title or 'document'}: no page holds '{anchor}' after the part before it")
        firsts.append(found)
    return list(zip(firsts, [*firsts[1:], len(pages)], strict=True))


def _with_stand_in_anchors(pages: list[Any]) -> list[Any]:
    """``pages``, the first one (a copy) also carrying every anchor their links name that no page
    of them has, at the top left of the page."""
    present = {name for page in pages for name in page.anchors}
    missing = {target for page in pages for kind, target, *_ in page.links if kind == "internal"} - present
    if not missing:
        return pages
    first = copy.copy(pages[0])
    first.anchors = {**pages[0].anchors, **{name: (0, 0, 0, 0) for name in sorted(missing)}}
    return [first, *pages[1:]]


def _identifier(html: str) -> bytes:
    """A PDF's identifier, made from its HTML: the same HTML, the same bytes."""
    return hashlib.sha256(html.encode()).hexdigest()[:32].encode()


@contextmanager
def _weasyprint(project: Project, title: str) -> Iterator[Any]:
    """Where WeasyPrint runs: the fonts and date fixed, and a refused resource said as a
    RenderError naming the document (``title``) and what was refused; yields the URL fetcher."""
    from weasyprint.urls import FatalURLFetchingError

    from .pagerefs import install

    install()  # long tagged PDFs are written in time linear in their pages (see pagerefs.py)
    url_fetcher = fetcher(project)
    try:
        with _environment(FONTCONFIG_FILE=str(FONTS_CONF), SOURCE_DATE_EPOCH=FIXED_DATE), _fewer_collections():
            yield url_fetcher
    except FatalURLFetchingError:
        what = ", ".join(url_fetcher.refused) or "a resource"
        raise RenderError(f"{title or 'document'}: refused to fetch {what}") from None


def _layout(html: str, project: Project, url_fetcher: Any, *, forms: bool) -> Any:
    """WeasyPrint's document of ``html``, laid out: with the stylesheets and fonts that documents
    linking the same stylesheets share in this process where they may (``styles.py``), else with
    its own, read now. Made inside ``_weasyprint``, for ``render_pdf`` and ``render_parts`` alike:
    a font configuration reads ``FONTCONFIG_FILE`` when it is made."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    base = base_url(project)
    document = split(html)
    common = shared(project, document.links, url_fetcher) if document else None
    if document is None or common is None:
        own: dict[str, Any] = {"font_config": FontConfiguration()}
    else:
        html = document.html
        own = {"font_config": common.fonts, "stylesheets": common.stylesheets(document, base, url_fetcher)}
    source = HTML(string=html, base_url=base, url_fetcher=url_fetcher)
    return source.render(pdf_forms=forms, pdf_variant=TAGGED, **own)


def _write(document: Any, identifier: bytes) -> bytes:
    """A laid-out document's PDF (inside ``_weasyprint``)."""
    return document.write_pdf(pdf_identifier=identifier, pdf_variant=TAGGED, finisher=_finish)


def write_pdf(html: str, project: Project, *, forms: bool = False, title: str = "") -> bytes:
    """The bytes of ``render_pdf``, for callers that need nothing else."""
    return render_pdf(html, project, forms=forms, title=title).data
