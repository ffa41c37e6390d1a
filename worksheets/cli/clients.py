"""The commands that make things from client records and add to them: prefill, report and import.

What a record or a filled PDF says is shown only to the person at the terminal, through
``visible``; see ``goals.py`` for the commands that change records from the command line.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import visible
from .common import EXISTING_FILE, catalog_of, required_text, save_if_agreed, site_address, warn
from .scheduler import cluster_of, scheduler_options


class _StatusLine:
    """One line of progress on a terminal, written over in place; nothing at all when standard
    error is not a terminal (a log, a pipe, a test)."""

    def __init__(self) -> None:
        self.shown = sys.stderr.isatty()
        self.width = 0

    def show(self, text: str) -> None:
        if self.shown:
            sys.stderr.write("\r" + text.ljust(self.width))
            sys.stderr.flush()
            self.width = len(text)

    def clear(self) -> None:
        if self.shown and self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()
            self.width = 0


def _prefill_progress(status: _StatusLine) -> tuple[Any, Any]:
    """What ``prefill`` shows as it renders: the page being laid out, then the PDF being written,
    for a PDF rendered here; how many are finished when workers render them. Only file names
    (the record's, or a fillable PDF's, which holds a goal's id) and numbers are shown, never
    anything a record says (a goal's title is health information)."""
    finished = [0]

    def pages(label: str, stage: str, count: int) -> None:
        doing = f"laying out page {count}" if stage == "layout" else f"writing the PDF ({count} pages)"
        status.show(visible(f"{label}: {doing}"))

    def done(_label: str, total: int) -> None:
        finished[0] += 1
        status.show(f"Take-home sheets: {finished[0]} of {total} rendered")

    return done, pages


@click.command()
@click.argument(
    "records",
    metavar="CLIENT.yaml...",
    nargs=-1,
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
)
@click.option(
    "--goal",
    "goal_ids",
    multiple=True,
    metavar="ID",
    help="Only this goal (repeat for more) [default: every active goal].",
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="A private folder for the PDFs."
)
@click.option("--paper", type=click.Choice(["letter", "a4"]), default="letter", show_default=True)
@click.option("--jobs", type=click.IntRange(1), default=None, help="Worker processes [default: one per CPU].")
@scheduler_options
@click.option(
    "--fillable",
    is_flag=True,
    help="Sheets with form fields holding the answers, for a client who types: a PDF per goal and per weekly sheet.",
)
@click.option("--link", is_flag=True, help="Print on each goal's sheet the QR code of its link (worksheets link).")
@click.option(
    "--base-url", default=None, metavar="URL", help="The site's address, for --link [default: base_url in site.yaml]."
)
@click.pass_context
def prefill(
    ctx: click.Context,
    records: tuple[Path, ...],
    goal_ids: tuple[str, ...],
    out: Path,
    paper: str,
    jobs: int | None,
    scheduler: str | None,
    cluster_timeout: float,
    fillable: bool,
    link: bool,
    base_url: str | None,
) -> None:
    """Make take-home PDFs from client records: one PDF per client, in their own words."""
    from ..clients import folder_note
    from ..clients import prefill as make

    cluster = cluster_of(scheduler, cluster_timeout, jobs, records=True)
    project, catalog = catalog_of(ctx)
    if base_url is not None and not link:
        raise click.UsageError("--base-url is the address for --link; give --link too")
    base = site_address(catalog, base_url) if link else None
    note = folder_note(out)  # as the folder was before: one made now is private
    status = _StatusLine()
    done, pages = _prefill_progress(status)
    try:
        sheets = make(
            project,
            catalog,
            list(records),
            out,
            goal_ids=goal_ids,
            paper=paper,  # type: ignore[arg-type]
            jobs=jobs,
            cluster=cluster,
            fillable=fillable,
            base_url=base,
            done=done,
            pages=pages,
        )
    finally:
        status.clear()
    for sheet in sheets:
        goals = "1 goal" if sheet.goals == 1 else f"{sheet.goals} goals"
        pages = "1 page" if sheet.pages == 1 else f"{sheet.pages} pages"
        click.echo(visible(f"Wrote {sheet.path} ({goals}, {pages})"))
    warn([w for sheet in sheets for w in sheet.warnings])
    if note:
        click.echo(visible(note), err=True)


@click.command("import")
@click.argument("filled", metavar="FILLED.pdf", type=EXISTING_FILE)
@click.argument("record_path", metavar="CLIENT.yaml", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--goal", "goal_id", metavar="ID", help="Add to this goal [default: a new goal].")
@click.option(
    "--client",
    default=None,
    callback=required_text,
    help="The client's name or initials, to start a new record [default: the Name typed on the sheet].",
)
@click.option("--yes", is_flag=True, help="Save without asking.")
@click.pass_context
def import_(
    ctx: click.Context, filled: Path, record_path: Path, goal_id: str | None, client: str | None, yes: bool
) -> None:
    """Read the answers typed into a fillable PDF into a client's record."""
    from ..clients import apply, read_filled, update
    from ..clients.fillin import header_notes

    _, catalog = catalog_of(ctx)
    today = datetime.date.today()
    sheet = read_filled(filled, catalog, today)
    client = client or sheet.name or None  # a new record takes the Name typed on the sheet
    if not record_path.exists() and client is None:
        raise click.UsageError(visible(f"{record_path} does not exist yet: give --client NAME to start it"))
    with update(record_path, catalog, client=client) as box:
        changed, changes = apply(box["record"], record_path, sheet, goal_id, today)
        heading = f"From {filled.name} ({sheet.worksheet.title}) into {record_path}:"
        notes = [f"  {note}" for note in header_notes(sheet, box["record"], goal_id)]
        saved = save_if_agreed(box, changed, changes, [heading, *notes], yes=yes)
    if saved:
        click.echo(visible(f"Saved {record_path}"))


_DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.command()
@click.argument("record", metavar="CLIENT.yaml", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="A private folder for the PDF."
)
@click.option(
    "--from", "start", type=_DAY, default=None, metavar="YYYY-MM-DD", help="Only entries on or after this day."
)
@click.option("--to", "end", type=_DAY, default=None, metavar="YYYY-MM-DD", help="Only entries on or before this day.")
@click.option("--paper", type=click.Choice(["letter", "a4"]), default="letter", show_default=True)
@click.pass_context
def report(
    ctx: click.Context,
    record: Path,
    out: Path,
    start: datetime.datetime | None,
    end: datetime.datetime | None,
    paper: str,
) -> None:
    """Make a confidential progress report of a client record, for your file: goals, ratings,
    attainment levels, T-scores and the latest notes."""
    from ..clients import folder_note, write_report

    project, catalog = catalog_of(ctx)
    note = folder_note(out)  # as the folder was before: one made now is private
    written = write_report(
        project,
        catalog,
        record,
        out,
        start=start.date() if start else None,
        end=end.date() if end else None,
        paper=paper,  # type: ignore[arg-type]
    )
    goals = "1 goal" if written.goals == 1 else f"{written.goals} goals"
    click.echo(visible(f"Wrote {written.path} ({goals}, {written.pages} pages)"))
    warn(list(written.warnings))
    if note:
        click.echo(visible(note), err=True)
