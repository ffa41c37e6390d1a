"""Page weight: every worksheet page of every language stays under 150,000 bytes before any click.

The weight is what a browser receives for a page and everything it loads, from a host that
compresses text (see ``weighing.py`` and docs/performance.md). The real built site is served over
HTTP on 127.0.0.1 and opened in headless Chromium at phone and desktop widths. The pages' fonts
must still draw every character they show, and a character typed in a script the page does not
show must make the browser fetch the one slice that has it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import Watched
from weighing import open_and_weigh, served

LIMIT = 150_000
"""Bytes a worksheet page may weigh before any click (issue 16)."""
LANGUAGES = ("", "es/", "ar/")
"""The site's languages: English at the root, then each in its folder."""
WIDTHS = (390, 1280)
"""A phone and a desktop."""
SCRIPTS_ON_CLICK = ("/assets/vendor/", "/assets/js/pdf.js")
"""What only Save as PDF loads."""

UNDRAWN = """() => {
  // Each character of the text shown and typed, with the family of its element's font list that
  // has a face covering it (as a browser picks one), and whether that face is loaded.
  const unquote = (name) => name.trim().replace(/^["']|["']$/g, "");
  const ranges = (text) => text.split(",").map((part) => {
    const [low, high] = part.trim().replace(/^U\\+/i, "").split("-");
    return [parseInt(low, 16), parseInt(high ?? low, 16)];
  });
  const faces = [...document.fonts].map((face) => ({
    family: unquote(face.family), ranges: ranges(face.unicodeRange),
  }));
  const covers = (family, code) =>
    faces.some((face) => face.family === family && face.ranges.some(([low, high]) => low <= code && code <= high));
  const problems = new Set();
  const look = (element, text) => {
    const style = getComputedStyle(element);
    const font = `${style.fontStyle} ${style.fontWeight} 16px`;
    for (const char of text) {
      if (/[\\s\\p{Cf}]/u.test(char)) continue;
      const code = char.codePointAt(0);
      const family = style.fontFamily.split(",").map(unquote).find((name) => covers(name, code));
      if (!family) problems.add(`${char} (U+${code.toString(16)}): no bundled font of ${style.fontFamily}`);
      else if (!document.fonts.check(`${font} "${family}"`, char)) {
        problems.add(`${char}: ${font} "${family}" is not loaded`);
      }
    }
  };
  // Text in drawings is left out: an SVG names its own fonts (render/diagrams.py and charts.py).
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    const shown = element.getClientRects().length && getComputedStyle(element).visibility !== "hidden";
    if (shown && !element.closest("svg")) look(element, node.data);
  }
  for (const field of document.querySelectorAll("textarea, input")) {
    const typed = field.tagName === "TEXTAREA" || ["text", "search", "date", "number"].includes(field.type);
    if (typed && field.value && field.getClientRects().length) look(field, field.value);
  }
  return [...problems];
}"""
"""A script listing every character shown on the page that is not drawn in a loaded bundled face."""


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    with served(built_site) as url:
        yield url


def worksheet_pages(site: Path) -> list[str]:
    """Every worksheet page of every language, as paths from the site's root."""
    pages = []
    for language in LANGUAGES:
        found = sorted(str(p.relative_to(site)) for p in (site / language / "worksheets").glob("*.html"))
        assert len(found) >= 9, f"{language or 'en'}: {found}"
        pages += found
    return pages


def test_every_worksheet_page_weighs_under_150_kb(browser, built_site, site_url):
    """At both widths: under the limit, no PDF library, no error, and every character drawn in a
    loaded bundled font (Arabic in Noto Sans Arabic on the Arabic pages)."""
    problems = []
    for path in worksheet_pages(built_site):
        for width in WIDTHS:
            watched = Watched(browser, width)
            loaded = open_and_weigh(watched.page, site_url + path)
            weight = sum(item.weight for item in loaded)
            where = f"{path} at {width}px"
            if weight >= LIMIT:
                heaviest = sorted(loaded, key=lambda item: -item.weight)[:5]
                problems.append(f"{where}: {weight:,} bytes; most: {[(i.url, i.weight) for i in heaviest]}")
            problems += [
                f"{where} loaded {item.url}" for item in loaded if any(s in item.url for s in SCRIPTS_ON_CLICK)
            ]
            problems += [f"{where}: {message}" for message in watched.errors + watched.failed]
            problems += [f"{where}: {message}" for message in watched.page.evaluate(UNDRAWN)]
            faces = {item.url.rsplit("/", 1)[-1] for item in loaded if item.url.endswith(".woff2")}
            needed = {"AtkinsonHyperlegible-Regular.woff2", "NotoSansArabic-Regular.arabic.woff2"}  # the switcher
            if path.startswith("ar/"):
                needed.add("NotoSansArabic-Bold.arabic.woff2")
            problems += [f"{where}: {face} was not loaded" for face in sorted(needed - faces)]
            watched.close()
    assert not problems, "\n".join(problems)


TYPED = [
    ("Ελπίδα και χαρά", {"NotoSans-Regular.greek.woff2"}),
    ("Надежда", {"NotoSans-Regular.cyrillic.woff2"}),
    ("שלום עולם", {"NotoSansHebrew-Regular.woff2"}),
    ("پدر گرامی", {"NotoSansArabic-Regular.rest.woff2"}),
    ("Felt proud 🙂👍🏽", {"NotoEmoji-Regular.woff2"}),
]
"""Text a client may type, and the only slices it should make the browser fetch (on an English page,
which already has Atkinson and the first Arabic slice)."""


@pytest.mark.parametrize(("text", "slices"), TYPED, ids=["greek", "cyrillic", "hebrew", "persian", "emoji"])
def test_typed_text_fetches_the_slice_that_has_it(browser, site_url, text, slices):
    watched = Watched(browser)
    page = watched.page
    open_and_weigh(page, site_url + "worksheets/smart-goals.html")
    before = len(watched.requests)
    page.locator("#f-own-words").fill(text)
    page.wait_for_function(f"() => ({UNDRAWN})().length === 0", timeout=10_000)
    page.evaluate("document.fonts.ready.then(() => true)")
    fetched = {url.rsplit("/", 1)[-1] for url in watched.requests[before:]}
    assert fetched == slices
    assert not watched.errors and not watched.failed
    watched.close()
