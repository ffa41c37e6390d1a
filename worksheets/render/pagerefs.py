"""Writing a long tagged PDF in time that grows with its pages, not with their square.

pydyf (the PDF writer under WeasyPrint, 0.13) builds the references of all of a document's pages
each time ``PDF.page_references`` is read, and WeasyPrint reads it for every element of a tagged
PDF's structure tree (each paragraph, list item and table cell) to take one page's reference. A
take-home sheet of 160 goals (486 pages) read it 65,000 times, 9 of the 30 seconds spent writing
it, and that grows with the square of the pages. Here the references are kept,
and made again only after a page is added: the same references, so the same PDF, byte for byte.
"""

from __future__ import annotations

from functools import cache
from typing import Any

_KEPT = "_worksheets_page_references"


def _page_references(pdf: Any) -> tuple[bytes, ...]:
    """``pdf.page_references`` as pydyf makes them, remembered until the next page is added."""
    kids = pdf.pages["Kids"]
    kept = pdf.__dict__.get(_KEPT)
    if kept is None or kept[0] != len(kids):
        kept = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__[_KEPT] = kept
    return kept[1]


@cache
def install() -> None:
    """Give pydyf's PDF class the remembering ``page_references`` (once per process)."""
    import pydyf

    pydyf.PDF.page_references = property(_page_references)  # type: ignore[assignment]
