"""The stylesheets and fonts of the PDFs, read once per process instead of once per document.

Every PDF links the same few stylesheets (``paper.html``: the fonts' ``@font-face`` rules,
``sheet.css`` and the document's own) and has one ``<style>`` element of its own (the paper
size and the running footer). Left to itself, WeasyPrint fetches, parses and compiles the linked
stylesheets again for each document, and loads the bundled fonts (4 MB) into a new font
configuration: about a tenth of the work of a take-home sheet. Here they are read once per
process for each set of links, and kept, with their fonts, for every document with the same set.

WeasyPrint takes stylesheets parsed in advance only as *user* stylesheets, while a document's
own are *author* stylesheets. Taking all of a document's stylesheets, in their order, as user
stylesheets changes nothing in the cascade (the user agent's rules come first either way, and
``style`` attributes are still the last word) but for one case: a ``style`` attribute marked
``!important`` beats an author sheet's ``!important`` and not a user sheet's. A document with
one, or with stylesheets in any other form than ``paper.html`` writes them, or whose ``<style>``
would add fonts, counter styles or colour profiles (which are shared), is rendered as before
(``split`` returns None). The PDFs are the same, byte for byte (``tests/render/test_styles.py``).

What is kept is kept per thread (a font configuration is not safe to share between threads), a
few sets at most, and read again when a file read for it (a stylesheet, a font) has changed
since: the preview server renders for as long as it runs.
"""

from __future__ import annotations

import atexit
import gc
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from ..project import Project

_SHEET = re.compile(r'<link rel="stylesheet" href="([A-Za-z0-9_./-]+\.css)">|<style>([^<]*)</style>')
"""A stylesheet as ``paper.html`` writes it: a link to a project file, or a ``<style>`` element."""

_ANY_SHEET = re.compile(r"<(?:link|style)\b", re.IGNORECASE)
_IMPORTANT_ATTRIBUTE = re.compile(r"\bstyle\s*=\s*(?:\"[^\"]*|'[^']*)!\s*important", re.IGNORECASE)
_SHARED_STATE = re.compile(r"@(?:font-face|counter-style|color-profile)\b", re.IGNORECASE)

KEPT_AT_MOST = 8
"""Sets of stylesheets kept by a process (a site has a handful: sheets, their three variants,
packets, take-home sheets, reports)."""


@dataclass(frozen=True)
class Split:
    """A document's HTML without its stylesheets, and those stylesheets in their order: for each,
    the link's address or, for a ``<style>`` element, None and its text."""

    html: str
    sheets: tuple[tuple[str | None, str], ...]

    @property
    def links(self) -> tuple[str, ...]:
        return tuple(href for href, _ in self.sheets if href is not None)


def split(html: str) -> Split | None:
    """``html`` with its stylesheets taken out of its head, or None when they cannot be handed to
    WeasyPrint as user stylesheets with the same outcome (see the module's docstring)."""
    head, end, body = html.partition("</head>")
    if not end or _ANY_SHEET.search(body) or _IMPORTANT_ATTRIBUTE.search(html):
        return None
    sheets = [(link, None) if link else (None, text) for link, text in _SHEET.findall(head)]
    rest = _SHEET.sub("", head)
    if _ANY_SHEET.search(rest) or any(href is None and _SHARED_STATE.search(text) for href, text in sheets):
        return None
    return Split(rest + end + body, tuple((href, text or "") for href, text in sheets))


class Shared:
    """The linked stylesheets of one set of links, parsed, with the font configuration their
    ``@font-face`` rules loaded the fonts into, and what each file read for them was like then."""

    def __init__(self, links: tuple[str, ...], base: str, url_fetcher: Any) -> None:
        from weasyprint import CSS
        from weasyprint.css.counters import CounterStyle
        from weasyprint.text.fonts import FontConfiguration

        self.fonts = FontConfiguration()  # reads FONTCONFIG_FILE: made inside pdf._weasyprint's environment
        self.counters, self.profiles = CounterStyle(), {}
        served = len(url_fetcher.served)
        self.sheets = {
            href: CSS(
                url=urljoin(base, href),
                url_fetcher=url_fetcher,
                font_config=self.fonts,
                counter_style=self.counters,
                color_profiles=self.profiles,
            )
            for href in dict.fromkeys(links)
        }
        self.files = {path: _stamp(path) for path in url_fetcher.served[served:]}

    def usable(self) -> bool:
        """Whether documents may share these: not when the sheets define counter styles or colour
        profiles, which a document's own rules would have to come after."""
        return not self.counters and not self.profiles

    def current(self) -> bool:
        """Whether every file read for these is as it was."""
        return all(_stamp(path) == stamp for path, stamp in self.files.items())

    def stylesheets(self, document: Split, base: str, url_fetcher: Any) -> list[Any]:
        """The stylesheets of ``document``, in its order: those kept, and its ``<style>`` parsed now
        (``split`` made sure it changes nothing that is kept)."""
        from weasyprint import CSS

        return [
            self.sheets[href]
            if href is not None
            else CSS(string=text, base_url=base, url_fetcher=url_fetcher, font_config=self.fonts)
            for href, text in document.sheets
        ]


def _stamp(path: Path) -> tuple[int, int] | None:
    """When ``path`` was last changed, and its size; None when it is gone."""
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


_kept: OrderedDict[tuple[int, Path, tuple[str, ...]], Shared] = OrderedDict()
_lock = threading.Lock()


def shared(project: Project, links: tuple[str, ...], url_fetcher: Any) -> Shared | None:
    """What documents linking ``links`` in ``project`` share in this thread, read now (through
    ``url_fetcher``) if it was not yet or a file read for it has changed; None when documents may
    not share it."""
    key = (threading.get_ident(), project.templates, links)
    with _lock:
        found = _kept.pop(key, None)
    if found is None or not found.current():
        found = Shared(links, base_url(project), url_fetcher)
    with _lock:
        _kept[key] = found
        while len(_kept) > KEPT_AT_MOST:
            _kept.popitem(last=False)
    return found if found.usable() else None


def base_url(project: Project) -> str:
    """The address relative URLs of a document resolve against: ``templates/``."""
    return project.templates.as_uri() + "/"


@atexit.register
def _forget() -> None:
    """Let go of the font configurations before the process ends: each removes the folder into
    which WeasyPrint copied its fonts."""
    with _lock:
        _kept.clear()
    gc.collect()
