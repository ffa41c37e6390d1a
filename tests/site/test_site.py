"""The built site read as files: links, headings, metadata, listings, sitemap, preview mode."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from worksheets.content.loader import load_catalog
from worksheets.site.builder import build

from conftest import ROOT

RESOURCE_ATTRS = {("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"), ("iframe", "src")}


class Page(HTMLParser):
    """The parts of a page the tests look at: links, resources, ids, headings, head metadata."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.ids: set[str] = set()
        self.headings: list[int] = []
        self.meta: dict[str, str] = {}
        self.lang = ""
        self.title = ""
        self._in_title = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "html":
            self.lang = values.get("lang", "")
        if tag == "a" and "href" in values:
            self.links.append(values["href"])
        for element, attr in RESOURCE_ATTRS:
            if tag == element and attr in values:
                self.resources.append(values[attr])
        if tag == "meta" and "name" in values:
            self.meta[values["name"]] = values.get("content", "")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        self._in_title = tag == "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def resolve(page: Path, href: str) -> tuple[Path, str]:
    """The file and fragment a relative link from ``page`` points to."""
    parts = urlsplit(href)
    target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    return target, parts.fragment


def test_every_internal_link_and_resource_resolves(built_site):
    parsed = {p.resolve(): Page(p.read_text()) for p in html_pages(built_site)}
    checked = 0
    for path, page in parsed.items():
        for href in page.links + page.resources:
            if urlsplit(href).scheme in ("http", "https", "mailto"):
                continue
            target, fragment = resolve(path, href)
            assert target.is_file(), f"{path.relative_to(built_site.resolve())}: broken link {href}"
            assert target.is_relative_to(built_site.resolve()), f"{href} leaves the site"
            if fragment:
                assert fragment in parsed[target].ids, f"{path.name}: no #{fragment} in {target.name}"
            checked += 1
    assert checked > 300


def test_nothing_is_loaded_from_elsewhere(built_site):
    for path in html_pages(built_site):
        page = Page(path.read_text())
        external = [r for r in page.resources if urlsplit(r).scheme or r.startswith("//")]
        assert not external, f"{path.name} loads {external}"
        scripts = re.findall(r"<script\b[^>]*>", path.read_text())
        expected = ['<script type="application/json" id="sheet-data">', '<script type="module">']
        assert scripts == (expected if path.parent.name == "worksheets" else []), f"{path.name}: {scripts}"
        outside = [a for a in page.links if urlsplit(a).scheme and "creativecommons.org" not in a]
        assert not outside, f"{path.name} links out to {outside}"
    for css in (built_site / "assets" / "css").glob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css.read_text()), css.name
    # The page's script reads only the site's own files: no address of anywhere else in it.
    for script in (ROOT / "templates" / "sheet.js", built_site / "assets" / "js" / "pdf.js"):
        assert not re.search(r"(https?:)?//[a-z]", script.read_text()), script.name


def test_every_page_has_language_title_description_and_ordered_headings(built_site):
    for path in html_pages(built_site):
        page = Page(path.read_text())
        name = path.relative_to(built_site)
        assert page.lang == {"es": "es", "ar": "ar"}.get(name.parts[0], "en-GB"), name
        assert page.title.strip() and page.meta.get("description"), name
        assert page.meta.get("viewport"), name
        assert page.headings.count(1) == 1 and page.headings[0] == 1, f"{name}: {page.headings}"
        for before, after in zip(page.headings, page.headings[1:], strict=False):
            assert after <= before + 1, f"{name}: heading h{after} after h{before}"


def test_listings_filter_without_javascript(built_site, catalog):
    coping = (built_site / "aims" / "coping.html").read_text()
    for ws in catalog.worksheets:
        assert (f'href="../worksheets/{ws.id}.html"' in coping) == ("coping" in ws.aims), ws.id
    short = (built_site / "time" / "short.html").read_text()
    for ws in catalog.worksheets:
        assert (f'href="../worksheets/{ws.id}.html"' in short) == (ws.minutes <= 15), ws.id
    index = (built_site / "index.html").read_text()
    tags = {tag for ws in catalog.worksheets for tag in ws.tags}
    for tag in tags:
        assert f'href="tags/{tag}.html"' in index
        assert (built_site / "tags" / f"{tag}.html").exists()


def test_worksheet_pages_offer_both_pdfs_with_their_sizes(built_site, catalog):
    for ws in catalog.worksheets:
        page = (built_site / "worksheets" / f"{ws.id}.html").read_text()
        for paper in ("letter", "a4"):
            pdf = built_site / "pdf" / f"{ws.id}-{paper}.pdf"
            size = f"{pdf.stat().st_size / 1024:.0f} KB"
            assert re.search(rf'href="../pdf/{ws.id}-{paper}.pdf" download>[^<]+</a> <span class="meta">{size}<', page)
        assert ws.notes.purpose.split()[0] in page
        assert ws.example.client in page


def test_site_pages_and_no_sitemap_without_base_url(built_site):
    assert (built_site / "404.html").exists()
    assert (built_site / "about.html").exists()
    assert (built_site / "favicon.svg").read_text().startswith("<svg")
    assert not (built_site / "sitemap.xml").exists()
    assert 'rel="canonical"' not in (built_site / "index.html").read_text()


@pytest.fixture
def with_base_url(scratch):
    site = scratch.content / "site.yaml"
    site.write_text(site.read_text() + "base_url: https://example.org/sheets/\n")
    return scratch


def test_base_url_gives_sitemap_and_canonical_links(with_base_url, tmp_path):
    out = tmp_path / "site"
    build(with_base_url, out, pdfs=False)
    sitemap = (out / "sitemap.xml").read_text()
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    pages = {p.relative_to(out).as_posix() for p in html_pages(out)} - {"404.html", "index.html"}
    assert sorted(locations) == sorted(
        ["https://example.org/sheets/"] + [f"https://example.org/sheets/{p}" for p in pages]
    )
    grow = (out / "worksheets" / "grow.html").read_text()
    assert '<link rel="canonical" href="https://example.org/sheets/worksheets/grow.html">' in grow
    missing = (out / "404.html").read_text()
    assert 'href="https://example.org/sheets/assets/css/site.css"' in missing
    assert 'rel="canonical"' not in missing


def test_base_url_must_be_an_http_url_ending_in_a_slash(with_base_url):
    site = with_base_url.content / "site.yaml"
    site.write_text(site.read_text().replace("https://example.org/sheets/", "example.org"))
    from worksheets.errors import InputError

    line = site.read_text().splitlines().index("base_url: example.org") + 1
    with pytest.raises(InputError, match=rf"site.yaml:{line}:11: expected a web address starting with http"):
        load_catalog(with_base_url)


def test_preview_without_pdfs_says_so(scratch, tmp_path):
    out = tmp_path / "preview"
    result = build(scratch, out, pdfs=False)
    assert result.rendered == 0 and not list(out.glob("pdf/*"))
    page = (out / "worksheets" / "grow.html").read_text()
    assert "preview without PDFs" in page and "download>" not in page


def test_every_language_has_the_same_pages_and_pdfs(built_site):
    english = {p.relative_to(built_site).as_posix() for p in built_site.rglob("*") if p.is_file()}
    english = {p for p in english if not p.startswith(("es/", "ar/", "assets/"))}
    for lang in ("es", "ar"):
        other = {p.relative_to(built_site / lang).as_posix() for p in (built_site / lang).rglob("*") if p.is_file()}
        assert other == english - {
            "404.html",
            "sitemap.xml",
            "favicon.svg",
            ".worksheets-site",
            ".worksheets-manifest.json",
        }
        page = (built_site / lang / "worksheets" / "grow.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page
        for other_lang, href in (("en-GB", "../../worksheets/grow.html"), ("es", "../../es/worksheets/grow.html")):
            assert f'<link rel="alternate" hreflang="{other_lang}" href="{href}">' in page
        assert 'href="../../assets/css/site.css"' in page, "one copy of the assets for every language"
        assert 'href="../pdf/grow-a4.pdf"' in page


def test_a_sheet_not_yet_translated_is_said_to_be_so_and_links_to_english(scratch_languages, tmp_path):
    from worksheets.site import build

    sheet = scratch_languages.worksheets_dir / "grow.yaml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("label: Good points", "label: Good sides"), "utf-8")
    site = scratch_languages.content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "base_url: https://example.org/sheets/\n", encoding="utf-8")
    result = build(scratch_languages, tmp_path / "site", pdfs=False)
    assert any("worksheet 'grow' left out: 1 missing" in n for n in result.notes), result.notes
    out = tmp_path / "site"
    stub = (out / "es" / "worksheets" / "grow.html").read_text(encoding="utf-8")
    assert "todavía no está disponible" in stub or "no está disponible" in stub
    assert 'href="../../worksheets/grow.html"' in stub
    assert 'hreflang="es"' not in (out / "worksheets" / "grow.html").read_text(encoding="utf-8").split("</head>")[0]
    index = (out / "es" / "index.html").read_text(encoding="utf-8")
    assert 'id="untranslated"' in index and "worksheets/grow.html" in index
    packets = (out / "es" / "packets.html").read_text(encoding="utf-8")
    assert "worksheets/grow.html" not in packets, "packets leave the sheet out"
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://example.org/sheets/es/worksheets/smart-goals.html" in sitemap
    assert "https://example.org/sheets/es/worksheets/grow.html" not in sitemap
    assert 'hreflang="ar" href="https://example.org/sheets/ar/worksheets/smart-goals.html"' in sitemap


def test_no_pdf_of_any_language_prints_a_missing_glyph(built_site, project):
    """Every character drawn in every PDF (read back with pdftotext) is one a bundled font has:
    PDFs use only those fonts, so any other would be an empty box. Nor is any text unreadable
    (U+FFFD), and each language's PDFs hold text of its own script."""
    from worksheets.content.glyphs import missing

    pdfs = sorted(built_site.rglob("*.pdf"))
    assert len(pdfs) == 330, "110 PDFs in each of 3 languages"
    for path in pdfs:
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
        text = text.decode("utf-8")
        name = path.relative_to(built_site)
        assert "\ufffd" not in text, f"{name}: unreadable text"
        assert not missing(text, project.templates), f"{name}: {missing(text, project.templates)}"
        if name.parts[0] == "ar":
            assert any("\u0600" <= c <= "\u06ff" for c in text), f"{name}: no Arabic text"
        if name.parts[0] == "es":
            assert any(c in "áéíóúñ¿¡" for c in text), f"{name}: no Spanish text"
