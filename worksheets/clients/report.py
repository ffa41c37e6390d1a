"""A confidential progress report from a client record, for the therapist's file.

One PDF per record: every goal with its status, steps, ratings, attainment levels and latest
notes, and the Goal Attainment Scaling T-score at each review (``gas.reviews``), optionally for a
period only. It is health information like the take-home sheets, and kept the same way: the
record is read and checked before anything is written, the folder may not be part of the project
or a built site (``takehome.check_out_folder``), a folder made for it and the PDF are readable by
their owner only, and the PDF is written atomically. It is printed in the record's language.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_atomic
from ..content import Catalog, Rating
from ..errors import InputError, Problem
from ..formats import Paper
from ..project import Project
from ..render import environment, render_pdf, render_report
from .gas import Review, in_period, reviews
from .language import record_catalog
from .records import RECORD_MODE, ClientRecord, Goal, latest, read_record
from .takehome import check_out_folder, make_private

NOTES_SHOWN = 3
"""Notes printed at most under each goal, the newest first; the report says how many there are."""


@dataclass(frozen=True)
class GoalReport:
    """One goal as the report shows it, with only the entries of the period."""

    number: int
    goal: Goal
    entries: list[Rating]
    """The goal's progress entries in the period, in date order."""
    notes: list[Rating]
    """The newest entries with a note, at most ``NOTES_SHOWN``, the newest first."""
    note_count: int

    @property
    def latest_rating(self) -> int | None:
        """The last rating of the period, if any."""
        entry = latest(self.entries, "rating")
        return entry.rating if entry else None

    @property
    def latest_level(self) -> int | None:
        """The last attainment level of the period, if any."""
        entry = latest(self.entries, "gas")
        return entry.gas if entry else None


@dataclass(frozen=True)
class ReviewRow:
    """A review as printed: its T-score, or the numbers of the goals that kept it from one."""

    review: Review
    missing: list[int]


@dataclass(frozen=True)
class ProgressReport:
    """Everything the report prints: the record, its goals and reviews in the period, the
    period itself, the day the report was made and the rho the T-scores use."""

    record: ClientRecord
    goals: list[GoalReport]
    reviews: list[ReviewRow]
    start: datetime.date | None
    end: datetime.date | None
    made: datetime.date
    rho: float


@dataclass(frozen=True)
class WrittenReport:
    """The report written: where, for how many goals, how many pages, and the record's text that
    no bundled font has (read from the record as it was loaded, not read again)."""

    path: Path
    goals: int
    pages: int
    warnings: tuple[str, ...] = ()


def build_report(
    record: ClientRecord,
    rho: float,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    made: datetime.date,
) -> ProgressReport:
    """What the report of ``record`` shows for the period from ``start`` to ``end``.

    A review's T-score counts each goal at its level on the review day, which may have been
    recorded before the period began: the score is a fact about that day. Only reviews in the
    period are listed.
    """
    goals = []
    for number, goal in enumerate(record.goals, start=1):
        entries = sorted((e for e in goal.progress if in_period(e.date, start, end)), key=lambda e: e.date)
        noted = [e for e in entries if e.note]
        goals.append(GoalReport(number, goal, entries, noted[::-1][:NOTES_SHOWN], len(noted)))
    numbers = {goal.id: number for number, goal in enumerate(record.goals, start=1)}
    rows = [ReviewRow(r, [numbers[i] for i in r.unknown]) for r in reviews(record, rho, start=start, end=end)]
    return ProgressReport(record, goals, rows, start, end, made, rho)


def report_name(path: Path) -> str:
    """The report's file name, after the record's: ``jordan.yaml`` gives ``jordan-report.pdf``."""
    return f"{path.stem}-report.pdf"


def write_report(
    project: Project,
    catalog: Catalog,
    path: Path,
    out: Path,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    paper: Paper = "letter",
    today: datetime.date | None = None,
) -> WrittenReport:
    """Write the progress report of the record at ``path`` into the folder ``out``.

    Everything is checked first (the folder, the period, the record and its language), so a
    refusal writes nothing; the PDF is written atomically, readable by its owner only.
    """
    check_out_folder(project, out)
    if start is not None and end is not None and start > end:
        msg = f"the period ends ({end}) before it starts ({start}); give --from before --to"
        raise InputError([Problem(path, 1, 1, msg)])
    record, warnings = read_record(path, catalog, project.templates)
    language = record_catalog(project, catalog, record, path)
    report = build_report(record, catalog.site.gas_rho, start=start, end=end, made=today or datetime.date.today())
    html = render_report(environment(project), language, report, paper=paper)
    rendered = render_pdf(html, project, title=path.name)
    make_private(out)
    target = out / report_name(path)
    write_atomic(target, rendered.data, mode=RECORD_MODE)
    return WrittenReport(target, len(record.goals), rendered.pages, warnings)
