"""Build the static site: gather everything first, then write it all into a fresh folder.

The site is built in a staging folder beside the output and swapped into place only when every
page and PDF is written, so a failed or interrupted build leaves the previous site whole. A marker
file identifies folders this tool made: the build refuses to replace any other folder, so a slip
such as ``--out .`` cannot delete a project.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Problem
from .loader import Catalog, load_catalog
from .pdf import render_pdf
from .project import Project
from .render import PAPERS, VARIANTS, Mode, Paper, Variant, environment, render_document, render_packet
from .sitepages import Download, site_pages

MARKER = ".worksheets-site"
ASSET_DIRS = ("css", "fonts")


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, for the summary line."""

    out: Path
    pages: int
    pdfs: int
    seconds: float


SHEET_FORMATS: tuple[tuple[str, Mode, Variant | None], ...] = (
    ("print", "print", None),
    ("fillable", "fillable", None),
    *((variant, "print", variant) for variant in VARIANTS),
)
"""Every PDF the site offers of each worksheet, in both paper sizes: (name, mode, variant)."""


def pdf_name(name: str, paper: Paper, kind: str = "print") -> str:
    """File name of a PDF: ``grow-a4.pdf`` to print, ``grow-a4-fillable.pdf`` and so on."""
    return f"{name}-{paper}.pdf" if kind == "print" else f"{name}-{paper}-{kind}.pdf"


def _check_out(project: Project, out: Path) -> None:
    """Refuse an output folder that is part of the project or was not made by a build."""
    out = out.resolve()
    for protected in (project.root, project.content, project.templates):
        if out == protected or protected.is_relative_to(out) or out.is_relative_to(project.content):
            msg = f"refusing to build into {out}: it holds the project's own files; choose another --out"
            raise InputError([Problem(out, 1, 1, msg)])
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        msg = f"refusing to replace {out}: it is not a site built by worksheets (no {MARKER} file)"
        raise InputError([Problem(out, 1, 1, msg)])


def _write_site(project: Project, catalog: Catalog, stage: Path, papers: tuple[Paper, ...], *, pdfs: bool) -> int:
    """Write every page, asset and (with ``pdfs``) PDF into ``stage``; return the number of PDFs."""
    env = environment(project)
    for name in ASSET_DIRS:
        shutil.copytree(project.templates / name, stage / "assets" / name)
    shutil.copy(project.templates / "favicon.svg", stage / "favicon.svg")
    (stage / "pdf").mkdir()
    downloads: dict[str, list[tuple[str, list[Download]]]] = {}
    count = 0
    for ws in catalog.worksheets:
        downloads[ws.id] = []
        for name, mode, variant in SHEET_FORMATS if pdfs else ():
            files = []
            for paper in papers:
                html = render_document(env, catalog, ws, mode=mode, paper=paper, variant=variant)
                target = stage / "pdf" / pdf_name(ws.id, paper, name)
                label = getattr(catalog.strings, paper)
                files.append(_write_pdf(project, html, target, label, ws.id, forms=mode == "fillable"))
                count += 1
            downloads[ws.id].append((getattr(catalog.strings, f"format_{name.replace('-', '_')}"), files))
    packet_downloads: dict[str, list[Download]] = {}
    for packet in catalog.packets:
        packet_downloads[packet.id] = []
        for paper in papers if pdfs else ():
            html = render_packet(env, catalog, packet, paper=paper)
            target = stage / "pdf" / pdf_name(f"packet-{packet.id}", paper)
            label = getattr(catalog.strings, paper)
            packet_downloads[packet.id].append(_write_pdf(project, html, target, label, packet.id))
            count += 1
    for path, text in site_pages(env, catalog, downloads, packet_downloads, preview=not pdfs):
        target = stage / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return count


def _write_pdf(project: Project, html: str, target: Path, label: str, title: str, *, forms: bool = False) -> Download:
    """Render and write one PDF; return how the site offers it (path, label, size, pages)."""
    rendered = render_pdf(html, project, forms=forms, title=title)
    target.write_bytes(rendered.data)
    kb = len(rendered.data) / 1024
    size = f"{kb:.0f} KB" if kb < 1024 else f"{kb / 1024:.1f} MB"
    return Download(f"pdf/{target.name}", label, size, rendered.pages)


def _swap(stage: Path, out: Path) -> None:
    """Put ``stage`` where ``out`` is, keeping the old site until the new one is in place."""
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        out.rename(old)
    stage.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def build(project: Project, out: Path, papers: tuple[Paper, ...] = PAPERS, *, pdfs: bool = True) -> BuildResult:
    """Build the whole site into ``out``; the previous site stays until the new one is complete.

    Without ``pdfs`` (a quick preview) the pages say that the PDFs were not made.
    """
    start = time.perf_counter()
    _check_out(project, out)
    catalog = load_catalog(project)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = out.with_name(f".{out.name}.building-{os.getpid()}")
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    try:
        (stage / MARKER).write_text("Built by worksheets; `worksheets build` replaces this folder.\n")
        count = _write_site(project, catalog, stage, papers, pdfs=pdfs)
        _swap(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    pages = sum(1 for _ in out.rglob("*.html"))
    return BuildResult(out, pages, count, time.perf_counter() - start)
