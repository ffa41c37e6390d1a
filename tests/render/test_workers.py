"""Worker processes started ahead of their work (``Workers.start``) are ready when it comes, and
a WeasyPrint that cannot be imported is reported as itself, not as a broken pool."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import pytest

from worksheets.render.pool import Document, Workers


def _imported(name: str) -> bool:
    """Whether this process has imported module ``name`` (run in a worker)."""
    return name in sys.modules


def _new_children(before: set) -> int:
    return len(set(multiprocessing.active_children()) - before)


def test_started_workers_have_weasyprint_imported_before_any_document(project):
    before = set(multiprocessing.active_children())
    with Workers(project, jobs=2) as workers:
        workers.start(3)
        assert _new_children(before) == 2, "both processes run before any work is given"
        assert workers.run(_imported, "weasyprint").result(timeout=300), "imported as the worker started"


def test_no_worker_starts_for_work_done_here(project):
    before = set(multiprocessing.active_children())
    for jobs, coming in ((1, 50), (2, 2)):
        with Workers(project, jobs=jobs) as workers:
            workers.start(coming)
            assert _new_children(before) == 0, f"{jobs} job(s), {coming} documents"


def test_a_weasyprint_that_cannot_load_is_reported_as_itself(project, tmp_path: Path, monkeypatch):
    """As on a computer without Pango: the workers (spawned, so they take this sys.path) find a
    WeasyPrint whose import fails; the error reaches the caller, for the command to report."""
    fake = tmp_path / "weasyprint"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise OSError(\"cannot load library 'libpango-1.0-0'\")\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    documents = [Document("<html><body><p>One</p></body></html>", title=f"{n}.pdf") for n in range(3)]
    with Workers(project, jobs=2) as workers:
        workers.start(len(documents))
        with pytest.raises(OSError, match="cannot load library"):
            workers.render_all(documents)
