"""Is the built site up to date? Answered without loading the content or importing WeasyPrint.

``worksheets build`` asks this first: when no input file has changed since the last build (same
bytes in ``content/`` and ``templates/``, same versions, same options), there is nothing to do,
and the answer costs only reading and hashing files. Kept apart from ``site`` so that answering
it imports nothing heavy.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import leftovers
from ..errors import InputError, Problem
from ..project import Project, files_under
from ..render.versions import package_versions

MARKER = ".worksheets-site"
MANIFEST = ".worksheets-manifest.json"


@dataclass(frozen=True)
class BuildResult:
    """What a build did, for the summary line."""

    out: Path
    rendered: int
    up_to_date: int
    removed: int
    pages: int
    seconds: float
    notes: tuple[str, ...] = ()
    """What was left out of a language for want of translation, one line each."""


def check_out(project: Project, out: Path) -> None:
    """Refuse an output folder that is part of the project or was not made by a build."""
    out = out.resolve()
    content = project.content.resolve()
    for protected in (project.root, content, project.templates.resolve()):
        if out == protected or protected.is_relative_to(out) or out.is_relative_to(content):
            msg = f"refusing to build into {out}: it holds the project's own files; choose another --out"
            raise InputError([Problem(out, 1, 1, msg)])
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        msg = f"refusing to replace {out}: it is not a site built by worksheets (no {MARKER} file)"
        raise InputError([Problem(out, 1, 1, msg)])


def _digest_files(folder: Path, digest: hashlib._Hash) -> None:
    for path in files_under(folder):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")


def versions() -> str:
    """The versions in the keys: a PDF is rendered again after an upgrade of any package that
    decides its bytes. (Pango, a system library, is not asked here: that would load WeasyPrint on
    every build; after upgrading it, build with ``--clean``.)"""
    return ", ".join(f"{name} {found}" for name, found in package_versions().items())


def inputs_key(project: Project, options: str) -> str:
    """A key for every input of the build at once: all content and template files, the versions
    and the options. Equal keys mean there is nothing to do."""
    digest = hashlib.sha256(f"{versions()}\0{options}\0".encode())
    for folder in (project.content, project.templates):
        _digest_files(folder, digest)
    return digest.hexdigest()


def assets_key(project: Project) -> str:
    """A key for what a PDF loads besides its HTML (see ``Project.asset_folders``)."""
    digest = hashlib.sha256(versions().encode())
    for name, folder in project.asset_folders().items():
        digest.update(f"{name}\0".encode())
        _digest_files(folder, digest)
    return digest.hexdigest()


def read_manifest(out: Path) -> dict[str, Any]:
    """The manifest of the site in ``out``, or an empty one when there is none that a build could
    trust: unreadable, not JSON, or not of the shape a build writes. The folder is the tool's own,
    but a manifest edited, truncated or left by another version must cost a full build, not stop
    every build until ``--clean``."""
    try:
        manifest = json.loads((out / MANIFEST).read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    return manifest if _well_formed(manifest) else {}


def _well_formed(manifest: Any) -> bool:
    """Whether ``manifest`` has the shape ``builder.build`` writes: the inputs' key, every file, and
    for each PDF its key, size and number of pages."""
    if not isinstance(manifest, dict):
        return False
    inputs, files, pdfs = manifest.get("inputs"), manifest.get("files"), manifest.get("pdfs")
    if not isinstance(inputs, str) or not isinstance(files, list) or not isinstance(pdfs, dict):
        return False
    return all(isinstance(f, str) for f in files) and all(
        isinstance(entry, dict)
        and isinstance(entry.get("key"), str)
        and all(type(entry.get(n)) is int for n in ("size", "pages"))
        for entry in pdfs.values()
    )


def build_options(papers: tuple[str, ...], pdfs: bool) -> str:
    """The options that change what a build makes, as part of its inputs' key."""
    return json.dumps({"papers": list(papers), "pdfs": pdfs})


def nothing_to_do(out: Path, manifest: dict[str, Any], start: float) -> BuildResult:
    """The result of a build that found its output up to date."""
    pages = sum(1 for f in manifest["files"] if f.endswith(".html"))
    return BuildResult(out, 0, len(manifest["pdfs"]), 0, pages, time.perf_counter() - start)


def up_to_date(out: Path, inputs: str) -> dict[str, Any] | None:
    """The manifest of ``out`` when it was built from exactly these inputs (``inputs_key``) and is
    complete, and no build into it was killed half-way (that leaves folders to tidy up)."""
    if leftovers(out):
        return None
    manifest = read_manifest(out)
    if manifest.get("inputs") != inputs:
        return None
    if not all((out / path).is_file() for path in manifest.get("files", [])):
        return None
    return manifest
