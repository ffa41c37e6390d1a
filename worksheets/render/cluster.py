"""Render on a Dask cluster: the documents of ``pool.render_all``, sent to workers elsewhere.

For catalogs that outgrow one computer (``--scheduler``). Only the rendering moves: this computer
still plans the work, receives every PDF's bytes and writes them, so a site is swapped in whole or
not at all, exactly as after a local build.

- What travels: workers have the package installed (``pip install 'worksheets[dask]'``) but not
  the project. The files a PDF may load (``Project.asset_folders``: stylesheets, fonts, pictures)
  go to each worker once, as a worker plugin that writes them into a private temporary folder there
  (a worker that joins mid-build gets it too) and deletes it when the build ends. Each task
  carries one document's HTML and brings back its PDF.
- The same bytes as a local build: a PDF does not depend on where the project's files are (its
  identifier comes from its HTML, its fonts from the project only), and workers whose versions of
  what shapes a PDF differ from this computer's are refused before anything is sent.
- Failures: the scheduler gives a dead worker's tasks to the others. A scheduler that cannot be
  reached, or a cluster that finishes nothing for ``Cluster.patience`` seconds, raises RenderError;
  the caller has written nothing yet.
- Privacy: tasks are named by a hash and sent without their document's title (a client's file
  name), and a ``Document`` prints without its text, so a worker's log of a failed task shows
  nothing of a client: this computer puts the title back into the message.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import CancelledError
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from distributed import Client, Reschedule, WorkerPlugin, get_worker, wait

from ..errors import RenderError
from ..project import Project, files_under
from .pdf import RenderedPdf, render_pdf
from .pool import Cluster, Document
from .versions import package_versions

CONNECT_AT_MOST = 20.0
"""Seconds to keep trying to reach the scheduler (less when ``Cluster.patience`` is shorter)."""

T = TypeVar("T")


def render_on_cluster(
    project: Project, documents: list[Document], cluster: Cluster, *, done: Callable[[int], None] | None = None
) -> list[RenderedPdf]:
    """Render every document on ``cluster``, in order; ``done(i)`` is called as document ``i``
    comes back. Nothing to render needs no cluster: it is not even asked."""
    if not documents:
        return []
    client = _connect(cluster)
    try:
        _same_versions(client, cluster)
        files = _project_files(project)
        # One name per build: two builds sharing a cluster must not remove each other's files.
        name = f"worksheets-files-{_digest(files)}-{secrets.token_hex(4)}"
        _bounded(cluster, "sending the project's fonts and stylesheets", client.register_plugin, _Files(files), name)
        try:
            results = _render(client, documents, name, cluster, done)
        except BaseException:
            with suppress(Exception):  # tidy up if the scheduler still answers; the first error is the one told
                _bounded(replace(cluster, patience=min(5, cluster.patience)), "", client.unregister_worker_plugin, name)
            raise
        _bounded(cluster, "removing the project's files from the workers", client.unregister_worker_plugin, name)
        return results
    finally:
        _close(client)


def _connect(cluster: Cluster) -> Client:
    try:
        return Client(cluster.address, timeout=min(CONNECT_AT_MOST, cluster.patience), set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise RenderError(f"cannot reach the Dask scheduler at {cluster.address}: {error}") from None


def _close(client: Client) -> None:
    """Close the connection without waiting long for a scheduler that no longer answers."""
    with suppress(Exception):  # the command's outcome is already decided
        client.close(timeout=5)


def _bounded(cluster: Cluster, doing: str, call: Callable[..., T], *args: Any) -> T:
    """``call(*args)``, or RenderError when the scheduler has not answered within the cluster's
    patience: Dask's own calls would wait for ever on a scheduler that stopped answering. The call
    runs in a daemon thread, so one that never returns cannot keep the command from exiting."""
    outcome: list[Any] = []
    thread = threading.Thread(target=lambda: outcome.append(_attempt(call, args)), daemon=True)
    thread.start()
    thread.join(cluster.patience)
    if not outcome:
        raise RenderError(f"the Dask scheduler at {cluster.address} stopped answering while {doing}")
    result, error = outcome[0]
    if error is not None:
        raise error
    return result


def _attempt(call: Callable[..., T], args: tuple[Any, ...]) -> tuple[T | None, BaseException | None]:
    try:
        return call(*args), None
    except BaseException as error:  # handed back to the caller's thread
        return None, error


def versions() -> dict[str, str]:
    """The versions of what decides a PDF's bytes, on the computer this runs on."""
    from weasyprint.text.ffi import pango

    return package_versions() | {"pango": str(pango.pango_version())}


def _same_versions(client: Client, cluster: Cluster) -> None:
    """Refuse workers that would make other bytes than a local build, or cannot render at all."""
    here = versions()
    try:
        theirs = _bounded(cluster, "asking the workers for their versions", client.run, versions)
    except RenderError:
        raise
    except Exception as error:  # a worker without the package fails to unpickle
        raise RenderError(
            f"the workers of {cluster.address} cannot render ({type(error).__name__}: {error}); "
            "install the same version of worksheets there: pip install 'worksheets[dask]'"
        ) from None
    if not theirs:
        raise RenderError(f"the Dask scheduler at {cluster.address} has no workers")
    for worker, found in sorted(theirs.items()):
        differ = [
            f"{name} {found.get(name)} (here {value})" for name, value in here.items() if found.get(name) != value
        ]
        if differ:
            raise RenderError(
                f"worker {worker} has {', '.join(differ)}: its PDFs would differ from a local build; "
                "install the same versions there"
            )


def _project_files(project: Project) -> dict[str, bytes]:
    """What a PDF may load besides its HTML, by path in the project (``templates/fonts/x.ttf``)."""
    files = {}
    for folder in project.asset_folders().values():
        for path in files_under(folder):
            files[path.relative_to(project.root).as_posix()] = path.read_bytes()
    return files


def _digest(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name, data in sorted(files.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()[:32]


class _Files(WorkerPlugin):
    """The project's files a PDF may load, written on each worker into a folder of its own."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.root: Path | None = None

    def setup(self, worker: Any) -> None:
        root = Path(tempfile.mkdtemp(prefix="worksheets-"))  # owner-only, removed by teardown
        for name, data in self.files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        self.files = {}
        self.root = root

    def teardown(self, worker: Any) -> None:
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)


def _render_task(document: Document, files: str) -> RenderedPdf:
    """Runs on a worker: render one document against the project's files sent there."""
    plugin = get_worker().plugins.get(files)
    if not isinstance(plugin, _Files) or plugin.root is None:
        raise Reschedule()  # a worker that has not finished receiving the files yet
    return render_pdf(document.html, Project(plugin.root), forms=document.forms, title=document.title)


def _render(
    client: Client, documents: list[Document], files: str, cluster: Cluster, done: Callable[[int], None] | None
) -> list[RenderedPdf]:
    # Longest documents first, as in the local pool, so that a big packet does not start last.
    order = sorted(range(len(documents)), key=lambda i: len(documents[i].html), reverse=True)
    futures = {}
    for rank, i in enumerate(order):
        document = documents[i]
        key = hashlib.sha256(f"{files}\0{document.forms}\0{document.html}".encode()).hexdigest()[:32]
        anonymous = replace(document, title="")  # the title names a client's file; messages add it here
        future = client.submit(_render_task, anonymous, files, key=f"worksheets-pdf-{i}-{key}", priority=-rank)
        futures[future] = i
    results: dict[int, RenderedPdf] = {}
    pending = set(futures)
    while pending:
        try:
            with client.as_current():  # whose futures these are: this client is not the default
                finished, pending = wait(pending, timeout=cluster.patience, return_when="FIRST_COMPLETED")
        except TimeoutError:
            message = f"the Dask cluster at {cluster.address} finished no PDF in {cluster.patience:g} s; stopped"
            raise RenderError(message) from None
        for future in finished:
            i = futures[future]
            results[i] = _result(future, documents[i], cluster)
            future.release()
            if done:
                done(i)
    return [results[i] for i in range(len(documents))]


def _result(future: Any, document: Document, cluster: Cluster) -> RenderedPdf:
    try:
        return future.result()
    except RenderError as error:  # from render_pdf, which named the untitled document "document"
        raise RenderError(f"{document.title or 'document'}: {str(error).removeprefix('document: ')}") from None
    except CancelledError:
        raise RenderError(f"lost the Dask scheduler at {cluster.address} while rendering") from None
    except Exception as error:  # a worker's failure, named without the document's text
        raise RenderError(
            f"{document.title or 'a document'}: the Dask cluster failed to render it ({type(error).__name__}: {error})"
        ) from None
