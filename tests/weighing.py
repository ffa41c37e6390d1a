"""A page's weight, as a visitor's browser receives it: what the weight test and the benchmark share.

The weight of a page is the sum of the bodies of every response the browser receives for it and
for everything it loads before any click, once the network is idle, as a host that compresses
text would send them: gzip (level 6, the usual default of web servers) for HTML, CSS, JavaScript,
SVG and JSON, and everything else (fonts, pictures) as it is. Headers are left out: they depend on
the host. The site is served by Python's ``http.server`` on 127.0.0.1, which sends files as they
are, so the compression is applied here to each body the browser got.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

GZIP_LEVEL = 6
TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml")
"""Content types a host compresses (``text/`` covers HTML, CSS and JavaScript)."""
TEXT_SUFFIXES = (".html", ".css", ".js", ".mjs", ".svg", ".json")


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves files from a folder without a line on the terminal for every request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free port of 127.0.0.1 in a thread; yield its address (ending in /)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass(frozen=True)
class Loaded:
    """One response: its address, what it weighs as sent (``weight``) and its size as served."""

    url: str
    weight: int
    size: int


def is_text(url: str, content_type: str) -> bool:
    """Whether a host would compress this response."""
    return content_type.startswith(TEXT_TYPES) or url.split("?")[0].endswith(TEXT_SUFFIXES)


def weight_of(url: str, content_type: str, body: bytes) -> int:
    """The bytes a compressing host sends for ``body``."""
    return len(gzip.compress(body, GZIP_LEVEL, mtime=0)) if is_text(url, content_type) else len(body)


class Weighed:
    """What a page loaded, recorded from a browser page before it opens an address."""

    def __init__(self, page) -> None:
        self.responses = []
        page.on("response", lambda response: self.responses.append(response))

    def loaded(self) -> list[Loaded]:
        """Every response received so far, weighed (call once the network is idle)."""
        found = []
        for response in self.responses:
            body = response.body() if response.status < 300 else b""
            content_type = response.headers.get("content-type", "")
            found.append(Loaded(response.url, weight_of(response.url, content_type, body), len(body)))
        return found


def open_and_weigh(page, url: str) -> list[Loaded]:
    """Open ``url`` in ``page``, wait until the network is idle and the fonts are settled, and
    return every response the page loaded, weighed."""
    weighed = Weighed(page)
    page.goto(url, wait_until="networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_load_state("networkidle")
    return weighed.loaded()
