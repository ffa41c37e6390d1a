"""Render many PDFs at once, in worker processes: WeasyPrint uses one core per document.

The main process renders the HTML (Jinja is fast) and hands each document to a worker, which
imports WeasyPrint once and turns HTML into PDF bytes. Workers are started with the ``spawn``
method, so none inherits the parent's threads or open files, and WeasyPrint is never imported
in the main process when there is nothing to render. A handful of documents are rendered in the
main process instead: starting workers costs more than it saves.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..project import Project
from .pdf import RenderedPdf, render_pdf

INLINE_AT_MOST = 2
"""Up to this many documents are rendered in the main process."""


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
    global _project
    _project = Project(Path(root))


def _render(document: Document) -> RenderedPdf:
    assert _project is not None, "the worker was not started by render_all"
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
    if cluster is not None:
        from .cluster import render_on_cluster  # needs the [dask] extra, asked for only here

        return render_on_cluster(project, documents, cluster, done=done)
    jobs = max(1, jobs or default_jobs())
    if jobs == 1 or len(documents) <= INLINE_AT_MOST:
        results = []
        for i, document in enumerate(documents):
            with _watching_pages(partial(pages, i)) if pages else nullcontext():
                results.append(render_pdf(document.html, project, forms=document.forms, title=document.title))
            if done:
                done(i)
        return results
    results_by_index: dict[int, RenderedPdf] = {}
    context = multiprocessing.get_context("spawn")
    workers = min(jobs, len(documents))
    # Longest documents first, so that a big packet does not start last and keep one worker busy
    # while the others wait.
    order = sorted(range(len(documents)), key=lambda i: len(documents[i].html), reverse=True)
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(str(project.root),)
    ) as pool:
        futures = {pool.submit(_render, documents[i]): i for i in order}
        for future in as_completed(futures):
            i = futures[future]
            results_by_index[i] = future.result()
            if done:
                done(i)
    return [results_by_index[i] for i in range(len(documents))]
