"""The commands that make the site and its sheets: build, serve, pdf, packet, list, fields, check.

Each parses options and calls the library; the heavier modules (content models, Jinja,
WeasyPrint) are imported inside the commands that use them, so that `worksheets build` on an
up-to-date site and `--help` start quickly.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..atomic import write_atomic
from ..errors import did_you_mean
from ..formats import PAPERS, VARIANTS
from .common import (
    catalog_in,
    catalog_of,
    lang_option,
    optional_text,
    output_option,
    progress_bar,
    project_of,
    warn,
    worksheet_arg,
)
from .scheduler import cluster_of, scheduler_options

if TYPE_CHECKING:
    from ..content import Catalog, Packet


@click.command()
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=None, help="Output folder [default: site/]."
)
@click.option("--paper", type=click.Choice(["letter", "a4", "both"]), default="both", show_default=True)
@click.option("--jobs", type=click.IntRange(1), default=None, help="Worker processes [default: one per CPU].")
@scheduler_options
@click.option("--clean", is_flag=True, help="Render everything again, as if the output were empty.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.pass_context
def build(
    ctx: click.Context,
    out: Path | None,
    paper: str,
    jobs: int | None,
    scheduler: str | None,
    cluster_timeout: float,
    clean: bool,
    quiet: bool,
) -> None:
    """Build the static site: pages, PDFs and packets. Renders only what changed."""
    from ..site import build_options, check_out, inputs_key, nothing_to_do, up_to_date

    start = time.perf_counter()
    cluster = cluster_of(scheduler, cluster_timeout, jobs)
    project = project_of(ctx)
    papers = PAPERS if paper == "both" else (paper,)
    target = (out or project.root / "site").resolve()
    check_out(project, target)
    manifest = None if clean else up_to_date(target, inputs_key(project, build_options(papers, True)))
    if manifest is not None:
        result = nothing_to_do(target, manifest, start)
    else:
        from ..content import content_warnings
        from ..site import build as build_site

        progress = None if quiet else progress_bar("Rendering PDFs")
        result = build_site(project, target, papers, jobs=jobs, cluster=cluster, clean=clean, progress=progress)  # type: ignore[arg-type]
        warn(content_warnings(project) + list(result.notes))
    if not quiet:
        click.echo(
            f"Rendered {result.rendered}, up to date {result.up_to_date}, removed {result.removed}, "
            f"in {result.seconds:.1f} s ({result.pages} pages in {result.out})"
        )


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0 picks a free port.")
@click.option("--paper", type=click.Choice(["letter", "a4", "both"]), default="both", show_default=True)
@click.option("--no-pdf", is_flag=True, help="Skip the PDFs for faster rebuilds; the pages say so.")
@click.pass_context
def serve(ctx: click.Context, port: int, paper: str, no_pdf: bool) -> None:
    """Preview the site on 127.0.0.1, rebuilding and reloading the browser when files change."""
    from ..site import listen
    from ..site import serve as serve_site

    project = project_of(ctx)
    papers = PAPERS if paper == "both" else (paper,)
    try:
        server = listen(port)
    except OSError as exc:
        msg = f"cannot serve on 127.0.0.1:{port} ({exc.strerror}); choose another, or 0 for any free port"
        raise click.BadParameter(msg, param_hint="--port") from None
    serve_site(project, server, papers, pdfs=not no_pdf, echo=click.echo)  # type: ignore[arg-type]


@click.command()
@click.argument("worksheet_id", metavar="ID")
@click.option("--paper", type=click.Choice(["letter", "a4"]), default="letter", show_default=True)
@output_option("ID")
@click.option("--example", is_flag=True, help="Fill the sheet with its worked example.")
@click.option("--fillable", is_flag=True, help="A PDF with form fields, to fill in on a computer or tablet.")
@click.option("--variant", type=click.Choice(VARIANTS), default=None, help="An alternate format.")
@lang_option("the sheet")
@click.pass_context
def pdf(
    ctx: click.Context,
    worksheet_id: str,
    paper: str,
    output: Path | None,
    example: bool,
    fillable: bool,
    variant: str | None,
    lang: str | None,
) -> None:
    """Render one worksheet to PDF: blank, fillable, filled with its example, or a variant."""
    from ..content import content_warnings
    from ..render import environment, render_document, write_pdf

    project, catalog = catalog_in(ctx, lang)
    warn(content_warnings(project))
    ws = worksheet_arg(catalog, worksheet_id)
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


@click.command()
@click.argument("name", required=False)
@click.option("--worksheets", "worksheet_ids", metavar="A,B,C", help="A packet of your own: worksheet ids, in order.")
@click.option("--title", default=None, callback=optional_text, help="Title of a packet of your own.")
@click.option("--paper", type=click.Choice(["letter", "a4"]), default="letter", show_default=True)
@click.option("--duplex", is_flag=True, help="Start every sheet on a right-hand page, for printing on both sides.")
@output_option("NAME")
@lang_option("the packet")
@click.pass_context
def packet(
    ctx: click.Context,
    name: str | None,
    worksheet_ids: str | None,
    title: str | None,
    paper: str,
    duplex: bool,
    output: Path | None,
    lang: str | None,
) -> None:
    """Render a blank packet to one PDF: a packet from content/packets, or --worksheets a,b,c."""
    from ..content import content_warnings, text_warnings
    from ..render import environment, render_packet, render_pdf

    project, catalog = catalog_in(ctx, lang)
    warn(content_warnings(project) + text_warnings(project, "--title", title or ""))
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

    from ..content import Packet

    ids = [i.strip() for i in worksheet_ids.split(",") if i.strip()]
    if not ids:
        raise click.BadParameter("no worksheet ids; give them as a,b,c", param_hint="--worksheets")
    sheets = [worksheet_arg(catalog, i, "--worksheets") for i in ids]
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


@click.command("list")
@lang_option("the titles")
@click.pass_context
def list_(ctx: click.Context, lang: str | None) -> None:
    """List the worksheets: id, minutes and title (in a language, those translated into it)."""
    _, catalog = catalog_in(ctx, lang)
    width = max(len(w.id) for w in catalog.worksheets)
    for ws in catalog.worksheets:
        click.echo(f"{ws.id:<{width}}  {ws.minutes:>3} min  {ws.title}")


@click.command()
@click.argument("worksheet_id", metavar="ID")
@click.pass_context
def fields(ctx: click.Context, worksheet_id: str) -> None:
    """Print a worksheet's fillable field ids, one per line: the header's _name and _date first,
    then the sheet's own (the answer keys of a client record)."""
    _, catalog = catalog_of(ctx)
    for name in worksheet_arg(catalog, worksheet_id).form_names():
        click.echo(name)


@click.command()
@click.option("--strict", is_flag=True, help="Exit 1 when any text of any language is missing or fuzzy.")
@click.pass_context
def check(ctx: click.Context, strict: bool) -> None:
    """Validate the content, translations and templates without building anything."""
    from ..content import content_warnings
    from ..render import check_templates, environment
    from ..site import editions, plan_pdfs, site_pages, web_font_rules

    project, catalog = catalog_of(ctx)
    env = environment(project)
    templates = check_templates(env)
    web_font_rules(project)  # the fonts' rules and files, which the pages' web fonts are made from
    languages, gaps = editions(project, catalog)
    for translated, _ in languages:
        plan_pdfs(env, project, translated, PAPERS)  # renders the HTML of every PDF, no PDF
        empty = {w.id: [] for w in translated.worksheets}, {p.id: [] for p in translated.packets}
        site_pages(env, translated, *empty, preview=True)
    warn(content_warnings(project))
    warn(gaps)
    names = ", ".join(c.site.language for c, _ in languages[1:])
    click.echo(
        f"OK: {len(catalog.worksheets)} worksheets, {templates} templates" + (f", languages {names}" if names else "")
    )
    if strict and gaps:
        click.echo(f"--strict: {len(gaps)} parts of translations are incomplete (listed above)", err=True)
        ctx.exit(1)
