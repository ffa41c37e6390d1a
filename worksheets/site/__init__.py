"""Site: from a ``Catalog`` to a built static site, and a preview of it.

Plans every page and PDF, renders only what changed, writes it all in a staging folder and swaps
it into place; answers "is the site up to date?" without loading anything heavy; serves a
live-reloading preview.
"""

from __future__ import annotations

from ..exports import lazy_exports

_EXPORTS = {
    "Languages": "pages",
    "MARKER": "freshness",
    "build": "builder",
    "build_options": "freshness",
    "editions": "builder",
    "check_out": "freshness",
    "inputs_key": "freshness",
    "listen": "preview",
    "nothing_to_do": "freshness",
    "plan_pdfs": "builder",
    "serve": "preview",
    "site_pages": "pages",
    "up_to_date": "freshness",
    "web_fonts": "webfonts",
    "web_font_rules": "webfonts",
}
"""What the stages above use, and the module each comes from (imported when first asked for)."""

__all__ = list(_EXPORTS)


__getattr__ = lazy_exports(__name__, _EXPORTS)
