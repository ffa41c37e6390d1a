"""Preview the site: build it, serve it on 127.0.0.1, rebuild and reload the browser on changes.

The preview is built into a temporary folder, never into ``site/``, and served by Python's own HTTP
server on the loopback address only. Pages are served with a small script added on the way out
(the built files stay as ``build`` makes them) that knows which build the page came from, asks
``/__reload`` once a second, and reloads the page when a newer build has finished. If an edit
makes the content invalid, the previous preview stays up, the problems are printed, and every
page shows them in a banner until they are fixed.

The port is taken before anything is built, so a port in use is said at once. Every rebuild opens
the project again (``Project.at``), so a symbolic link added while the preview runs is checked as
at the start. A request the handler cannot answer (a path too long for the file system, a
browser that went away) gets a status or nothing, never a traceback on the terminal.
"""

from __future__ import annotations

import contextlib
import errno
import html
import json
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ..errors import InputError, RenderError
from ..formats import Paper
from ..project import Project
from .builder import build

RELOAD_PATH = "/__reload"
MAX_PATH = 2048
"""Longest request path answered (the site's longest is under 60 characters); longer is 414."""
_SCRIPT = """<script>
(function () {
  var seen = VERSION;
  setInterval(function () {
    fetch("RELOAD_PATH").then(function (r) { return r.json(); }).then(function (state) {
      if (state.version !== seen) { location.reload(); }
    }).catch(function () {});
  }, 1000);
})();
</script>""".replace("RELOAD_PATH", RELOAD_PATH)


class Preview:
    """The preview's state: where it is built, how many builds so far, and the last build error."""

    def __init__(self, project: Project, papers: tuple[Paper, ...], pdfs: bool) -> None:
        self.project = project
        self.papers = papers
        self.pdfs = pdfs
        self.folder = Path(tempfile.mkdtemp(prefix="worksheets-preview-"))
        self.out = self.folder / "site"
        self.version = 0
        self.error = ""
        self.lock = threading.Lock()

    def rebuild(self, echo: Callable[[str], None]) -> None:
        """Build again; on bad input keep the last good preview and remember the problems."""
        try:
            self.project = Project.at(self.project.root)
            result = build(self.project, self.out, self.papers, pdfs=self.pdfs)
        except (InputError, RenderError, OSError) as exc:
            with self.lock:
                self.error = str(exc)
                self.version += 1
            echo(f"Build failed; the preview shows the last good build:\n{exc}")
            return
        with self.lock:
            self.error = ""
            self.version += 1
        echo(f"Rebuilt: {result.rendered} PDFs rendered, {result.up_to_date} up to date, in {result.seconds:.1f} s")

    def close(self) -> None:
        """Remove the temporary preview folder."""
        shutil.rmtree(self.folder, ignore_errors=True)


class _Handler(SimpleHTTPRequestHandler):
    """Serves the preview folder, the reload state, and HTML with the reload script added."""

    def __init__(self, *args: Any, preview: Preview, **kwargs: Any) -> None:
        self.preview = preview
        super().__init__(*args, directory=str(preview.out), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the terminal is for build results."""

    def handle(self) -> None:
        """Answer requests until the browser closes the connection, or drops it half-way."""
        with contextlib.suppress(ConnectionError):
            super().handle()

    def parse_request(self) -> bool:
        """Refuse a request path longer than ``MAX_PATH`` (414) before it reaches the file system."""
        if not super().parse_request():
            return False
        if len(self.path) > MAX_PATH:
            self.send_error(414, f"the path is longer than {MAX_PATH} characters")
            return False
        return True

    def do_GET(self) -> None:
        self._safely(self._get)

    def do_HEAD(self) -> None:
        self._safely(super().do_HEAD)

    def _safely(self, answer: Callable[[], None]) -> None:
        """Run ``answer``; a path the file system refuses is answered with a status of its own."""
        try:
            answer()
        except ConnectionError:
            raise  # the browser went away: ``handle`` ends quietly
        except OSError as exc:
            self.send_error(414 if exc.errno == errno.ENAMETOOLONG else 404)
        except ValueError:  # a path with a NUL character in it
            self.send_error(400)

    def _get(self) -> None:
        if self.path == RELOAD_PATH:
            with self.preview.lock:
                body = json.dumps({"version": self.preview.version, "error": self.preview.error}).encode()
            self._send(200, "application/json", body)
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            self._send(200, "text/html; charset=utf-8", self._with_script(path.read_text(encoding="utf-8")))
            return
        if not path.exists():
            missing = self.preview.out / "404.html"
            self._send(404, "text/html; charset=utf-8", self._with_script(missing.read_text(encoding="utf-8")))
            return
        super().do_GET()

    def _with_script(self, page: str) -> bytes:
        """The page with the reload script, which knows which build it came from, and any error."""
        with self.preview.lock:
            error, version = self.preview.error, self.preview.version
        banner = f'<pre class="preview-error" role="alert">{html.escape(error)}</pre>' if error else ""
        page = page.replace("<main", banner + "<main", 1) if banner else page
        return page.replace("</body>", _SCRIPT.replace("VERSION", str(version)) + "</body>", 1).encode()

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def _watch(preview: Preview, ready: threading.Event, stop: threading.Event, echo: Callable[[str], None]) -> None:
    """Rebuild on every batch of changes. The first, empty, batch comes once the watch is in place,
    which is what ``ready`` waits for: an edit made before that would be missed."""
    from watchfiles import watch

    content, templates = preview.project.content, preview.project.templates
    for changes in watch(content, templates, stop_event=stop, rust_timeout=500, yield_on_timeout=True):
        ready.set()
        if changes:
            preview.rebuild(echo)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def listen(port: int) -> ThreadingHTTPServer:
    """A server on 127.0.0.1:``port`` (0 picks a free port), not yet serving; OSError when the port
    is taken or not allowed. Taken first, so a port in use costs no build."""
    return ThreadingHTTPServer(("127.0.0.1", port), SimpleHTTPRequestHandler)


def serve(
    project: Project, server: ThreadingHTTPServer, papers: tuple[Paper, ...], *, pdfs: bool, echo: Callable[[str], None]
) -> None:
    """Build, serve on ``server`` (from ``listen``) and rebuild on changes until Ctrl+C.

    A termination signal stops it like Ctrl+C, so the temporary preview folder is always removed.
    """
    signal.signal(signal.SIGTERM, _interrupt)
    preview = Preview(project, papers, pdfs)
    server.RequestHandlerClass = partial(_Handler, preview=preview)  # type: ignore[assignment]
    stop = threading.Event()
    try:
        build(project, preview.out, papers, pdfs=pdfs)  # bad content at start is an error, exit 2
        ready = threading.Event()
        watcher = threading.Thread(target=_watch, args=(preview, ready, stop, echo), daemon=True)
        watcher.start()
        ready.wait(timeout=30)
        host, bound = server.server_address[:2]
        echo(f"Serving http://{host}:{bound}/ (Ctrl+C to stop){'' if pdfs else ' without PDFs'}")
        sys.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            echo("Stopped.")
    finally:
        server.server_close()
        stop.set()
        preview.close()
