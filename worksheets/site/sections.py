"""The parts of the site's packets, kept between builds in the user's cache folder.

The site makes a packet of parts (``render.sections``): the front and one per sheet. A build
that finds a part's PDF here, under the key of the HTML that renders it, joins it without
rendering it, so a changed sheet re-renders its own parts only. Beside them is each packet's
layout (where its parts fell when it was last laid out whole), which says what the parts' HTML
is; it is only a guess, as every part taken by it is checked.

Why the user's cache folder (``worksheets/sections`` under ``$XDG_CACHE_HOME`` or ``~/.cache``,
beside the web fonts) and not the output: everything in the output folder is published, and the
sections are not part of the site; the preview, which builds into a new folder each time, and a
second output folder share them. The key is made as a site PDF's (``assets_key``, the forms flag
and the HTML), so a section is never taken for another. A file that is not a PDF qpdf (through
pikepdf) can read without repairing it counts as missing, and so does one whose bytes no longer
match the digest in its name (edited), or a layout that is not JSON of the shape a build writes;
one that cannot be written only costs the next build the time. A kept part that reads but is not
what this build would write (written by another version of worksheets under the same key) is
caught where it is used (``render.sections``): the packet is laid out whole. A clean build (``--clean``)
reads nothing from here, so it renders everything, and writes what it renders. Files not used
for ``KEEP_DAYS`` days are removed after each build.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from contextlib import suppress
from io import BytesIO
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..render import Document
from ..render.pdf import RenderedPdf

KEEP_DAYS = 30
"""A kept section not used by any build for this long is removed."""


def pdf_key(assets: str, document: Document) -> str:
    """The key of a PDF the site keeps (a whole PDF in the manifest, a packet's section here): its
    HTML, whether it has form fields, and ``assets`` (``freshness.assets_key``)."""
    return hashlib.sha256(f"{assets}\0{document.forms}\0{document.html}".encode()).hexdigest()


class SectionCache:
    """Sections by key in ``folder``; with ``reuse`` False (a clean build) none is read."""

    def __init__(self, folder: Path | None, assets: str, *, reuse: bool = True) -> None:
        self.folder = folder
        self.assets = assets
        self.reuse = reuse

    def get(self, document: Document) -> RenderedPdf | None:
        """The document's PDF as an earlier build kept it, or None. A file whose bytes are not
        those it was kept with (its name ends with their digest: changed since) is not taken."""
        if not self.reuse or self.folder is None:
            return None
        import pikepdf

        key = pdf_key(self.assets, document)
        for path in self.folder.glob(f"{key}.*.pdf"):
            try:
                data = path.read_bytes()
                if path.name != _part_name(key, data):
                    continue
                with pikepdf.open(BytesIO(data), attempt_recovery=False) as pdf:  # pypdf: 30 times slower
                    pages = len(pdf.pages)
            except (OSError, pikepdf.PdfError, ValueError, RecursionError):
                continue
            _used(path)
            return RenderedPdf(data, pages)
        return None

    def keep(self, document: Document, pdf: RenderedPdf) -> None:
        """Keep a rendered section for later builds, in place of any other kept under its key
        (one a build of another version of worksheets wrote, or a changed one)."""
        if self.folder is None:
            return
        key = pdf_key(self.assets, document)
        name = _part_name(key, pdf.data)
        with suppress(OSError):
            write_atomic(self.folder / name, pdf.data)
            for path in self.folder.glob(f"{key}.*.pdf"):
                if path.name != name:
                    path.unlink(missing_ok=True)

    def layout(self, name: str) -> dict[str, Any] | None:
        """The layout an earlier build kept for the packet ``name`` (``render.sections.Layout``),
        or None. Only a guess at where the parts fall: each part taken by it is checked."""
        if not self.reuse or self.folder is None:
            return None
        path = self._layout_path(name)
        try:
            record = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError, RecursionError):  # RecursionError: nested past Python's limit
            return None
        _used(path)
        return record if isinstance(record, dict) else None

    def keep_layout(self, name: str, record: dict[str, Any]) -> None:
        """Keep where the packet ``name``'s parts fell, for the next build."""
        if self.folder is not None:
            with suppress(OSError):
                write_atomic(self._layout_path(name), json.dumps(record, sort_keys=True).encode())

    def _layout_path(self, name: str) -> Path:
        assert self.folder is not None
        key = hashlib.sha256(f"{self.assets}\0{name}".encode()).hexdigest()
        return self.folder / f"{key}.json"

    def prune(self) -> None:
        """Remove the sections and layouts no build has used for ``KEEP_DAYS`` days, and the
        temporary files of writes that a killed build left (``write_atomic`` removes its own
        otherwise) once they are an hour old: a build running beside this one may be writing."""
        if self.folder is None:
            return
        now = time.time()
        with suppress(OSError):
            for pattern, age in (("*.pdf", KEEP_DAYS * 86400), ("*.json", KEEP_DAYS * 86400), (".*.tmp", 3600)):
                for path in self.folder.glob(pattern):
                    with suppress(OSError):
                        if path.stat().st_mtime < now - age:
                            path.unlink()


def _part_name(key: str, data: bytes) -> str:
    """A kept part's file name: its key, and a digest of its bytes that ``get`` checks."""
    return f"{key}.{hashlib.sha256(data).hexdigest()[:16]}.pdf"


def _used(path: Path) -> None:
    """Mark a kept file used, so that it is kept another ``KEEP_DAYS`` (a cache folder that
    cannot be changed only loses that)."""
    with suppress(OSError):
        os.utime(path)
