"""The user's cache folder, where builds keep what they made for the builds after them: the web
fonts (``webfonts.py``) and packets' parts and layouts (``sections.py``). Neither is part of the
site, and either may be removed at any time: a build then makes it again."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache(name: str) -> Path | None:
    """``worksheets/NAME`` in the user's cache folder (``$XDG_CACHE_HOME``, or ``~/.cache``);
    None when there is no home to find it in."""
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        root = Path(base) if base else Path.home() / ".cache"
    except RuntimeError:
        return None
    return root / "worksheets" / name
