"""Join tagged PDFs made by ``render.pdf`` into one, as if WeasyPrint had rendered them as one.

A packet is rendered in sections (``render.sections``), each a WeasyPrint document of its own,
so that a changed sheet re-renders its section only. The sections are joined here with pikepdf,
keeping what a packet promises: its pages in order, one structure tree (the tags of every section
under one Document element, each page's and each link's place in the parent tree renumbered),
the bookmarks, the named destinations that the contents page's links go to, and the first
section's language, title, XMP metadata (with its PDF/UA identification) and viewer preferences.

qpdf (under pikepdf) copies a section's objects without parsing them in Python, and copies each
object of a section once: every reference to a page of a section, from its structure elements,
its links, its destinations or its bookmarks, names that page's copy in the joined PDF. A join of
the complete set costs about 0.2 s of CPU (docs/performance.md), where pypdf took about 1 s.
Only what is reachable from the joined PDF's catalog is written, so the sections' own structure
roots, name trees and outlines, and the font subsets that ``merge_subsets`` replaces, are left out.

What is not carried over is refused rather than dropped: a section with form fields, or with a
structure tree of another shape than WeasyPrint writes, stops the join with an error.
"""

from __future__ import annotations

import copy
import warnings
from contextlib import ExitStack
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from ..errors import RenderError
from .subsets import merge_subsets

CATALOG_KEYS = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata")
"""What the joined PDF's catalog takes from the first section, besides what is built here."""


@dataclass
class _Joined:
    """What the join gathers from the sections, in order, before the joined catalog is built."""

    pdf: Any
    document: Any
    page_entries: list[tuple[int, Any]] = field(default_factory=list)
    links: list[tuple[Any, Any]] = field(default_factory=list)  # (annotation, its parent-tree value)
    names: dict[str, Any] = field(default_factory=dict)
    marks: list[Any] = field(default_factory=list)  # the sections' top-level bookmarks
    open_marks: int = 0


def join_pdfs(parts: list[bytes], identifier: bytes) -> bytes:
    """The PDFs ``parts`` as one PDF, in order, with ``identifier`` as its /ID. The same parts
    always give the same bytes."""
    import pikepdf

    with ExitStack() as opened:  # qpdf reads a copied stream's data from its section when saving
        sources = [opened.enter_context(pikepdf.open(BytesIO(part))) for part in parts]
        pdf = opened.enter_context(pikepdf.new())
        document = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document, K=pikepdf.Array())
        )
        joined = _Joined(pdf, document)
        for source in sources:
            _take(joined, source)
        total = len(pdf.pages)
        merge_subsets(pdf)
        _catalog(joined, sources[0], total)
        pdf.trailer.ID = pikepdf.Array([pikepdf.String(identifier), pikepdf.String(identifier)])
        out = BytesIO()
        # The small objects (the structure tree's thousands of elements) packed into compressed
        # object streams, as WeasyPrint writes them; the /ID's second string made from the content.
        pdf.save(
            out,
            min_version=sources[0].pdf_version,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            compress_streams=True,
            deterministic_id=True,
        )
        return out.getvalue()


def _take(joined: _Joined, source: Any) -> None:
    """Append the pages of the section ``source`` to the joined PDF, and gather its structure
    elements, parent-tree entries, links, named destinations and bookmarks, which refer to the
    copies of its pages."""
    import pikepdf

    if "/AcroForm" in source.Root:
        raise RenderError("a section with form fields cannot be joined")
    pdf = joined.pdf
    offset = len(pdf.pages)
    with warnings.catch_warnings():  # the named destinations are carried over by _destinations
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        pdf.pages.extend(source.pages)
    _structure(joined, pdf.copy_foreign(source.Root.StructTreeRoot), offset)
    _destinations(joined, source)
    _bookmarks(joined, source)


def _structure(joined: _Joined, tree: Any, offset: int) -> None:
    """Put the elements of a section's structure tree (``tree``, copied) under the joined
    Document element, and its parent-tree entries with the joined page numbers (its pages are
    the joined PDF's from ``offset``); its links' entries are numbered once all pages are in."""
    import pikepdf

    section_document = tree.K[0] if isinstance(tree.K, pikepdf.Array) else tree.K
    kids = section_document.K if isinstance(section_document.K, pikepdf.Array) else [section_document.K]
    for kid in kids:
        kid.P = joined.document
        joined.document.K.append(kid)
    entries = _parent_tree(tree)
    pages = joined.pdf.pages[offset:]
    for key, value in entries.items():
        if key < len(pages):
            joined.page_entries.append((offset + key, value))
    for page in pages:
        if "/StructParents" in page.obj:
            page.obj.StructParents = offset + int(page.obj.StructParents)
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                joined.links.append((annotation, entries[int(annotation.StructParent)]))


def _destinations(joined: _Joined, source: Any) -> None:
    """A section's named destinations (the contents' link targets), copied onto its pages' copies."""
    import pikepdf

    if "/Names" in source.Root and "/Dests" in source.Root.Names:
        tree = _copy(joined.pdf, source, source.Root.Names.Dests, indirect=True)
        for name, destination in pikepdf.NameTree(tree).items():
            joined.names[str(name)] = destination


def _bookmarks(joined: _Joined, source: Any) -> None:
    """A section's top-level bookmarks (with their children), copied onto its pages' copies."""
    if "/Outlines" not in source.Root or "/First" not in source.Root.Outlines:
        return
    outlines = joined.pdf.copy_foreign(source.Root.Outlines)
    item = outlines.First
    while item is not None:
        joined.marks.append(item)
        item = item.get("/Next")
    joined.open_marks += int(outlines.get("/Count", 0))


def _copy(pdf: Any, source: Any, value: Any, *, indirect: bool = False) -> Any:
    """``value`` of ``source`` copied into ``pdf``, direct if it was (unless ``indirect``). qpdf
    copies indirect objects only: a direct one is made indirect in ``source`` (read, never saved)
    to be copied, and its copy is made direct again (the indirect one is then not written)."""
    if value.is_indirect:
        return pdf.copy_foreign(value)
    copied = pdf.copy_foreign(source.make_indirect(value))
    return copied if indirect else copy.copy(copied)


def _parent_tree(tree: Any) -> dict[int, Any]:
    """A section's parent tree (copied), by key: a page's entry under its page's number, each
    link's after every page."""
    parents = tree.ParentTree
    if "/Kids" in parents:
        raise RenderError("a section's parent tree has more than one level")
    flat = parents.Nums
    return {int(flat[at]): flat[at + 1] for at in range(0, len(flat), 2)}


def _catalog(joined: _Joined, first: Any, total: int) -> None:
    """The joined PDF's catalog: its structure tree (the pages' entries renumbered, then the
    links' after every page), named destinations, bookmarks and the first section's keys."""
    import pikepdf

    pdf = joined.pdf
    nums = pikepdf.Array()
    for key, value in sorted(joined.page_entries, key=lambda entry: entry[0]):
        nums.extend([key, value])
    for key, (annotation, value) in enumerate(joined.links, start=total):
        annotation.StructParent = key
        nums.extend([key, value])
    structure = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.StructTreeRoot,
            ParentTree=pdf.make_indirect(pikepdf.Dictionary(Nums=nums)),
            K=pikepdf.Array([joined.document]),
        )
    )
    joined.document.P = structure
    pdf.Root.StructTreeRoot = structure
    for key in CATALOG_KEYS:
        if key in first.Root:
            pdf.Root[key] = _copy(pdf, first, first.Root.get(key))
    if joined.names:
        flat = pikepdf.Array()
        for name in sorted(joined.names):
            flat.extend([pikepdf.String(name), joined.names[name]])
        pdf.Root.Names = pikepdf.Dictionary(Dests=pdf.make_indirect(pikepdf.Dictionary(Names=flat)))
    if joined.marks:
        pdf.Root.Outlines = _outline(pdf, joined.marks, joined.open_marks)
    if "/Info" in first.trailer:
        pdf.trailer.Info = pdf.copy_foreign(first.trailer.Info)


def _outline(pdf: Any, marks: list[Any], count: int) -> Any:
    """One outline of the sections' bookmarks in order (each with its own children, if any),
    ``count`` of them shown open."""
    import pikepdf

    outlines = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines, Count=count))
    outlines.First, outlines.Last = marks[0], marks[-1]
    for at, mark in enumerate(marks):
        mark.Parent = outlines
        for key, neighbour in (("/Prev", at - 1), ("/Next", at + 1)):
            if 0 <= neighbour < len(marks):
                mark[key] = marks[neighbour]
            elif key in mark:
                del mark[key]
    return outlines
