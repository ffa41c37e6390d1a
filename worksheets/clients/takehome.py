"""Personalised take-home PDFs, made from client records on the therapist's own computer.

Every record is read and checked before anything is written, so one bad file means no output at
all. The output folder may not be the project folder, nor inside ``content/``, ``templates/``,
``site/`` or a built site, so a personalised sheet cannot be published by accident. A folder made
for it is readable by its owner only, and so is every PDF written into it; a folder that exists is
left as it is (a shared one may be meant to be shared), with a note when others can open it.
"""

from __future__ import annotations

import datetime
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..content import Catalog, long_date
from ..errors import InputError, Problem
from ..formats import Paper
from ..project import Project
from ..render import Document, PageReport, environment, render_all, render_takehome
from ..site import MARKER
from .gas import SCALE_SHEET, sheet_answers
from .language import record_catalog, untranslated_goals
from .records import RECORD_MODE, ClientRecord, Goal, load_record


@dataclass(frozen=True)
class TakeHome:
    """One written take-home PDF: where, for how many goals, how many pages."""

    path: Path
    goals: int
    pages: int
    warnings: tuple[str, ...] = ()


def check_out_folder(project: Project, out: Path) -> None:
    """Refuse an output folder from which a personalised sheet could end up on the site or in the
    project's files (which are committed and published)."""
    out = out.resolve()
    if out == project.root:
        msg = f"refusing to write client sheets into {out}: it is the project folder; choose a private folder"
        raise InputError([Problem(out, 1, 1, msg)])
    for inside in (project.content, project.templates, project.root / "site"):
        if out == inside or out.is_relative_to(inside):
            msg = f"refusing to write client sheets into {out}: it is part of the site or its content"
            raise InputError([Problem(out, 1, 1, msg + "; choose a private folder")])
    for folder in (out, *out.parents):
        if (folder / MARKER).exists():
            msg = f"refusing to write client sheets into {out}: it is inside a built site ({folder})"
            raise InputError([Problem(out, 1, 1, msg)])


def folder_note(out: Path) -> str | None:
    """A note for the person when the existing folder ``out`` can be opened by other users: the
    PDFs are theirs alone, but their names (the client files' names) show."""
    try:
        mode = stat.S_IMODE(out.stat().st_mode)
    except FileNotFoundError:
        return None
    if not mode & 0o077:
        return None
    return (
        f"note: other users can open {out} (mode {mode:o}); the PDFs are readable by you only, but "
        "their names show. Use a private folder for client sheets, or make this one private (chmod 700)"
    )


def make_private(out: Path) -> None:
    """Make ``out`` and any missing folders above it, each readable by its owner only whatever
    the umask; folders that exist are left as they are."""
    for folder in reversed([f for f in (out, *out.parents) if not f.exists()]):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:  # made by someone else meanwhile: theirs, left as it is
            continue
        os.chmod(folder, 0o700)


def chosen_goals(record: ClientRecord, path: Path, goal_ids: Sequence[str]) -> list[Goal]:
    """The goals named, in that order, or else every active goal."""
    if not goal_ids:
        return [g for g in record.goals if g.status == "active"]
    try:
        return [record.goal(goal_id) for goal_id in goal_ids]
    except KeyError as exc:
        raise InputError([Problem(path, 1, 1, exc.args[0])]) from None


def _scales(catalog: Catalog, goals: list[Goal]) -> tuple[list[Goal], dict[str, dict[str, Any]]]:
    """The goals to print, and for each goal with an attainment scale, its scale as answers to
    the scale's worksheet, printed after the goal's own sheet. A goal set with that worksheet
    prints its scale on its own sheet instead (what it wrote there first), and without the
    worksheet in this catalog (removed, or not yet translated) scales are left to the record."""
    if SCALE_SHEET not in {ws.id for ws in catalog.worksheets}:
        return goals, {}
    shown, scales = [], {}
    for goal in goals:
        answers = sheet_answers(goal, catalog.site.language)
        if answers and goal.worksheet == SCALE_SHEET:
            goal = goal.model_copy(update={"answers": answers | goal.answers})
        elif answers:
            scales[goal.id] = answers
        shown.append(goal)
    return shown, scales


def prefill(
    project: Project,
    catalog: Catalog,
    records: list[Path],
    out: Path,
    *,
    goal_ids: Sequence[str] = (),
    paper: Paper = "letter",
    today: datetime.date | None = None,
    jobs: int | None = None,
    done: Callable[[int], None] | None = None,
    pages: PageReport | None = None,
) -> list[TakeHome]:
    """Write one take-home PDF per client record into ``out``, named after the record's file.

    Many records are rendered in parallel by the same worker pool as the site's PDFs. ``done`` and
    ``pages`` hear how rendering goes, record by record (``render.pool.render_all``).
    """
    check_out_folder(project, out)
    stems = [p.stem for p in records]
    if len(set(stems)) != len(stems):
        clash = next(p for p in records if stems.count(p.stem) > 1)
        raise InputError([Problem(clash, 1, 1, "two client files share this name; their PDFs would overwrite")])
    selected = []
    languages: dict[str, Catalog] = {}
    for path in records:
        record = load_record(path, catalog)
        language = record_catalog(project, catalog, record, path, languages)
        goals, warnings = untranslated_goals(language, chosen_goals(record, path, goal_ids), path)
        if not goals:
            message = "no active goals to print (name some with --goal)"
            if warnings:
                message = f"no goal to print in '{language.site.language}': their worksheets are not yet translated"
            raise InputError([Problem(path, 1, 1, message)])
        selected.append((path, record, language, goals, tuple(warnings)))
    env = environment(project)
    make_private(out)
    documents = []
    for path, record, language, goals, _ in selected:
        date = long_date(today or datetime.date.today(), language.site.language)
        goals, scales = _scales(language, goals)
        html = render_takehome(
            env, language, record, goals, paper=paper, date=date, scales=scales, scale_sheet=SCALE_SHEET
        )
        documents.append(Document(html, title=path.name))
    written = []
    rendered_all = render_all(project, documents, jobs=jobs, done=done, pages=pages)
    for (path, _record, _language, goals, warnings), rendered in zip(selected, rendered_all, strict=True):
        target = out / f"{path.stem}.pdf"
        write_atomic(target, rendered.data, mode=RECORD_MODE)
        written.append(TakeHome(target, len(goals), rendered.pages, warnings))
    return written
