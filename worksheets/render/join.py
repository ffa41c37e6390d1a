"""Join tagged PDFs made by ``render.pdf`` into one, as if WeasyPrint had rendered them as one.

A packet is rendered in sections (``render.sections``), each a WeasyPrint document of its own,
so that a changed sheet re-renders its section only. The sections are joined here with pypdf,
keeping what a packet promises: its pages in order, one structure tree (the tags of every section
under one Document element, each page's and each link's place in the parent tree renumbered),
the bookmarks, the named destinations that the contents page's links go to, and the first
section's language, title, XMP metadata (with its PDF/UA identification) and viewer preferences.

What is not carried over is refused rather than dropped: a section with form fields, or with a
structure tree of another shape than WeasyPrint writes, stops the join with an error.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from ..errors import RenderError
from .subsets import merge_subsets

CATALOG_KEYS = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata")
"""What the joined PDF's catalog takes from the first section, besides what is built here."""


def join_pdfs(parts: list[bytes], identifier: bytes, numbers: bytes | None = None) -> bytes:
    """The PDFs ``parts`` as one PDF, in order, with ``identifier`` as its /ID; with ``numbers``,
    a PDF of as many pages whose page ``i`` is drawn over page ``i`` of the joined one (its page
    numbers, see ``_stamp``)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject, DictionaryObject, NameObject, NumberObject

    readers = [PdfReader(BytesIO(part)) for part in parts]
    writer = PdfWriter()
    document = DictionaryObject(
        {NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Document")}
    )
    document_ref = writer._add_object(document)
    kids = ArrayObject()
    page_entries: list[tuple[int, Any]] = []
    annotation_entries: list[Any] = []
    names: dict[str, Any] = {}
    marks: list[tuple[str, int, Any, Any]] = []
    linked: list[tuple[Any, int]] = []  # annotations with their place among annotation_entries
    for reader in readers:
        offset = len(writer.pages)
        root = reader.trailer["/Root"]
        if "/AcroForm" in root:
            raise RenderError("a section with form fields cannot be joined")
        for page in reader.pages:
            added = writer.add_page(page)  # pypdf leaves out /StructParents: it is the joined PDF's
            if "/StructParents" in page:
                added[NameObject("/StructParents")] = NumberObject(offset + int(page["/StructParents"]))
        tree = root["/StructTreeRoot"].get_object()
        section_document = tree["/K"][0].get_object()
        for kid in section_document["/K"]:
            element = kid.get_object()
            del element["/P"]  # cloned without its old parents, then given the new one
            clone = element.clone(writer)
            clone[NameObject("/P")] = document_ref
            kids.append(clone.indirect_reference)
        renumbered = _parent_tree(tree, len(reader.pages), writer, offset, page_entries, annotation_entries)
        for page in writer.pages[offset:]:
            for annotation in page.get("/Annots", []):
                annotation = annotation.get_object()
                if "/StructParent" in annotation:
                    linked.append((annotation, renumbered[int(annotation["/StructParent"])]))
        names.update(_destinations(root, writer))
        for item in reader.outline:
            marks.append((item.title, offset + reader.get_destination_page_number(item), item.left, item.top))
    total = len(writer.pages)
    if numbers is not None:
        stamps = PdfReader(BytesIO(numbers)).pages
        if len(stamps) != total:
            raise RenderError(f"the page numbers have {len(stamps)} pages for {total} pages")
        for page, stamp in zip(writer.pages, stamps, strict=True):
            _stamp(page, stamp, writer)
    merge_subsets(writer)
    nums = ArrayObject()
    for key, value in page_entries:
        nums += [NumberObject(key), value]
    for key, value in enumerate(annotation_entries, start=total):
        nums += [NumberObject(key), value]
    for annotation, index in linked:
        annotation[NameObject("/StructParent")] = NumberObject(total + index)
    document[NameObject("/K")] = kids
    parent_tree = writer._add_object(DictionaryObject({NameObject("/Nums"): nums}))
    structure = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/StructTreeRoot"),
            NameObject("/ParentTree"): parent_tree,
            NameObject("/K"): ArrayObject([document_ref]),
        }
    )
    structure_ref = writer._add_object(structure)
    document[NameObject("/P")] = structure_ref
    catalog = writer._root_object
    catalog[NameObject("/StructTreeRoot")] = structure_ref
    first = readers[0].trailer["/Root"]
    for key in CATALOG_KEYS:
        if key in first:
            catalog[NameObject(key)] = first.raw_get(key).clone(writer)  # indirect stays indirect
    if names:
        flat = ArrayObject()
        for name in sorted(names):
            flat += [_string(name), names[name]]
        dests = writer._add_object(DictionaryObject({NameObject("/Names"): flat}))
        catalog[NameObject("/Names")] = DictionaryObject({NameObject("/Dests"): dests})
    _outline(writer, marks)
    info = readers[0].trailer.get("/Info")
    if info is not None:
        writer._info = writer._add_object(info.get_object().clone(writer))
    writer.pdf_header = readers[0].pdf_header.encode()
    writer._ID = ArrayObject([ByteStringObject(identifier), ByteStringObject(identifier)])
    out = BytesIO()
    writer.write(out)
    return _compact(out.getvalue())


def _compact(data: bytes) -> bytes:
    """``data`` written again by qpdf (through pikepdf): without the objects nothing refers to
    any more (the font subsets that ``merge_subsets`` replaced), and with the small objects (the
    structure tree's thousands of elements) packed into compressed object streams, as WeasyPrint
    writes them; pypdf writes neither. The /ID's first string is kept and its second made from
    the content (``deterministic_id``), so the same sections always give the same bytes."""
    import pikepdf

    out = BytesIO()
    with pikepdf.open(BytesIO(data)) as pdf:
        pdf.save(
            out,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            compress_streams=True,
            deterministic_id=True,
        )
    return out.getvalue()


def _parent_tree(
    tree: Any, pages: int, writer: Any, offset: int, page_entries: list, annotation_entries: list
) -> dict[int, int]:
    """Move a section's parent tree into the joined one: a page's entry to its page's new number,
    an annotation's after every page (numbered when all are known: ``len(pages)`` plus its place in
    ``annotation_entries``). Returns each annotation's old key and new one."""
    nums = tree["/ParentTree"].get_object()
    if "/Kids" in nums:
        raise RenderError("a section's parent tree has more than one level")
    flat = nums["/Nums"]
    renumbered = {}
    for at in range(0, len(flat), 2):
        key, value = int(flat[at]), flat[at + 1].clone(writer)
        if key < pages:
            page_entries.append((offset + key, value))
        else:
            renumbered[key] = len(annotation_entries)
            annotation_entries.append(value)
    return renumbered


def _destinations(root: Any, writer: Any) -> dict[str, Any]:
    """A section's named destinations (WeasyPrint writes them as one flat name tree), their pages
    now the joined PDF's."""
    if "/Names" not in root or "/Dests" not in root["/Names"]:
        return {}
    flat = root["/Names"]["/Dests"].get_object()["/Names"]
    return {str(flat[at]): flat[at + 1].clone(writer) for at in range(0, len(flat), 2)}


def _string(text: str) -> Any:
    from pypdf.generic import create_string_object

    return create_string_object(text)


def _outline(writer: Any, marks: list[tuple[str, int, Any, Any]]) -> None:
    """One bookmark per (title, page, left, top), in order, each at its place on its page."""
    from pypdf.generic import Fit

    for title, page, left, top in marks:
        writer.add_outline_item(title=title, page_number=page, fit=Fit.xyz(left, top, 0))


STAMPED = "n"
"""Added to the name of each resource a stamp brings to a page: the sections and the numbers
are documents of their own, whose resources may have the same names for other objects (a font
subset is named after its face, whatever glyphs it holds)."""

RENAMED_OPERANDS = {
    b"Tf": "/Font",
    b"gs": "/ExtGState",
    b"Do": "/XObject",
    b"sh": "/Shading",
    b"cs": "/ColorSpace",
    b"CS": "/ColorSpace",
}
"""The operators that name a resource by their first operand, and the resource's kind."""


def _stamp(page: Any, stamp: Any, writer: Any) -> None:
    """Draw ``stamp`` (a page of another PDF of the same size) over ``page``, as an artifact.

    The page's own content is wrapped in ``q``/``Q``, since WeasyPrint leaves its coordinate
    flip in force at the end; the stamp's content follows, its resources renamed (``STAMPED``)
    and added to the page's, and its marked content (WeasyPrint tags the margin boxes' text as
    spans of a structure element outside the document's tree) turned into an artifact: a page
    number is pagination, which PDF/UA wants marked as such, and the joined document's tree has
    no place for it.
    """
    from pypdf.generic import ArrayObject, ContentStream, DecodedStreamObject, DictionaryObject, NameObject

    content = ContentStream(stamp.get_contents(), stamp.pdf)
    operations = []
    for operands, operator in content.operations:
        if operator == b"BDC":
            operands, operator = [NameObject("/Artifact")], b"BMC"
        elif operator in RENAMED_OPERANDS:
            operands = [NameObject(operands[0] + STAMPED), *operands[1:]]
        operations.append((operands, operator))
    content.operations = operations
    resources = page["/Resources"]
    for kind, named in stamp["/Resources"].items():
        named = named.get_object()
        if not named:
            continue
        if kind not in resources:
            resources[NameObject(kind)] = DictionaryObject()
        target = resources[kind].get_object()
        for name, value in named.items():
            target[NameObject(name + STAMPED)] = value.clone(writer)
    before, after = DecodedStreamObject(), DecodedStreamObject()
    before.set_data(b"q\n")
    after.set_data(b"\nQ\n")
    drawn = DecodedStreamObject()
    drawn.set_data(content.get_data())
    contents = page.raw_get("/Contents")
    own = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
    parts = [writer._add_object(before), *own, writer._add_object(after), writer._add_object(drawn.flate_encode())]
    page[NameObject("/Contents")] = ArrayObject(parts)
