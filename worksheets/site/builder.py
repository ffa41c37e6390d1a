"""Build the static site: plan every output, render only what changed, then swap it into place.

- Safe: the new site is put together in a staging folder beside the output (unchanged files are
  hard links to the old ones) and swapped in only when complete, in one step on Linux, so a
  failed, interrupted or killed build leaves the previous site whole; the next build tidies up
  what a killed one left behind. A lock beside the output lets one build at a time use it. A
  marker file identifies folders this tool made; the build refuses to replace any other, so a
  slip such as ``--out .`` cannot delete a project.
- Incremental: a manifest in the output records, for every PDF, a key made from the HTML it was
  rendered from (which holds everything the content and templates put into it), the stylesheets
  and fonts, the tool's and WeasyPrint's versions and the options. Only PDFs whose key changed
  are rendered; outputs no longer planned are removed. When no input file has changed at all,
  the build stops before loading anything: no content is parsed and WeasyPrint is not imported.
- Parallel: PDFs are rendered by a pool of worker processes (``render.pool``), or by the workers of
  a Dask cluster (``render.cluster``); either way this process writes every file.
- The pages' web fonts (``webfonts``) are taken from the user's cache, made only when missing.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment

from ..atomic import locked, recover_folder, replace_folder, staging
from ..content import Catalog, load_catalog, project_translations
from ..formats import PAPERS, VARIANTS, Mode, Paper, Variant
from ..project import Project, files_under
from ..render import Cluster, Document, default_jobs, environment, render_document
from ..render.pdf import RenderedPdf
from ..render.pool import INLINE_AT_MOST, Workers
from ..render.sections import SectionedPacket, check_packet_template, render_sectioned
from .cachedir import user_cache
from .freshness import (
    MANIFEST,
    MARKER,
    BuildResult,
    assets_key,
    build_options,
    check_out,
    inputs_key,
    nothing_to_do,
    read_manifest,
    up_to_date,
)
from .pages import Download, Languages, page_paths, site_pages, sitemap
from .sections import SectionCache, pdf_key
from .webfonts import FOLDER as WEBFONTS
from .webfonts import web_fonts

SHEET_FORMATS: tuple[tuple[str, Mode, Variant | None], ...] = (
    ("print", "print", None),
    ("fillable", "fillable", None),
    *((variant, "print", variant) for variant in VARIANTS),
)
"""Every PDF the site offers of each worksheet, in both paper sizes: (name, mode, variant)."""

Progress = Callable[[int], None]


@dataclass(frozen=True)
class PlannedPdf:
    """One PDF of the site: where it goes, whose it is and in which format, what it is made from."""

    path: str
    owner: str
    group: str
    paper: Paper
    document: Document
    key: str
    sectioned: SectionedPacket | None = None
    """A packet's sections (``render.sections``), which the build renders and joins instead of
    ``document``, the whole packet."""


def editions(project: Project, catalog: Catalog) -> tuple[list[tuple[Catalog, str]], list[str]]:
    """The site's languages: the content's own (at the root) and each translation that can be
    built (in its folder, ``es/``), as (catalog, folder); and a line for each part left out."""
    translations = project_translations(project, catalog)
    source = catalog.site.language
    found = [(t.catalog, Languages.folder(t.language, source)) for t in translations if t.catalog is not None]
    return [(catalog, ""), *found], [line for t in translations for line in t.warnings()]


def pdf_name(name: str, paper: Paper, kind: str = "print") -> str:
    """File name of a PDF: ``grow-a4.pdf`` to print, ``grow-a4-fillable.pdf`` and so on."""
    return f"{name}-{paper}.pdf" if kind == "print" else f"{name}-{paper}-{kind}.pdf"


def plan_pdfs(
    env: Environment,
    project: Project,
    catalog: Catalog,
    papers: tuple[Paper, ...],
    folder: str = "",
    assets: str | None = None,
    each: Callable[[PlannedPdf], None] | None = None,
) -> list[PlannedPdf]:
    """Every PDF of the site in the catalog's language (under ``folder``, ``es/`` say), in the
    order pages list them, with its HTML and its key. The key is made from the HTML, so a
    change to one language's translation changes only that language's keys; and from ``assets``
    (``assets_key``, read here when not given: a build reads it once for every language).
    ``each`` is told of every PDF as soon as it is planned (a build starts its workers then)."""
    assets = assets if assets is not None else assets_key(project)
    planned = []

    def add(
        owner: str,
        group: str,
        paper: Paper,
        html: str,
        forms: bool,
        filename: str,
        sectioned: SectionedPacket | None = None,
    ) -> None:
        document = Document(html, forms, owner)
        path = f"{folder}pdf/{filename}"
        planned.append(PlannedPdf(path, owner, group, paper, document, pdf_key(assets, document), sectioned))
        if each:
            each(planned[-1])

    for ws in catalog.worksheets:
        for name, mode, variant in SHEET_FORMATS:
            for paper in papers:
                html = render_document(env, catalog, ws, mode=mode, paper=paper, variant=variant)
                add(ws.id, name, paper, html, mode == "fillable", pdf_name(ws.id, paper, name))
    for packet in catalog.packets:
        for paper in papers:
            sectioned = SectionedPacket(env, catalog, packet, paper)
            name = pdf_name(f"packet-{packet.id}", paper)
            add(packet.id, "packet", paper, sectioned.whole, False, name, sectioned)
    if catalog.packets:
        check_packet_template(env)  # after rendering them whole, which reports a broken template
    return planned


def _size(size: int) -> str:
    kb = size / 1024
    return f"{kb:.0f} KB" if kb < 1024 else f"{kb / 1024:.1f} MB"


def _stage_from(out: Path, stage: Path) -> None:
    """Start the staging folder as a copy of the old site made of hard links (no data copied)."""
    for path in out.rglob("*"):
        target = stage / path.relative_to(out)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)


def _replace(path: Path, data: bytes) -> None:
    """Write a file in the staging folder without touching the old site's copy it may link to."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.write_bytes(data)


def _downloads(catalog: Catalog, planned: list[PlannedPdf], done: dict[str, dict], folder: str) -> tuple[dict, dict]:
    """What each worksheet and packet page offers: PDFs grouped by format, with sizes and pages
    (their links made from the language's folder)."""
    strings = catalog.strings
    sheets: dict[str, list[tuple[str, list[Download]]]] = {ws.id: [] for ws in catalog.worksheets}
    packets: dict[str, list[Download]] = {p.id: [] for p in catalog.packets}
    for p in planned:  # planned in page order: owner, then format, then paper
        entry = done[p.path]
        href = p.path.removeprefix(folder)
        download = Download(href, getattr(strings, p.paper), _size(entry["size"]), entry["pages"], p.group, p.paper)
        if p.group == "packet":
            packets[p.owner].append(download)
            continue
        title = getattr(strings, f"format_{p.group.replace('-', '_')}")
        groups = sheets[p.owner]
        if not groups or groups[-1][0] != title:
            groups.append((title, []))
        groups[-1][1].append(download)
    return sheets, packets


def build(
    project: Project,
    out: Path,
    papers: tuple[Paper, ...] = PAPERS,
    *,
    pdfs: bool = True,
    jobs: int | None = None,
    cluster: Cluster | None = None,
    clean: bool = False,
    progress: Callable[[int], Progress] | None = None,
) -> BuildResult:
    """Build the site into ``out``, rendering only what changed (everything with ``clean``), in
    ``jobs`` local processes or on a Dask ``cluster``.

    Without ``pdfs`` (a quick preview) the pages say that the PDFs were not made. ``progress``,
    given the number of PDFs to render, returns a function called once per PDF rendered.
    """
    start = time.perf_counter()
    check_out(project, out)
    out = out.resolve()
    options = build_options(papers, pdfs)
    inputs = inputs_key(project, options)
    if not clean and (manifest := up_to_date(out, inputs)):
        return nothing_to_do(out, manifest, start)

    catalog = load_catalog(project)  # bad content stops the build here, before anything is written
    all_editions, notes = editions(project, catalog)
    env = environment(project)
    fonts = web_fonts(project, jobs=jobs or default_jobs())  # a broken font rule stops the build here too
    assets = assets_key(project)
    with Workers(project, jobs=jobs, cluster=cluster) as workers:
        starting = _starter(workers, {} if clean else read_manifest(out).get("pdfs", {}))
        plans = [
            (c, folder, plan_pdfs(env, project, c, papers, folder, assets, starting) if pdfs else [])
            for c, folder in all_editions
        ]
        planned = [p for _, _, plan in plans for p in plan]
        out.parent.mkdir(parents=True, exist_ok=True)
        with locked(out):  # one build at a time into one folder; tidy up after one that was killed
            recover_folder(out)
            previous = {} if clean else read_manifest(out).get("pdfs", {})
            fresh = [p for p in planned if previous.get(p.path, {}).get("key") == p.key and (out / p.path).is_file()]
            done = {p.path: previous[p.path] for p in fresh}
            todo = [p for p in planned if p.path not in done]
            stage = staging(out)
            stage.mkdir()
            try:
                if out.exists() and not clean:
                    _stage_from(out, stage)
                tick = progress(len(todo)) if progress else None
                sections = SectionCache(user_cache("sections"), assets, reuse=not clean)
                results = _render(todo, sections, workers, tick)
                sections.prune()
                for p, result in zip(todo, results, strict=True):
                    _replace(stage / p.path, result.data)
                    done[p.path] = {"key": p.key, "size": len(result.data), "pages": result.pages}
                written = _write_pages(env, project, plans, stage, done, fonts, preview=not pdfs)
                removed = _remove_stale(stage, set(written) | set(done))
                files = sorted(set(written) | set(done))
                manifest = {"inputs": inputs, "pdfs": done, "files": files}
                _replace(stage / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
                replace_folder(stage, out)
            except BaseException:
                shutil.rmtree(stage, ignore_errors=True)
                raise
    pages = sum(1 for f in files if f.endswith(".html"))
    seconds = time.perf_counter() - start
    return BuildResult(out, len(todo), len(planned) - len(todo), removed, pages, seconds, tuple(notes))


def _starter(workers: Workers, previous: dict[str, dict[str, Any]]) -> Callable[[PlannedPdf], None]:
    """What ``plan_pdfs`` tells of each PDF planned: all the workers start as soon as more than a
    few PDFs are not in the ``previous`` manifest (read here without the build's lock, only for
    this), so that they import WeasyPrint while the rest of the site is planned. (A packet whose
    key changed may turn out to need only a join of kept parts, done by a worker all the same.)"""
    changed = 0

    def planned(p: PlannedPdf) -> None:
        nonlocal changed
        if previous.get(p.path, {}).get("key") != p.key:
            changed += 1
            if changed > INLINE_AT_MOST:  # then every worker: a changed sheet has 10 PDFs, more to come
                workers.start(max(changed, workers.jobs))

    return planned


def _render(
    todo: list[PlannedPdf], sections: SectionCache, workers: Workers, tick: Progress | None
) -> list[RenderedPdf]:
    """The PDFs of ``todo``, in order: each sheet's rendered, each packet's joined from its
    sections, those kept by an earlier build taken from ``sections``. One set of workers does
    it all: the sheets and every section from the start, each packet's front, numbers and join
    as soon as its sections are done (``render.sections``); ``tick`` is called once per PDF of
    ``todo``."""
    sheets = [p for p in todo if p.sectioned is None]
    packets = [p for p in todo if p.sectioned is not None]
    packed = [p.sectioned for p in packets]
    rendered, joined = render_sectioned(packed, workers, [p.document for p in sheets], tick, sections)
    by_path = dict(zip([p.path for p in sheets], rendered, strict=True))
    by_path.update(zip([p.path for p in packets], joined, strict=True))
    return [by_path[p.path] for p in todo]


def _write_pages(
    env: Environment,
    project: Project,
    plans: list[tuple[Catalog, str, list[PlannedPdf]]],
    stage: Path,
    done: dict,
    fonts: dict[str, bytes],
    *,
    preview: bool,
) -> list[str]:
    """Write the assets (the web fonts ``fonts`` among them), the marker and every page of every
    language (each language but the content's own in its folder), and the sitemap; return their
    paths."""
    shutil.rmtree(stage / "assets", ignore_errors=True)
    written = []
    for name, folder in project.site_asset_folders().items():  # links checked by Project.at
        for path in files_under(folder):
            target = Path("assets", name, path.relative_to(folder))
            _replace(stage / target, path.read_bytes())
            written.append(str(target))
    for name, data in sorted(fonts.items()):
        target = Path("assets", WEBFONTS, name)
        _replace(stage / target, data)
        written.append(str(target))
    _replace(stage / "favicon.svg", (project.templates / "favicon.svg").read_bytes())
    _replace(stage / MARKER, b"Built by worksheets; `worksheets build` replaces this folder.\n")
    written += ["favicon.svg", MARKER]
    source = plans[0][0]
    languages = Languages(
        source.site.language,
        {c.site.language: page_paths(c) for c, _, _ in plans},
        {c.site.language: {f"worksheets/{w.id}.html" for w in c.untranslated} for c, _, _ in plans},
    )
    for catalog, folder, planned in plans:
        sheets, packets = _downloads(catalog, planned, done, folder)
        for path, text in site_pages(env, catalog, sheets, packets, preview=preview, languages=languages):
            _replace(stage / folder / path, text.encode("utf-8"))
            written.append(folder + path)
    xml = sitemap(env, source, languages)
    if xml is not None:
        _replace(stage / "sitemap.xml", xml.encode("utf-8"))
        written.append("sitemap.xml")
    return written


def _remove_stale(stage: Path, keep: set[str]) -> int:
    """Delete what the previous build made that this one did not; return how many files."""
    removed = 0
    for path in sorted(stage.rglob("*"), reverse=True):
        relative = str(path.relative_to(stage))
        if path.is_file() and relative not in keep and relative != MANIFEST:
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return removed
