"""Where a project's parts are: every command works on one project folder (``--project``).

Opening a project (``Project.at``) is the one door every command comes through, so it is also
where the project's boundary is kept. A symbolic link anywhere in ``content/`` or ``templates/``
(those folders included) is followed to where it leads: a link out of the project would let the
build read, print and publish a file from elsewhere on this computer (``ln -s ~/private
content/images`` would put every file of ``~/private`` online), so it stops every command with a
message naming the link and its target. Links that stay inside the project are fine, except
inside the folders copied whole into the site (stylesheets, fonts, pictures): there a link must
stay inside its own folder, so that nothing else of the project is published by a link.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Problem

ASSET_DIRS = ("css", "fonts")
"""The folders of ``templates/`` copied under the site's ``assets/``: a PDF may load them too."""

SCRIPT_DIRS = ("js", "vendor")
"""The folders of ``templates/`` copied under ``assets/`` for pages only: what Save as PDF loads
(``js/pdf.js``, and pdf-lib and fontkit as published, in ``vendor/``). No PDF loads them, so a
change to them renders no PDF again."""

IMAGES = "images"
"""The folder of ``content/`` for pictures in Markdown (see ``markup``), also copied to ``assets/``."""


@dataclass(frozen=True)
class Project:
    """A project folder: ``content/`` (what the sheets say) and ``templates/`` (how they look)."""

    root: Path

    @classmethod
    def at(cls, root: Path | str) -> Project:
        """The project in ``root``; InputError when it has no ``content/site.yaml`` or when a link
        in it leads out of it (see the module's docstring)."""
        project = cls(Path(root).resolve())
        for required in (project.content / "site.yaml", project.templates):
            if not required.exists():
                msg = f"not a worksheets project: {required} is missing"
                if required.with_suffix(".yml").exists():
                    msg += f" (rename {required.with_suffix('.yml').name} to {required.name})"
                raise InputError([Problem(required, 1, 1, msg)])
        problems = sorted(project.links_out(), key=lambda problem: str(problem.path))
        if problems:
            raise InputError(problems)
        return project

    @property
    def content(self) -> Path:
        """Folder of the YAML content."""
        return self.root / "content"

    @property
    def templates(self) -> Path:
        """Folder of the Jinja2 templates and the static assets (CSS, fonts)."""
        return self.root / "templates"

    @property
    def worksheets_dir(self) -> Path:
        """Folder of one YAML file per worksheet."""
        return self.content / "worksheets"

    def asset_folders(self) -> dict[str, Path]:
        """What a site copies under ``assets/`` and a PDF may load besides its HTML: the stylesheets
        and fonts from ``templates/``, and the pictures that content Markdown shows."""
        folders = {name: self.templates / name for name in ASSET_DIRS}
        folders[IMAGES] = self.content / IMAGES
        return {name: folder for name, folder in folders.items() if folder.is_dir()}

    def site_asset_folders(self) -> dict[str, Path]:
        """Everything a site copies under ``assets/``: ``asset_folders`` and the pages' scripts."""
        scripts = {name: self.templates / name for name in SCRIPT_DIRS}
        return self.asset_folders() | {name: folder for name, folder in scripts.items() if folder.is_dir()}

    def links_out(self) -> Iterator[Problem]:
        """Every symbolic link in ``content/`` and ``templates/`` (and those two themselves) that
        leads out of the project, or out of the published folder it is in.

        Links to folders are followed, so a link inside a linked folder is checked too; a folder
        reached again under the same rule is not walked twice, which also ends a link that loops
        back to a folder holding it. Only links and folders are looked at (a plain file is where its
        folder is), so this costs about a millisecond: the no-op build stays fast.
        """
        project = _Bound(self.root, f"the project ({self.root})")
        published = {
            folder: _Bound(folder.resolve(), f"{folder.relative_to(self.root)}/, a folder published whole")
            for folder in self.site_asset_folders().values()
        }
        pending = [(self.content, project), (self.templates, project)]
        walked: set[tuple[Path, Path]] = set()
        while pending:
            path, bound = pending.pop()
            try:
                link = path.is_symlink()
                real = path.resolve()
                broken = next((b for b in (project, bound) if not real.is_relative_to(b.folder)), None)
                if link and broken is not None:
                    msg = f"this symbolic link leads to {real}, outside {broken.name}; copy the files in instead"
                    yield Problem(path, 1, 1, msg)
                    continue
                inner = published.get(path, bound)
                if (real, inner.folder) in walked or not path.is_dir():
                    continue
                walked.add((real, inner.folder))
                with os.scandir(path) as entries:  # plain files need no look: their folder is inside
                    found = [e.path for e in entries if e.is_symlink() or e.is_dir(follow_symlinks=False)]
                pending += [(Path(found_path), inner) for found_path in found]
            except (OSError, RuntimeError) as exc:  # a link that loops, a folder that cannot be read
                yield Problem(path, 1, 1, f"cannot follow this path: {getattr(exc, 'strerror', None) or exc}")


def files_under(folder: Path) -> list[Path]:
    """Every file under ``folder``, in sorted order: what the build's keys hash, the site copies
    and a cluster's workers receive, walked the same way so that the three agree."""
    return sorted(path for path in folder.rglob("*") if path.is_file())


@dataclass(frozen=True)
class _Bound:
    """Where the links in a folder may lead (resolved), and how to name that place in a message."""

    folder: Path
    name: str
