"""Worker processes started ahead of their work (``Workers.start``) are ready when it comes."""

from __future__ import annotations

import multiprocessing
import sys

from worksheets.render.pool import Workers


def _imported(name: str) -> bool:
    """Whether this process has imported module ``name`` (run in a worker)."""
    return name in sys.modules


def test_started_workers_have_weasyprint_imported_before_any_document(project):
    with Workers(project, jobs=2) as workers:
        workers.start(3)
        assert len(multiprocessing.active_children()) == 2, "both processes run before any work is given"
        assert workers.run(_imported, "weasyprint").result(timeout=300), "imported as the worker started"


def test_no_worker_starts_for_work_done_here(project):
    for jobs, coming in ((1, 50), (2, 2)):
        with Workers(project, jobs=jobs) as workers:
            workers.start(coming)
            assert multiprocessing.active_children() == [], f"{jobs} job(s), {coming} documents"
