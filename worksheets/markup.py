"""Content Markdown to HTML that can carry no script, and the rules for its links and images.

Markdown in ``content/`` is the site owner's, but it is published and printed, and a copied
snippet or a compromised file could hide raw HTML in it. So:

- the HTML that Markdown makes is sanitised with nh3 (the Rust sanitiser ammonia): only the
  elements Markdown itself produces survive, with no event handlers, styles or scripts;
- links may go to the site's own pages (relative), to ``https:`` addresses or to ``mailto:``;
- images may only be files in ``content/images/``, written ``images/name.png``. A remote image,
  a ``file:`` one or a ``data:`` one is refused when the content is loaded, before anything is
  fetched, so no build ever makes a connection.

``url_problems`` is called by the loader (so ``check`` and ``build`` report a bad link at its file
and line); ``to_html`` is the template filter, and knows from its context whether the HTML is for
a site page (images under ``assets/images/``) or a PDF (images read from ``content/images/``).
"""

from __future__ import annotations

from functools import cache
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import markdown as md
import nh3
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from .freshness import IMAGES

_TAGS = {"p", "br", "hr", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre", "img"}
_TAGS |= {f"h{n}" for n in range(2, 7)}
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
_SCHEMES = {"https", "mailto"}


@cache
def _html(text: str) -> str:
    """Markdown to (unsanitised) HTML. Cached: the same intro or note is checked when content loads
    and drawn in a page and in every PDF of its sheet and packets, and Markdown is the slow part of
    rendering the HTML (about two thirds of it, before this cache)."""
    return md.markdown(text, extensions=["sane_lists"], output_format="html")


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
    if not (content / path).resolve().is_relative_to((content / IMAGES).resolve()):
        return [f"the image {url} links to a file outside content/{IMAGES}/; copy the file in instead"]
    return []


@pass_context
def to_html(context: Context, text: str) -> Markup:
    """Content Markdown as sanitised HTML, with images pointing where this document finds them.

    A site page has ``assets`` in its context (the images are copied there); a paper document
    does not, and WeasyPrint reads the images from ``content/`` (its base is ``templates/``).
    """
    assets = context.get("assets")
    return Markup(_sanitised(text, assets if assets is not None else "../content/"))


@cache
def _sanitised(text: str, images: str) -> str:
    """``text`` as HTML through nh3, with picture addresses under ``images``."""

    def locate(tag: str, attribute: str, value: str) -> str:
        return images + value if tag == "img" and attribute == "src" else value

    return nh3.clean(_html(text), tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES, attribute_filter=locate)
