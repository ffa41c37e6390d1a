"""Content Markdown to HTML that can carry no script, and the rules for its links and images.

Markdown in ``content/`` is the site owner's, but it is published and printed, and a copied
snippet or a compromised file could hide raw HTML in it. So:

- the HTML that Markdown makes is sanitised with nh3 (the Rust sanitiser ammonia): only the
  elements Markdown itself produces survive, with no event handlers, styles or scripts;
- links may go to the site's own pages (relative), to ``https:`` addresses or to ``mailto:``;
- images may only be files in ``content/images/``, written ``images/name.png``. A remote image,
  a ``file:`` one or a ``data:`` one is refused when the content is loaded, before anything is
  fetched, so no build ever makes a connection.

Markdown may also not nest quotes, lists or HTML elements more than ``MAX_NESTING`` deep: the PDF
renderer lays out nested boxes by recursion and gives up far below what a file could ask for.

``nesting_problem`` and ``url_problems`` are called by the loader (so ``check`` and ``build``
report deep nesting or a bad link at its file and line); ``to_html`` is the template filter, and
knows from its context whether the HTML is for a site page (images under ``assets/images/``) or a
PDF (images read from ``content/images/``).
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import markdown as md
import nh3
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from ..project import IMAGES

_TAGS = {"p", "br", "hr", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre", "img"}
_TAGS |= {f"h{n}" for n in range(2, 7)}
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
_SCHEMES = {"https", "mailto"}
_VOID = {"br", "hr", "img"}
"""The elements of ``_TAGS`` that have no end tag, so hold nothing."""
_PAPER_IMAGES = "../content/"
"""Where a paper document finds pictures: WeasyPrint's base is ``templates/``."""

MAX_NESTING = 20
"""How deep the HTML of one piece of Markdown may nest. The real content reaches 3. Measured in a
worksheet PDF, WeasyPrint 70 fails with a RecursionError at 135 quotes in quotes, 95 levels of
list (190 elements) or 237 of emphasis, and a 76-level list already takes 17 s to lay out."""

_LEADING = re.compile(r"(?:[ \t]*(?:>|(?:[-*+]|\d+[.)])(?=[ \t])))*")
"""The quote and list markers that start a line, with the indentation between them."""
_MARKER = re.compile(r">|[-*+]|\d+[.)]")


def _markdown(text: str) -> str:
    """Markdown to (unsanitised) HTML."""
    return md.markdown(text, extensions=["sane_lists"], output_format="html")


@cache
def _html(text: str) -> str:
    """``_markdown``, cached: the same intro or note is checked when content loads and drawn in a
    page and in every PDF of its sheet and packets, and Markdown is the slow part of rendering the
    HTML (about two thirds of it, before this cache)."""
    return _markdown(text)


class _Urls(HTMLParser):
    """Collects the address of every link and image in a piece of HTML (entities decoded).

    Other elements with addresses (``<iframe>``, ``<form>``, ``<video>``...) never reach a page
    or a PDF: the sanitiser removes them.
    """

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "img": "src"}.get(tag)
        self.found += [(tag, value) for name, value in attrs if name == wanted and value is not None]


def _plain(url: str) -> str:
    """``url`` as a browser reads it: no spaces or control characters inside the scheme."""
    return "".join(c for c in url if c > " " and c != "\x7f")


class _Depth(HTMLParser):
    """The deepest nesting of elements in sanitised HTML (where every element is closed)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.open = self.deepest = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.open += 1
            self.deepest = max(self.deepest, self.open)

    def handle_endtag(self, tag: str) -> None:
        self.open -= 1


def _line_levels(line: str) -> int:
    """How many levels of quotes and lists a line of Markdown opens: its leading markers and
    every four columns of indentation among them (Python-Markdown nests lists by four)."""
    lead = _LEADING.match(line).group()  # type: ignore[union-attr]  # the pattern matches "" at least
    indents = re.findall(r"[ \t]+", lead)
    return len(_MARKER.findall(lead)) + sum(len(run.expandtabs(4)) // 4 for run in indents)


def _too_deep(html: str) -> bool:
    return _Depth(html).deepest > MAX_NESTING


def _clean(text: str) -> str:
    """Markdown ``text`` as sanitised HTML, not cached: for parts of a text, to find a bad line."""
    return nh3.clean(_markdown(text), tags=_TAGS)


def nesting_problem(text: str) -> tuple[int, str] | None:
    """Whether Markdown ``text`` nests deeper than ``MAX_NESTING``: the index of the line where it
    goes too deep, and a message; None when it does not.

    Checked in two steps. First each line's own markers, before any Markdown runs: Python-Markdown
    parses each level by recursion, slowly, and itself fails a few hundred levels down, so it only
    sees the lines before one that opens too many levels. Then the sanitised HTML of those lines,
    element by element, which counts raw HTML too and is what gets printed.
    """
    lines = text.splitlines()
    marked = next((i for i, line in enumerate(lines) if _line_levels(line) > MAX_NESTING), None)
    before = lines if marked is None else lines[:marked]
    html = _sanitised(text, _PAPER_IMAGES) if marked is None else _clean("\n".join(before))
    deep = _first_too_deep(before) if _too_deep(html) else marked
    if deep is None:
        return None
    msg = f"quotes, lists or HTML elements here are nested more than {MAX_NESTING} levels deep; flatten them"
    return deep, msg + " (the PDF renderer cannot lay out deep nesting)"


def _first_too_deep(lines: list[str]) -> int:
    """The index of the line at which Markdown made of ``lines`` first nests too deep (by halving:
    a few conversions, on the path of an error only)."""
    low, high = 1, len(lines)  # the first ``high`` lines are too deep; find the fewest
    while low < high:
        middle = (low + high) // 2
        if _too_deep(_clean("\n".join(lines[:middle]))):
            high = middle
        else:
            low = middle + 1
    return high - 1


def url_problems(text: str, content: Path) -> list[tuple[str, str]]:
    """What is wrong with the links and images of Markdown ``text`` (for a project whose content
    folder is ``content``): a bad address and its message, for each."""
    parser = _Urls()
    parser.feed(_html(text))
    problems = []
    for tag, url in parser.found:
        parts = urlsplit(_plain(url))
        if tag == "img":
            problems += [(url, m) for m in _image_problem(url, parts.scheme, parts.netloc, content)]
        elif parts.scheme == "http":
            problems.append((url, f"the link {url} is not secure; use https:"))
        elif parts.scheme and parts.scheme not in _SCHEMES:
            problems.append((url, f"the link {url} is not allowed; links go to pages here, https: or mailto:"))
        elif not parts.scheme and (parts.netloc or url.startswith(("/", "\\"))):
            problems.append((url, f"the link {url} leaves the site; write https: addresses in full"))
    return problems


def _image_problem(url: str, scheme: str, netloc: str, content: Path) -> list[str]:
    where = f"images go in content/{IMAGES}/ and are written {IMAGES}/name.png"
    if scheme or netloc:
        return [f"the image {url} is not a file of this project; {where}"]
    path = PurePosixPath(url)
    if path.is_absolute() or path.parts[:1] != (IMAGES,) or ".." in path.parts:
        return [f"the image {url} is outside content/{IMAGES}/; {where}"]
    if not (content / path).is_file():
        return [f"the image {url} does not exist (looked for {content / path})"]
    return []  # a link in content/images/ that leads out of it is refused by Project.at


@pass_context
def to_html(context: Context, text: str) -> Markup:
    """Content Markdown as sanitised HTML, with images pointing where this document finds them.

    A site page has ``assets`` in its context (the images are copied there); a paper document
    does not, and WeasyPrint reads the images from ``content/`` (its base is ``templates/``).
    """
    assets = context.get("assets")
    return Markup(_sanitised(text, assets if assets is not None else _PAPER_IMAGES))


@cache
def _sanitised(text: str, images: str) -> str:
    """``text`` as HTML through nh3, with picture addresses under ``images``."""

    def locate(tag: str, attribute: str, value: str) -> str:
        return images + value if tag == "img" and attribute == "src" else value

    return nh3.clean(_html(text), tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES, attribute_filter=locate)
