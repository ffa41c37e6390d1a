"""The pages of the static site, planned from the catalog and rendered to text.

Every page is a (path, text) pair with a path relative to the site's root. Links inside a page
are relative to it (``root`` is "", "../" …), so the site works opened from disk and from any
sub-path of a host. Filtering works without JavaScript: each aim, topic and time range has a page
of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment

from ..content import Catalog
from ..content import AIMS
from ..content import Worksheet
from ..render import render_template

TIME_RANGES = (("short", 0, 15), ("medium", 16, 25), ("long", 26, 10_000))
"""Minutes a worksheet takes, grouped for the "by time needed" pages: (id, from, to)."""


@dataclass(frozen=True)
class Listing:
    """A page listing the worksheets that share an aim, a topic or a time range."""

    path: str
    title: str
    worksheets: tuple[Worksheet, ...]


@dataclass(frozen=True)
class Download:
    """A PDF offered on the site: where it is (from the site's root), its name, size and pages."""

    href: str
    label: str
    size: str
    pages: int


def listings(catalog: Catalog) -> dict[str, list[Listing]]:
    """Every non-empty listing, grouped as ``aim``, ``tag`` and ``time``."""
    strings, sheets = catalog.strings, catalog.worksheets
    tags = sorted({tag for ws in sheets for tag in ws.tags}, key=catalog.site.tag_name)
    groups = {
        "aim": [
            Listing(f"aims/{aim}.html", strings.aim(aim), tuple(w for w in sheets if aim in w.aims)) for aim in AIMS
        ],
        "tag": [
            Listing(f"tags/{tag}.html", catalog.site.tag_name(tag), tuple(w for w in sheets if tag in w.tags))
            for tag in tags
        ],
        "time": [
            Listing(
                f"time/{key}.html",
                getattr(strings, f"time_{key}"),
                tuple(w for w in sheets if low <= w.minutes <= high),
            )
            for key, low, high in TIME_RANGES
        ],
    }
    return {kind: [item for item in items if item.worksheets] for kind, items in groups.items()}


def _context(catalog: Catalog, path: str | None, *, preview: bool) -> dict[str, Any]:
    """What every page template needs; ``root`` leads from ``path`` back to the site's root."""
    # The 404 page is served at whatever address was missing, so only an absolute root works there.
    root = (catalog.site.base_url or "") if path is None else "../" * path.count("/")
    canonical = None if path is None else ("" if path == "index.html" else path)
    return {
        "site": catalog.site,
        "strings": catalog.strings,
        "pages": catalog.pages,
        "has_packets": bool(catalog.packets),
        "root": root,
        "assets": f"{root}assets/",
        "path": canonical,
        "preview": preview,
    }


Downloads = list[tuple[str, list[Download]]]
"""A worksheet's PDFs, grouped by format: (format's name, its PDFs in each paper size)."""


def worksheet_page(
    env: Environment, catalog: Catalog, ws: Worksheet, downloads: Downloads, *, preview: bool = False
) -> str:
    """A worksheet's page: summary, downloads, therapist guide, the sheet as a form, the example."""
    path = f"worksheets/{ws.id}.html"
    return render_template(
        env,
        "page.html",
        **_context(catalog, path, preview=preview),
        ws=ws,
        mode="page",
        answers={},
        client="",
        date="",
        downloads=downloads,
        packets=catalog.packets_with(ws.id),
    )


def site_pages(
    env: Environment,
    catalog: Catalog,
    downloads: dict[str, Downloads],
    packet_downloads: dict[str, list[Download]],
    *,
    preview: bool = False,
) -> list[tuple[str, str]]:
    """Every page of the site: home, 404, listings, prose pages, packets, worksheets, sitemap."""
    groups = listings(catalog)
    pages = [
        (
            "index.html",
            render_template(
                env,
                "index.html",
                **_context(catalog, "index.html", preview=preview),
                worksheets=catalog.worksheets,
                listings=groups,
            ),
        ),
        ("404.html", render_template(env, "404.html", **_context(catalog, None, preview=preview))),
    ]
    for group in groups.values():
        for listing in group:
            context = _context(catalog, listing.path, preview=preview)
            pages.append((listing.path, render_template(env, "list.html", **context, listing=listing)))
    for page in catalog.pages:
        path = f"{page.id}.html"
        pages.append((path, render_template(env, "prose.html", **_context(catalog, path, preview=preview), page=page)))
    if catalog.packets:
        context = _context(catalog, "packets.html", preview=preview)
        packets = [(p, [catalog.get(i) for i in p.worksheets], packet_downloads[p.id]) for p in catalog.packets]
        pages.append(("packets.html", render_template(env, "packets.html", **context, packets=packets)))
    for ws in catalog.worksheets:
        pages.append((f"worksheets/{ws.id}.html", worksheet_page(env, catalog, ws, downloads[ws.id], preview=preview)))
    if catalog.site.base_url:
        paths = ["" if p == "index.html" else p for p, _ in pages if p != "404.html"]
        pages.append(("sitemap.xml", render_template(env, "sitemap.xml", site=catalog.site, paths=paths)))
    return pages
