"""The ``worksheets`` command line: parse options, call the library, report.

It stays thin on purpose: every command is a call into a module that tests can call directly.
Bad input (InputError) prints ``file:line:col: message`` lines and exits 2; a failure while
rendering valid input (RenderError) exits 1; neither shows a traceback.
"""

from __future__ import annotations

import datetime
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .atomic import write_atomic
from .errors import InputError, RenderError, did_you_mean, visible
from .formats import PAPERS, VARIANTS
from .goalscli import goals, optional_text, required_text
from .project import Project

if TYPE_CHECKING:
    from .loader import Catalog
    from .models import Packet

# The heavier modules (content models, Jinja, WeasyPrint) are imported inside the commands that
# use them, so that `worksheets build` on an up-to-date site and `--help` start quickly.

EXISTING_FILE = click.Path(dir_okay=False, exists=True, path_type=Path)


class _Group(click.Group):
    """A click group that turns the tool's own errors into messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            ctx.exit(2)
        except RenderError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)


def _project(ctx: click.Context) -> Project:
    return Project.at(ctx.obj["project"])


def _catalog(ctx: click.Context) -> tuple[Project, Catalog]:
    from .loader import load_catalog

    project = _project(ctx)
    return project, load_catalog(project)


def _warn(warnings: list[Any]) -> None:
    """Print warnings (``file:line:col: warning: ...``, or plain lines) on standard error."""
    for warning in warnings:
        click.echo(visible(str(warning)), err=True)


def _output_option(name: str) -> Any:
    """The ``-o/--output`` option of the commands that write one PDF, named after ``name``."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"PDF file to write [default: {name}-PAPER.pdf].",
    )


def _worksheet_arg(catalog: Catalog, worksheet_id: str, param_hint: str = "ID") -> Any:
    try:
        return catalog.get(worksheet_id)
    except KeyError as exc:
        raise click.BadParameter(exc.args[0], param_hint=param_hint) from None


@click.group(cls=_Group)
@click.version_option(package_name="worksheets", prog_name="worksheets")
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The project folder (holding content/ and templates/).",
)
@click.pass_context
def cli(ctx: click.Context, project: Path) -> None:
    """Build printable goal-setting worksheets and the site that offers them."""
    ctx.obj = {"project": project}


@cli.command()
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=None, help="Output folder [default: site/]."
)
@click.option("--paper", type=click.Choice(["letter", "a4", "both"]), default="both", show_default=True)
@click.option("--jobs", type=click.IntRange(1), default=None, help="Worker processes [default: one per CPU].")
@click.option("--clean", is_flag=True, help="Render everything again, as if the output were empty.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.pass_context
def build(ctx: click.Context, out: Path | None, paper: str, jobs: int | None, clean: bool, quiet: bool) -> None:
    """Build the static site: pages, PDFs and packets. Renders only what changed."""
    from .freshness import build_options, check_out, inputs_key, nothing_to_do, up_to_date

    start = time.perf_counter()
    project = _project(ctx)
    papers = PAPERS if paper == "both" else (paper,)
    target = (out or project.root / "site").resolve()
    check_out(project, target)
    manifest = None if clean else up_to_date(target, inputs_key(project, build_options(papers, True)))
    if manifest is not None:
        result = nothing_to_do(target, manifest, start)
    else:
        from .glyphs import content_warnings
        from .site import build as build_site

        progress = None if quiet else _progress_bar("Rendering PDFs")
        result = build_site(project, target, papers, jobs=jobs, clean=clean, progress=progress)  # type: ignore[arg-type]
        _warn(content_warnings(project))
    if not quiet:
        click.echo(
            f"Rendered {result.rendered}, up to date {result.up_to_date}, removed {result.removed}, "
            f"in {result.seconds:.1f} s ({result.pages} pages in {result.out})"
        )


def _progress_bar(label: str) -> Any:
    """A progress bar on a terminal, nothing elsewhere: ``start(n)`` returns ``tick(i)``."""

    def start(total: int) -> Any:
        if total == 0 or not sys.stderr.isatty():
            return None
        bar = click.progressbar(length=total, label=label, file=sys.stderr)
        bar.__enter__()
        count = [0]

        def tick(_index: int) -> None:
            count[0] += 1
            bar.update(1)
            if count[0] == total:
                bar.__exit__(None, None, None)

        return tick

    return start


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


def _prefill_progress(records: list[Path], status: _StatusLine) -> tuple[Any, Any]:
    """What ``prefill`` shows as it renders: the page being laid out, then the PDF being written,
    for a record rendered here; how many are finished when workers render them. Only the record's
    file name and numbers are shown, never anything it says (a goal's title is health information)."""
    finished = [0]

    def where(i: int) -> str:
        return records[i].name + (f" ({i + 1} of {len(records)})" if len(records) > 1 else "")

    def pages(i: int, stage: str, count: int) -> None:
        doing = f"laying out page {count}" if stage == "layout" else f"writing the PDF ({count} pages)"
        status.show(visible(f"{where(i)}: {doing}"))

    def done(_i: int) -> None:
        finished[0] += 1
        status.show(f"Take-home sheets: {finished[0]} of {len(records)} rendered")

    return done, pages


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0 picks a free port.")
@click.option("--paper", type=click.Choice(["letter", "a4", "both"]), default="both", show_default=True)
@click.option("--no-pdf", is_flag=True, help="Skip the PDFs for faster rebuilds; the pages say so.")
@click.pass_context
def serve(ctx: click.Context, port: int, paper: str, no_pdf: bool) -> None:
    """Preview the site on 127.0.0.1, rebuilding and reloading the browser when files change."""
    from .serve import listen
    from .serve import serve as serve_site

    project = _project(ctx)
    papers = PAPERS if paper == "both" else (paper,)
    try:
        server = listen(port)
    except OSError as exc:
        msg = f"cannot serve on 127.0.0.1:{port} ({exc.strerror}); choose another, or 0 for any free port"
        raise click.BadParameter(msg, param_hint="--port") from None
    serve_site(project, server, papers, pdfs=not no_pdf, echo=click.echo)  # type: ignore[arg-type]


@cli.command()
@click.argument("worksheet_id", metavar="ID")
@click.option("--paper", type=click.Choice(["letter", "a4"]), default="letter", show_default=True)
@_output_option("ID")
@click.option("--example", is_flag=True, help="Fill the sheet with its worked example.")
@click.option("--fillable", is_flag=True, help="A PDF with form fields, to fill in on a computer or tablet.")
@click.option("--variant", type=click.Choice(VARIANTS), default=None, help="An alternate format.")
@click.pass_context
def pdf(
    ctx: click.Context,
    worksheet_id: str,
    paper: str,
    output: Path | None,
    example: bool,
    fillable: bool,
    variant: str | None,
) -> None:
    """Render one worksheet to PDF: blank, fillable, filled with its example, or a variant."""
    from .glyphs import content_warnings
    from .pdf import write_pdf
    from .render import environment, render_document

    project, catalog = _catalog(ctx)
    _warn(content_warnings(project))
    ws = _worksheet_arg(catalog, worksheet_id)
    if example and ws.example is None:
        raise click.BadParameter(f"worksheet '{ws.id}' has no worked example", param_hint="--example")
    if example and fillable:
        raise click.UsageError("--example and --fillable do not go together")
    mode = "fillable" if fillable else "filled" if example else "print"
    filled = {"answers": ws.example.answers, "client": ws.example.client} if example else {}
    html = render_document(environment(project), catalog, ws, mode=mode, paper=paper, variant=variant, **filled)  # type: ignore[arg-type]
    target = output or Path(f"{ws.id}-{paper}.pdf")
    write_atomic(target, write_pdf(html, project, forms=fillable, title=ws.id))
    click.echo(f"Wrote {target}")


@cli.command()
@click.argument("name", required=False)
@click.option("--worksheets", "worksheet_ids", metavar="A,B,C", help="A packet of your own: worksheet ids, in order.")
@click.option("--title", default=None, callback=optional_text, help="Title of a packet of your own.")
@click.option("--paper", type=click.Choice(["letter", "a4"]), default="letter", show_default=True)
@click.option("--duplex", is_flag=True, help="Start every sheet on a right-hand page, for printing on both sides.")
@_output_option("NAME")
@click.pass_context
def packet(
    ctx: click.Context,
    name: str | None,
    worksheet_ids: str | None,
    title: str | None,
    paper: str,
    duplex: bool,
    output: Path | None,
) -> None:
    """Render a blank packet to one PDF: a packet from content/packets, or --worksheets a,b,c."""
    from .glyphs import content_warnings, text_warnings
    from .pdf import render_pdf
    from .render import environment, render_packet

    project, catalog = _catalog(ctx)
    _warn(content_warnings(project) + text_warnings(project, "--title", title or ""))
    if (name is None) == (worksheet_ids is None):
        raise click.UsageError("give a packet NAME or --worksheets a,b,c (one of the two)")
    chosen = _packet_arg(catalog, name) if name is not None else _custom_packet(catalog, worksheet_ids or "", title)
    html = render_packet(environment(project), catalog, chosen, paper=paper, duplex=duplex)  # type: ignore[arg-type]
    target = output or Path(f"{chosen.id}-{paper}.pdf")
    rendered = render_pdf(html, project, title=chosen.id)
    write_atomic(target, rendered.data)
    click.echo(f"Wrote {target} ({rendered.pages} pages)")


def _custom_packet(catalog: Catalog, worksheet_ids: str, title: str | None) -> Packet:
    """The packet that ``--worksheets a,b,c`` and ``--title`` ask for, checked as a packet file is:
    at least one worksheet, each known and named once, and a title a packet may have. What the
    model refuses is said about the option it came from, never as a validation traceback."""
    from pydantic import ValidationError

    from .models import Packet

    ids = [i.strip() for i in worksheet_ids.split(",") if i.strip()]
    if not ids:
        raise click.BadParameter("no worksheet ids; give them as a,b,c", param_hint="--worksheets")
    sheets = [_worksheet_arg(catalog, i, "--worksheets") for i in ids]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise click.BadParameter(f"'{twice[0]}' is given more than once", param_hint="--worksheets")
    summary = " · ".join(ws.title for ws in sheets)
    fields = {"title": title or catalog.strings.custom_packet, "summary": summary, "worksheets": ids}
    try:
        return Packet(id="custom", **fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = error["msg"][0].lower() + error["msg"][1:]
        if error["loc"][:1] == ("title",):
            raise click.BadParameter(message, param_hint="--title") from None
        message = f"the packet's summary (the titles of its worksheets) is too long: {message}"
        raise click.BadParameter(message, param_hint="--worksheets") from None


def _packet_arg(catalog: Catalog, name: str) -> Packet:
    ids = [p.id for p in catalog.packets]
    for candidate in catalog.packets:
        if candidate.id == name:
            return candidate
    raise click.BadParameter(f"no packet '{name}'{did_you_mean(name, ids)}", param_hint="NAME")


@cli.command()
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
@click.pass_context
def prefill(
    ctx: click.Context, records: tuple[Path, ...], goal_ids: tuple[str, ...], out: Path, paper: str, jobs: int | None
) -> None:
    """Make take-home PDFs from client records: one PDF per client, in their own words."""
    from .glyphs import record_warnings
    from .takehome import folder_note
    from .takehome import prefill as make

    project, catalog = _catalog(ctx)
    note = folder_note(out)  # as the folder was before: one made now is private
    status = _StatusLine()
    done, pages = _prefill_progress(list(records), status)
    try:
        sheets = make(
            project,
            catalog,
            list(records),
            out,
            goal_ids=goal_ids,
            paper=paper,  # type: ignore[arg-type]
            jobs=jobs,
            done=done,
            pages=pages,
        )
    finally:
        status.clear()
    for sheet in sheets:
        goals = "1 goal" if sheet.goals == 1 else f"{sheet.goals} goals"
        click.echo(visible(f"Wrote {sheet.path} ({goals}, {sheet.pages} pages)"))
    _warn(record_warnings(project, list(records)))
    if note:
        click.echo(visible(note), err=True)


@cli.command("import")
@click.argument("filled", metavar="FILLED.pdf", type=EXISTING_FILE)
@click.argument("record_path", metavar="CLIENT.yaml", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--goal", "goal_id", metavar="ID", help="Add to this goal [default: a new goal].")
@click.option(
    "--client", default=None, callback=required_text, help="The client's name or initials, to start a new record."
)
@click.option("--yes", is_flag=True, help="Save without asking.")
@click.pass_context
def import_(
    ctx: click.Context, filled: Path, record_path: Path, goal_id: str | None, client: str | None, yes: bool
) -> None:
    """Read the answers typed into a fillable PDF into a client's record."""
    from .fillin import apply, read_filled
    from .records import update

    _, catalog = _catalog(ctx)
    today = datetime.date.today()
    sheet = read_filled(filled, catalog, today)
    if not record_path.exists() and client is None:
        raise click.UsageError(visible(f"{record_path} does not exist yet: give --client NAME to start it"))
    with update(record_path, catalog, client=client) as box:
        changed, changes = apply(box["record"], record_path, sheet, goal_id, today)
        click.echo(visible(f"From {filled.name} ({sheet.worksheet.title}) into {record_path}:"))
        for change in changes or ["nothing new"]:
            click.echo(visible(f"  - {change}"))
        if not changes or not (yes or click.confirm("Save these changes?", default=True)):
            click.echo("Nothing saved.")
            return
        box["record"] = changed
    click.echo(visible(f"Saved {record_path}"))


@cli.command("list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """List the worksheets: id, minutes and title."""
    _, catalog = _catalog(ctx)
    width = max(len(w.id) for w in catalog.worksheets)
    for ws in catalog.worksheets:
        click.echo(f"{ws.id:<{width}}  {ws.minutes:>3} min  {ws.title}")


@cli.command()
@click.argument("worksheet_id", metavar="ID")
@click.pass_context
def fields(ctx: click.Context, worksheet_id: str) -> None:
    """Print a worksheet's fillable field ids, one per line."""
    _, catalog = _catalog(ctx)
    for name in _worksheet_arg(catalog, worksheet_id).names():
        click.echo(name)


@cli.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Validate the content and templates without building anything."""
    from .glyphs import content_warnings
    from .render import check_templates, environment
    from .site import plan_pdfs
    from .sitepages import site_pages

    project, catalog = _catalog(ctx)
    env = environment(project)
    templates = check_templates(env)
    plan_pdfs(env, project, catalog, PAPERS)  # renders the HTML of every PDF, no PDF
    site_pages(env, catalog, {w.id: [] for w in catalog.worksheets}, {p.id: [] for p in catalog.packets}, preview=True)
    _warn(content_warnings(project))
    click.echo(f"OK: {len(catalog.worksheets)} worksheets, {templates} templates")


cli.add_command(goals)
