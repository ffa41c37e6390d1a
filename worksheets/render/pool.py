"""Render many PDFs at once, in worker processes: WeasyPrint uses one core per document.

The main process renders the HTML (Jinja is fast) and hands each document to a worker, which
imports WeasyPrint once and turns HTML into PDF bytes. Workers are started with the ``spawn``
method, so none inherits the parent's threads or open files, and WeasyPrint is never imported
in the main process when there is nothing to render. A handful of documents are rendered in the
main process instead: starting workers costs more than it saves.

``Workers`` keeps its processes for as long as a build or a batch of clients needs them and
takes work as it comes, each piece answered by a future: the site's packets are rendered in
steps that depend on each other (sections, then their front, then the join), and each step of a
packet starts as soon as its own inputs are ready, while the workers are still busy with
everything else. ``render_all`` renders a list of documents and returns when all are done. A
caller that knows documents are coming starts the processes early (``Workers.start``), so that
they import WeasyPrint while it still makes the HTML.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from ..project import Project
from .pdf import RenderedPdf, render_pdf

INLINE_AT_MOST = 2
"""Up to this many documents are rendered in the main process."""

T = TypeVar("T")


@dataclass(frozen=True)
class Document:
    """One PDF to make: its HTML, whether it has form fields, and a name for messages.

    It prints as ``Document(forms=False)``: a take-home sheet's HTML holds what a client wrote and
    its title names the client's file, and a Dask worker logs the arguments of a task that fails.
    """

    html: str = field(repr=False)
    forms: bool = False
    title: str = field(default="", repr=False)


@dataclass(frozen=True)
class Cluster:
    """A Dask scheduler to render on instead of local processes (``--scheduler``), and how many
    seconds it may go without finishing a document before the command gives up on it."""

    address: str
    patience: float = 120.0


_project: Project | None = None


def _start_worker(root: str) -> None:
    """Make a worker ready to render: WeasyPrint imported now, while the process that started it
    may still be preparing the documents (``Workers.start``), not when the first one comes.

    The import is only a head start. If it fails (a missing system library), the first document
    fails with the same error, which the command reports as such; failing here would only tell
    the caller that the pool broke. Ctrl-C while it runs is for the main process to handle."""
    global _project
    _project = Project(Path(root))
    with suppress(Exception, KeyboardInterrupt):
        import weasyprint  # noqa: F401


def _ready() -> None:
    """A task that does nothing: handed to each worker to start its process (``Workers.start``)."""


def _render(document: Document) -> RenderedPdf:
    assert _project is not None, "the worker was not started by Workers"
    return render_pdf(document.html, _project, forms=document.forms, title=document.title)


PageReport = Callable[[int, str, int], None]
"""``report(i, stage, pages)``, told while document ``i`` is rendered in this process: WeasyPrint is
laying out page ``pages`` (``stage`` is "layout"), or writing the PDF of ``pages`` pages ("pdf")."""


class _PageWatcher(logging.Handler):
    """Reads WeasyPrint's progress log ("Step 5 - Creating layout - Page 12", "Step 6 - Creating
    PDF") into ``report(stage, pages)``. Only the step and the page number are read: the rest of
    a message may name a file, and a progress display shows nothing of a document."""

    def __init__(self, report: Callable[[str, int], None]) -> None:
        super().__init__(logging.INFO)
        self.report = report
        self.pages = 0

    def emit(self, record: logging.LogRecord) -> None:
        step = str(record.msg)
        if step.startswith("Step 5 - Creating layout - Page") and record.args:
            self.pages = int(record.args[0])  # type: ignore[index, call-overload]
            self.report("layout", self.pages)
        elif step.startswith("Step 6"):
            self.report("pdf", self.pages)


@contextmanager
def _watching_pages(report: Callable[[str, int], None]) -> Iterator[None]:
    """Report WeasyPrint's progress while rendering in this process, and leave its logger as it was
    (its messages are kept from any handler of the application's own)."""
    logger = logging.getLogger("weasyprint.progress")
    watcher = _PageWatcher(report)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(watcher)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(watcher)
        logger.setLevel(level)
        logger.propagate = propagate


def default_jobs() -> int:
    """One worker per CPU this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def render_all(
    project: Project,
    documents: list[Document],
    *,
    jobs: int | None = None,
    cluster: Cluster | None = None,
    done: Callable[[int], None] | None = None,
    pages: PageReport | None = None,
) -> list[RenderedPdf]:
    """Render every document, in order, in ``jobs`` local processes or on a Dask ``cluster``;
    ``done(i)`` is called as document ``i`` is finished, and ``pages`` as each page of a document
    rendered in this process is laid out (workers report only when they finish)."""
    with Workers(project, jobs=jobs, cluster=cluster) as workers:
        return workers.render_all(documents, done=done, pages=pages)


def _done(call: Callable[..., T], *args: Any) -> Future[T]:
    """A future already holding what ``call(*args)`` returned or raised (work done in this process)."""
    future: Future[T] = Future()
    try:
        future.set_result(call(*args))
    except Exception as error:  # handed to whoever asks the future, as a worker's would be
        future.set_exception(error)
    return future


class Workers:
    """Worker processes kept for a whole build (or a batch of take-home sheets), given documents
    to render and other work (``run``) as it comes; each answer is a future.

    Locally, the processes start when told that documents are coming (``start``), or with the
    first batch of more than ``INLINE_AT_MOST`` documents or the first heavy ``run`` (before
    that, and with ``jobs`` 1, everything is done in this process), and serve every later batch,
    so a build pays for starting them once. A batch is queued longest document first.

    On a Dask ``cluster``, each batch is one ``render_on_cluster`` call (one session:
    ``render.cluster`` sends the project's files, checks the workers' versions and keeps what a
    task carries anonymous), made in a thread of this process. A batch marked ``local``, and
    other work (``run``), use local processes instead: the site gives the cluster its sheets in
    one batch and keeps its packets' work here (``render.sections``), as a session per packet
    would cost more than it saves.
    """

    def __init__(self, project: Project, *, jobs: int | None = None, cluster: Cluster | None = None) -> None:
        self.project = project
        self.jobs = max(1, jobs or default_jobs())
        self.cluster = cluster
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the processes; work not started yet is dropped (a build that failed)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def start(self, coming: int) -> None:
        """Start the local processes now (as many as there are documents, up to ``jobs``), when
        ``coming`` documents are expected (more than ``INLINE_AT_MOST``): they import WeasyPrint
        while this process still makes the HTML. Nothing to do with one job, on a cluster, or for
        fewer documents."""
        if self.jobs > 1 and self.cluster is None and self._pool is None and coming > INLINE_AT_MOST:
            pool = self._processes()
            for _ in range(min(self.jobs, coming)):  # a pool starts a process for a task no idle one can take
                pool.submit(_ready)

    def _processes(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                self.jobs, mp_context=context, initializer=_start_worker, initargs=(str(self.project.root),)
            )
        return self._pool

    def _local(self, count: int) -> bool:
        """Whether work is done in this process: one job, or a few pieces before any worker runs."""
        return self.jobs == 1 or (self._pool is None and count <= INLINE_AT_MOST)

    def render(self, documents: Sequence[Document], *, local: bool = False) -> list[Future[RenderedPdf]]:
        """Start rendering ``documents``, on the cluster if there is one and not ``local``; their
        PDFs, in order, as futures."""
        if not documents:
            return []
        if self.cluster is not None and not local:
            return self._on_cluster(list(documents))
        if self._local(len(documents)):
            return [_done(self._render_here, document) for document in documents]
        pool = self._processes()
        futures: dict[int, Future[RenderedPdf]] = {}
        for i in sorted(range(len(documents)), key=lambda i: len(documents[i].html), reverse=True):
            futures[i] = pool.submit(_render, documents[i])
        return [futures[i] for i in range(len(documents))]

    def render_all(
        self,
        documents: Sequence[Document],
        *,
        done: Callable[[int], None] | None = None,
        pages: PageReport | None = None,
    ) -> list[RenderedPdf]:
        """Render every document, in order, and return when all are done (see ``render_all``)."""
        if self.cluster is not None:
            from .cluster import render_on_cluster  # needs the [dask] extra, asked for only here

            return render_on_cluster(self.project, list(documents), self.cluster, done=done)
        if self._local(len(documents)):
            results = []
            for i, document in enumerate(documents):
                with _watching_pages(partial(pages, i)) if pages else nullcontext():
                    results.append(self._render_here(document))
                if done:
                    done(i)
            return results
        futures = self.render(documents)
        index = {future: i for i, future in enumerate(futures)}
        for future in as_completed(futures):
            future.result()  # a failure ends the work now: what is left is cancelled as the workers close
            if done:
                done(index[future])
        return [future.result() for future in futures]

    def _render_here(self, document: Document) -> RenderedPdf:
        return render_pdf(document.html, self.project, forms=document.forms, title=document.title)

    def run(self, call: Callable[..., T], *args: Any, heavy: bool = False) -> Future[T]:
        """Start ``call(*args)`` in a worker (``call`` a module's function, its arguments picklable).

        Light work (a join) is done here while no worker runs, as a few documents are; ``heavy``
        work (a packet's whole layout, seconds each) starts the workers, so that a build with
        nothing else to do, after a change to ``packet.html`` say, lays its packets out in
        parallel rather than one after another here."""
        if self.jobs == 1 or (self._pool is None and self.cluster is None and not heavy):
            return _done(call, *args)
        return self._processes().submit(call, *args)

    def _on_cluster(self, documents: list[Document]) -> list[Future[RenderedPdf]]:
        from .cluster import render_on_cluster

        futures: list[Future[RenderedPdf]] = [Future() for _ in documents]
        cluster = self.cluster
        assert cluster is not None

        def batch() -> None:
            try:
                results = render_on_cluster(self.project, documents, cluster)
            except BaseException as error:  # every document of the batch failed with it
                for future in futures:
                    future.set_exception(error)
                return
            for future, result in zip(futures, results, strict=True):
                future.set_result(result)

        threading.Thread(target=batch, daemon=True).start()
        return futures
