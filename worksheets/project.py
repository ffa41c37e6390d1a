"""Where a project's parts are: every command works on one project folder (``--project``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Problem


@dataclass(frozen=True)
class Project:
    """A project folder: ``content/`` (what the sheets say) and ``templates/`` (how they look)."""

    root: Path

    @classmethod
    def at(cls, root: Path | str) -> Project:
        """The project in ``root``; InputError when it has no ``content/site.yaml``."""
        project = cls(Path(root).resolve())
        for required in (project.content / "site.yaml", project.templates):
            if not required.exists():
                msg = f"not a worksheets project: {required} is missing"
                if required.with_suffix(".yml").exists():
                    msg += f" (rename {required.with_suffix('.yml').name} to {required.name})"
                raise InputError([Problem(required, 1, 1, msg)])
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
