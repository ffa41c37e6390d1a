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

from ..content import AIMS, Catalog, Worksheet, name_in, own_name
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
    """A PDF offered on the site: where it is (from the site's root), its name, size and pages,
    and the format (``group``: print, fillable, a variant, packet) and paper it is in."""

    href: str
    label: str
    size: str
    pages: int
    group: str
    paper: str


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


@dataclass(frozen=True)
class Alternate:
    """The same page in another language, for the switcher and ``hreflang`` links."""

    language: str
    name: str
    href: str
    current: bool
    exists: bool


@dataclass(frozen=True)
class Languages:
    """The languages of the site: the content's own at the root, each other in a folder named
    for it; and the pages each has, so that a page links to its versions that exist."""

    source: str
    paths: dict[str, set[str]]
    stubs: dict[str, set[str]]
    """Per language, the pages that only say a worksheet is not yet translated."""

    @staticmethod
    def folder(language: str, source: str) -> str:
        return "" if language == source else f"{language}/"

    def alternates(self, language: str, path: str) -> list[Alternate]:
        """Every language's version of ``path`` (its home page where it has no such page), with
        hrefs relative to ``path`` in ``language``."""
        up = "../" * (path.count("/") + (language != self.source))
        out = []
        for other, paths in self.paths.items():
            target = self.folder(other, self.source) + (path if path in paths else "index.html")
            exists = path in paths and path not in self.stubs.get(other, set())
            out.append(Alternate(other, own_name(other), up + target, other == language, exists))
        return out


def _context(
    catalog: Catalog, path: str | None, *, preview: bool, languages: Languages | None = None
) -> dict[str, Any]:
    """What every page template needs: ``root`` leads from ``path`` back to its language's home,
    ``top`` to the site's root (where the assets are, shared by every language)."""
    language = catalog.site.language
    source = languages.source if languages else language
    folder = Languages.folder(language, source)
    # The 404 page is served at whatever address was missing, so only an absolute root works there.
    if path is None:
        top = catalog.site.base_url or ""
        root = top + folder
    else:
        root = "../" * path.count("/")
        top = root + ("../" if folder else "")
    canonical = None if path is None else folder + ("" if path == "index.html" else path)
    return {
        "site": catalog.site,
        "strings": catalog.strings,
        "references": catalog.references,
        "pages": catalog.pages,
        "has_packets": bool(catalog.packets),
        "root": root,
        "top": top,
        "assets": f"{top}assets/",
        "path": canonical,
        "preview": preview,
        "alternates": languages.alternates(language, path) if languages and path and len(languages.paths) > 1 else [],
        "language_name": name_in(language, language),
        "source_name": name_in(source, language),
        "ws_language": source,
    }


SCRIPT_STRINGS = (
    "saved_answers",
    "opened_answers",
    "answers_damaged",
    "answers_other_sheet",
    "answers_old",
    "keep_on",
    "keep_off",
    "keep_failed",
    "kept_back",
    "forget_confirm",
    "forgotten",
    "prefilled",
    "link_broken",
    "link_other",
    "link_unsupported",
    "making_pdf",
    "made_pdf",
    "pdf_failed",
    "pdf_cut",
    "link_kept",
    "kept_old",
)
"""The strings the page's script says (templates/sheet.js): given to it with the page."""

Downloads = list[tuple[str, list[Download]]]
"""A worksheet's PDFs, grouped by format: (format's name, its PDFs in each paper size)."""


def worksheet_page(
    env: Environment,
    catalog: Catalog,
    ws: Worksheet,
    downloads: Downloads,
    *,
    preview: bool = False,
    languages: Languages | None = None,
) -> str:
    """A worksheet's page: summary, downloads, therapist guide, the sheet as a form, the example."""
    path = f"worksheets/{ws.id}.html"
    context = _context(catalog, path, preview=preview, languages=languages)
    strings = catalog.strings
    fillable = [d for _, files in downloads for d in files if d.group == "fillable"]
    script = {
        "sheet": ws.id,
        "title": ws.title,
        "root": context["root"],
        "assets": context["assets"],
        "strings": {key: getattr(strings, key) for key in SCRIPT_STRINGS},
    }
    return render_template(
        env,
        "page.html",
        **context,
        ws=ws,
        fillable=fillable,
        script_data=script,
        mode="page",
        answers={},
        client="",
        date="",
        downloads=downloads,
        packets=catalog.packets_with(ws.id),
    )


def page_paths(catalog: Catalog) -> set[str]:
    """The path of every page ``site_pages`` makes of ``catalog`` that a language switcher or the
    sitemap may lead to (all but the 404 page)."""
    paths = {"index.html"} | {x.path for group in listings(catalog).values() for x in group}
    paths |= {f"{p.id}.html" for p in catalog.pages} | ({"packets.html"} if catalog.packets else set())
    return paths | {f"worksheets/{ws.id}.html" for ws in (*catalog.worksheets, *catalog.untranslated)}


def site_pages(
    env: Environment,
    catalog: Catalog,
    downloads: dict[str, Downloads],
    packet_downloads: dict[str, list[Download]],
    *,
    preview: bool = False,
    languages: Languages | None = None,
) -> list[tuple[str, str]]:
    """Every page of the site in the catalog's language (paths inside that language's folder):
    home, 404, listings, prose pages, packets, worksheets, and a page for each worksheet not yet
    translated, which says so and links to it in the content's language."""

    def context(path: str | None) -> dict[str, Any]:
        return _context(catalog, path, preview=preview, languages=languages)

    groups = listings(catalog)
    pages = [
        (
            "index.html",
            render_template(
                env,
                "index.html",
                **context("index.html"),
                worksheets=catalog.worksheets,
                untranslated=catalog.untranslated,
                listings=groups,
            ),
        ),
    ]
    if languages is None or catalog.site.language == languages.source:  # one 404 page, at the site's root
        pages.append(("404.html", render_template(env, "404.html", **context(None))))
    for group in groups.values():
        for listing in group:
            pages.append((listing.path, render_template(env, "list.html", **context(listing.path), listing=listing)))
    for page in catalog.pages:
        path = f"{page.id}.html"
        pages.append((path, render_template(env, "prose.html", **context(path), page=page)))
    if catalog.packets:
        packets = [(p, [catalog.get(i) for i in p.worksheets], packet_downloads[p.id]) for p in catalog.packets]
        pages.append(("packets.html", render_template(env, "packets.html", **context("packets.html"), packets=packets)))
    for ws in catalog.worksheets:
        page = worksheet_page(env, catalog, ws, downloads[ws.id], preview=preview, languages=languages)
        pages.append((f"worksheets/{ws.id}.html", page))
    for ws in catalog.untranslated:
        path = f"worksheets/{ws.id}.html"
        pages.append((path, render_template(env, "untranslated.html", **context(path), ws=ws)))
    return pages


def sitemap(env: Environment, catalog: Catalog, languages: Languages) -> str | None:
    """``sitemap.xml`` for a site with a ``base_url``: every page of every language, each with
    its versions in the others (``hreflang``); None without a base URL."""
    base = catalog.site.base_url
    if not base:
        return None
    entries = []

    def url(lang: str, page: str) -> str:
        return base + Languages.folder(lang, languages.source) + ("" if page == "index.html" else page)

    real = {lang: paths - languages.stubs.get(lang, set()) for lang, paths in languages.paths.items()}
    for language, paths in real.items():
        for path in sorted(paths):
            others = [(lang, url(lang, path)) for lang, theirs in real.items() if path in theirs]
            entries.append((url(language, path), others if len(others) > 1 else []))
    return render_template(env, "sitemap.xml", entries=entries)
