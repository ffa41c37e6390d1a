"""Put a sheet's pages, rendered again alone, in place of the same pages of a packet rendered whole.

A prototype for issue 17 (not used by the build): a cold build renders each packet whole, as
before sections, and keeps it; after one sheet changes, only that sheet's section is rendered,
numbered from its first page with the packet's total, and its pages replace the old ones here.
It costs a few hundredths of a second of CPU (qpdf does the copying), where joining every section
with pypdf costs a second or more for the complete set.

The packet's page objects are kept and given the section's content and resources, so everything
that names them (bookmarks, named destinations, the structure tree's /Pg) stays valid. What the
section brings is moved onto them: its structure elements take the old ones' place under the
Document element, its parent-tree entries take the old pages' keys, its named destinations and
bookmarks replace the old ones.

A splice is refused (``NotSpliceable``) when the packet rendered whole could differ elsewhere than
on these pages: the section has another number of pages, an anchor moved to another of its pages
(the contents would show a stale number), its bookmarks are not the old ones in number and level,
or its pages or the old ones carry annotations (links), which are not carried over. The caller
then renders the packet whole.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from ..errors import RenderError


class NotSpliceable(RenderError):
    """The section cannot replace the old pages without the rest of the packet changing."""


def splice_section(packet: bytes, section: bytes, first: int, pages: int, identifier: bytes) -> bytes:
    """``packet`` with its ``pages`` pages from ``first`` (counted from 0) drawn from ``section``,
    which must have as many, and ``identifier`` as the first string of its /ID."""
    import pikepdf

    with pikepdf.open(BytesIO(packet)) as pdf, pikepdf.open(BytesIO(section)) as part:
        count = len(part.pages)
        if count != pages or first < 0 or first + count > len(pdf.pages):
            raise NotSpliceable(f"a section of {count} pages cannot replace {pages} pages from page {first + 1}")
        targets = [pdf.pages[first + at].obj for at in range(count)]
        if any("/Annots" in page for page in targets) or any("/Annots" in page.obj for page in part.pages):
            raise NotSpliceable("links on the replaced pages are not carried over")
        tree = pdf.copy_foreign(part.Root.StructTreeRoot)
        copied = [pdf.copy_foreign(page.obj) for page in part.pages]
        # Each section page's place in the packet, by its object in the section (read by the
        # destinations and bookmarks) and by its copy in the packet (named by the elements).
        from_section = {page.obj.objgen: target for page, target in zip(part.pages, targets, strict=True)}
        onto = {page.objgen: target for page, target in zip(copied, targets, strict=True)}
        _destinations(pdf, part, targets, from_section)
        _bookmarks(pdf, part, targets, from_section)
        for page, target in zip(copied, targets, strict=True):
            target.Contents = page.Contents
            target.Resources = page.Resources
        _structure(pdf, tree, targets, onto, first)
        pdf.trailer.ID = pikepdf.Array([pikepdf.String(identifier), pikepdf.String(identifier)])
        out = BytesIO()
        pdf.save(
            out,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            compress_streams=True,
            deterministic_id=True,
        )
    return out.getvalue()


def _structure(pdf: Any, tree: Any, targets: list[Any], onto: dict, first: int) -> None:
    """The section's elements in place of the old pages' under the Document element (WeasyPrint
    gives each page elements of its own there), and its parent-tree entries under their keys."""
    import pikepdf

    document = pdf.Root.StructTreeRoot.K[0]
    old = {page.objgen for page in targets}
    kids = list(document.K)
    at = [n for n, kid in enumerate(kids) if kid.Pg.objgen in old]
    if not at or at != list(range(at[0], at[-1] + 1)):
        raise NotSpliceable("the replaced pages' structure elements are not together")
    new = list(tree.K[0].K)
    for kid in new:
        kid.P = document
        _repage(kid, onto)
    document.K = pikepdf.Array(kids[: at[0]] + new + kids[at[-1] + 1 :])
    theirs = tree.ParentTree.Nums
    entries = {int(theirs[n]): theirs[n + 1] for n in range(0, len(theirs), 2)}
    for marked in entries.values():  # the margin boxes' spans hang from no element of the tree
        for element in marked:
            _repage(element, onto)
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    for n in range(0, len(nums), 2):
        key = int(nums[n]) - first
        if 0 <= key < len(targets):
            nums[n + 1] = entries[key]


def _repage(element: Any, onto: dict) -> None:
    """Point every /Pg in ``element`` and under it at the packet's page."""
    import pikepdf

    stack = [element]
    while stack:
        item = stack.pop()
        page = item.get("/Pg")
        if page is not None and page.objgen in onto:
            item.Pg = onto[page.objgen]
        kids = item.get("/K")
        if isinstance(kids, pikepdf.Array):
            stack.extend(kid for kid in kids if isinstance(kid, pikepdf.Dictionary))
        elif isinstance(kids, pikepdf.Dictionary):
            stack.append(kids)


def _destinations(pdf: Any, part: Any, targets: list[Any], onto: dict) -> None:
    """The section's named destinations in place of the old pages' ones: the same names, each on
    the same page of the section as before (the contents' numbers are not rendered again)."""
    import pikepdf

    old = {page.objgen: at for at, page in enumerate(targets)}
    names = _name_tree(pdf)
    before = {name: old[dest[0].objgen] for name, dest in names.items() if dest[0].objgen in old} if names else {}
    new = _name_tree(part)
    mine = {page.obj.objgen: at for at, page in enumerate(part.pages)}
    after = {name: mine[dest[0].objgen] for name, dest in new.items()} if new else {}
    if before != after:
        moved = sorted(set(before.items()) ^ set(after.items()))
        raise NotSpliceable(f"the section's anchors are not on the pages they were on: {moved[:3]}")
    for name, dest in new.items() if new else ():
        names[name] = pikepdf.Array([onto[dest[0].objgen], *list(dest)[1:]])


def _name_tree(pdf: Any) -> Any:
    import pikepdf

    if "/Names" not in pdf.Root or "/Dests" not in pdf.Root.Names:
        return None
    return pikepdf.NameTree(pdf.Root.Names.Dests)


def _bookmarks(pdf: Any, part: Any, targets: list[Any], onto: dict) -> None:
    """The bookmarks on the old pages take the section's titles and places, the same number at
    the same levels (the outline's shape stays)."""
    import pikepdf

    old = {page.objgen for page in targets}
    with pdf.open_outline() as outline, part.open_outline() as theirs:
        marks = [(level, item) for level, item in _walk(outline.root) if item.destination[0].objgen in old]
        new = list(_walk(theirs.root))
        if [level for level, _ in marks] != [level for level, _ in new]:
            raise NotSpliceable("the section's bookmarks are not the replaced pages' ones")
        for (_, mark), (_, item) in zip(marks, new, strict=True):
            mark.title = item.title
            mark.destination = pikepdf.Array([onto[item.destination[0].objgen], *list(item.destination)[1:]])


def _walk(items: list[Any], level: int = 0) -> Any:
    for item in items:
        yield level, item
        yield from _walk(item.children, level + 1)
