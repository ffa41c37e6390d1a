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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

from ..atomic import write_atomic
from ..content import Catalog, long_date
from ..errors import InputError, Problem
from ..formats import Paper
from ..project import Project
from ..render import (
    Cluster,
    Document,
    SheetQr,
    Workers,
    environment,
    progress_sheet_id,
    qr_svg,
    render_takehome,
    render_takehome_sheet,
)
from ..site import MARKER
from .gas import SCALE_SHEET, sheet_answers
from .language import record_catalog, untranslated_goals
from .links import MAX_LINK, goal_link, page_url
from .records import RECORD_MODE, ClientRecord, Goal, read_record


@dataclass(frozen=True)
class TakeHome:
    """One written take-home PDF: where, for how many goals, how many pages, and what to warn
    about its record (said with the record's first PDF only)."""

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


def _links(
    base: str, catalog: Catalog, source: str, goals: list[Goal], path: Path
) -> tuple[dict[str, SheetQr], list[str]]:
    """For each goal, the QR code of its link (``worksheets link``) labelled as opening the sheet
    filled in; where that link would be longer than ``MAX_LINK``, the plain page's QR code with its
    usual label, and a warning naming the goal (its id: the title is the client's words)."""
    links, warnings = {}, []
    for goal in goals:
        ws = catalog.get(goal.worksheet)
        url = goal_link(base, catalog, source, ws, goal.answers)
        if len(url) <= MAX_LINK:
            links[goal.id] = SheetQr(qr_svg(url, catalog.strings.link_qr, sized=True), catalog.strings.link_qr)
            continue
        links[goal.id] = SheetQr(qr_svg(page_url(base, catalog, source, ws), catalog.strings.online))
        warnings.append(
            f"{path}: warning: goal '{goal.id}': its answers make a link of {len(url):,} characters, over the "
            f"limit of {MAX_LINK:,}; its sheet has the QR code of the blank page instead"
        )
    return links, warnings


class _Selected(NamedTuple):
    """A client record read and checked: its file, what it holds, the catalog in its language, the
    goals to print, and what to warn."""

    path: Path
    record: ClientRecord
    language: Catalog
    goals: list[Goal]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class _Planned:
    """A take-home PDF to make: where it goes, what it is, from which record, for how many goals,
    and what to warn."""

    target: Path
    document: Document
    record: Path
    goals: int
    warnings: tuple[str, ...] = ()


def _fillable(
    env: Any,
    catalog: Catalog,
    record: ClientRecord,
    goals: list[Goal],
    scales: dict[str, dict[str, Any]],
    links: dict[str, SheetQr],
    path: Path,
    out: Path,
    *,
    paper: Paper,
    date: str,
) -> list[_Planned]:
    """The fillable take-home PDFs of one record: for each goal, one with the goal and its sheet
    (``<record>.<goal>.pdf``), and one with the weekly progress sheet (``<record>.<goal>.week.pdf``).
    A PDF holds the fields of one sheet only: two sheets with the same field names in one PDF
    would share their values, and ``import`` reads one sheet per PDF."""
    planned = []
    for goal in goals:
        scale = scales.get(goal.id)
        html = render_takehome_sheet(
            env,
            catalog,
            record,
            goal,
            paper=paper,
            date=date,
            scale=scale,
            scale_sheet=SCALE_SHEET,
            link=links.get(goal.id),
        )
        target = out / f"{path.stem}.{goal.id}.pdf"
        planned.append(_Planned(target, Document(html, forms=True, title=target.name), path, 1))
        if progress_sheet_id(catalog):
            html = render_takehome_sheet(env, catalog, record, goal, paper=paper, date=date, week=True)
            target = out / f"{path.stem}.{goal.id}.week.pdf"
            planned.append(_Planned(target, Document(html, forms=True, title=target.name), path, 1))
    return planned


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
    cluster: Cluster | None = None,
    fillable: bool = False,
    base_url: str | None = None,
    done: Callable[[str, int], None] | None = None,
    pages: Callable[[str, str, int], None] | None = None,
) -> list[TakeHome]:
    """Write the take-home PDFs of client records into ``out``: one per record, named after the
    record's file; with ``fillable``, one per goal and one per goal's weekly sheet, with form
    fields (``_fillable``). With ``base_url`` (the site's address), each goal's sheet carries the
    QR code of its link. A record's warnings (text no bundled font has, goals whose sheets are not
    translated, links too long for a QR code) come with its first PDF; each record is read once.

    Many PDFs are rendered in parallel by the same worker pool as the site's PDFs, or on a Dask
    ``cluster`` (which the command allows only on this computer or over TLS). ``done(label,
    total)`` hears that a PDF is finished, and ``pages(label, stage, count)`` how the one rendered
    here goes (``render.pool.Workers.render_all``), each PDF named by its ``label``: its record's
    file name, or with ``fillable`` its own. The worker processes start once every record is read
    and checked, and import WeasyPrint while the HTML is made here.
    """
    check_out_folder(project, out)
    stems = [p.stem for p in records]
    if len(set(stems)) != len(stems):
        clash = next(p for p in records if stems.count(p.stem) > 1)
        raise InputError([Problem(clash, 1, 1, "two client files share this name; their PDFs would overwrite")])
    selected = _selected(project, catalog, records, goal_ids)  # a bad record stops the command here
    with Workers(project, jobs=jobs, cluster=cluster) as workers:
        workers.start(len(selected))  # one PDF a record at least
        planned = _plan(project, catalog, selected, out, paper, today, fillable, base_url)
        make_private(out)
        total = len(planned)
        labels = [p.document.title + (f" ({i + 1} of {total})" if total > 1 else "") for i, p in enumerate(planned)]
        rendered_all = workers.render_all(
            [p.document for p in planned],
            done=(lambda i: done(labels[i], total)) if done else None,
            pages=(lambda i, stage, count: pages(labels[i], stage, count)) if pages else None,
        )
    written = []
    for plan, rendered in zip(planned, rendered_all, strict=True):
        write_atomic(plan.target, rendered.data, mode=RECORD_MODE)
        written.append(TakeHome(plan.target, plan.goals, rendered.pages, plan.warnings))
    return written


def _selected(project: Project, catalog: Catalog, records: list[Path], goal_ids: Sequence[str]) -> list[_Selected]:
    """Every record read and checked, with its catalog and the goals to print: a bad record stops
    ``prefill`` before any worker process starts or any HTML is made."""
    selected = []
    languages: dict[str, Catalog] = {}
    for path in records:
        record, glyphs = read_record(path, catalog, project.templates)
        language = record_catalog(project, catalog, record, path, languages)
        goals, warnings = untranslated_goals(language, chosen_goals(record, path, goal_ids), path)
        if not goals:
            message = "no active goals to print (name some with --goal)"
            if warnings:
                message = f"no goal to print in '{language.site.language}': their worksheets are not yet translated"
            raise InputError([Problem(path, 1, 1, message)])
        selected.append(_Selected(path, record, language, goals, (*glyphs, *warnings)))
    return selected


def _plan(
    project: Project,
    catalog: Catalog,
    selected: list[_Selected],
    out: Path,
    paper: Paper,
    today: datetime.date | None,
    fillable: bool,
    base_url: str | None,
) -> list[_Planned]:
    """The PDFs ``prefill`` makes of the ``selected`` records, their HTML made."""
    env = environment(project)
    planned: list[_Planned] = []
    for path, record, language, goals, warnings in selected:
        date = long_date(today or datetime.date.today(), language.site.language)
        goals, scales = _scales(language, goals)
        links, link_warnings = _links(base_url, language, catalog.site.language, goals, path) if base_url else ({}, [])
        if fillable:
            made = _fillable(env, language, record, goals, scales, links, path, out, paper=paper, date=date)
        else:
            html = render_takehome(
                env,
                language,
                record,
                goals,
                paper=paper,
                date=date,
                scales=scales,
                scale_sheet=SCALE_SHEET,
                links=links,
            )
            made = [_Planned(out / f"{path.stem}.pdf", Document(html, title=path.name), path, len(goals))]
        made[0] = replace(made[0], warnings=(*warnings, *link_warnings))  # said once per record
        planned += made
    _no_clash(planned)
    return planned


def _no_clash(planned: list[_Planned]) -> None:
    """Refuse two PDFs of one run with the same name, as ``--fillable`` could make for the weekly
    sheet of goal ``r`` of ``jordan.yaml`` and goal ``week`` of ``jordan.r.yaml``: one would
    overwrite the other."""
    seen: set[Path] = set()
    for plan in planned:
        if plan.target in seen:
            message = f"two take-home PDFs would both be named {plan.target.name}; rename this client file"
            raise InputError([Problem(plan.record, 1, 1, message)])
        seen.add(plan.target)
