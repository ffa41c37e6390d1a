"""``worksheets link``: a link to a worksheet's page that opens filled in with a goal's answers.

The link holds the client's answers (in its fragment, which no server sees), so it is printed
only to the person at the terminal, and its QR code is written like a take-home sheet: owner-only,
never into the project or a built site.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError, Problem, visible
from .common import EXISTING_FILE, catalog_of, check_suffix, site_address


@click.command()
@click.argument("record_path", metavar="CLIENT.yaml", type=EXISTING_FILE)
@click.argument("goal_id", metavar="GOAL")
@click.option("--base-url", default=None, metavar="URL", help="The site's address [default: base_url in site.yaml].")
@click.option(
    "--qr",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the link as a QR code (SVG).",
)
@click.pass_context
def link(ctx: click.Context, record_path: Path, goal_id: str, base_url: str | None, qr: Path | None) -> None:
    """Print a link to the goal's worksheet page that opens filled in with its answers."""
    from ..atomic import write_atomic
    from ..clients import load_record, record_catalog
    from ..clients.links import MAX_LINK, goal_link
    from ..clients.records import RECORD_MODE
    from ..clients.takehome import check_out_folder, folder_note, make_private

    if qr is not None:
        check_suffix(qr, ".svg", "a QR code", "--qr")
    project, catalog = catalog_of(ctx)
    base = site_address(catalog, base_url)
    record = load_record(record_path, catalog)
    try:
        goal = record.goal(goal_id)
    except KeyError as exc:
        raise InputError([Problem(record_path, 1, 1, exc.args[0])]) from None
    language = record_catalog(project, catalog, record, record_path)
    if goal.worksheet not in {ws.id for ws in language.worksheets}:
        click.echo(
            f"note: '{goal.worksheet}' is not yet translated into {language.site.language}; "
            f"the link is to the page in {catalog.site.language}",
            err=True,
        )
        language = catalog
    url = goal_link(base, language, catalog.site.language, language.get(goal.worksheet), goal.answers)
    if len(url) > MAX_LINK:
        message = (
            f"the link for goal '{goal_id}' would be {len(url):,} characters, over the limit of {MAX_LINK:,}: "
            "its answers are too long to travel in a link; print its take-home sheet instead"
        )
        raise InputError([Problem(record_path, 1, 1, message)])
    if qr is not None:
        import segno

        check_out_folder(project, qr.parent)
        note = folder_note(qr.parent)  # as the folder was before: one made now is private
        make_private(qr.parent)
        code = segno.make(url, error="l")
        write_atomic(qr, code.svg_inline(scale=4, border=4, dark="#000").encode("utf-8"), mode=RECORD_MODE)
    click.echo(url)
    if qr is not None:
        click.echo(visible(f"Wrote {qr}"), err=True)
        if note:
            click.echo(visible(note), err=True)
