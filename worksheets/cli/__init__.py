"""The ``worksheets`` command line: one module per group of commands, each thin.

- ``sheets``: the site and its sheets (build, serve, pdf, packet, list, fields, check);
- ``clients``: take-home sheets, filled PDFs and progress reports (prefill, import, report);
- ``exports``: records to FHIR and CSV, and FHIR back (export, import-fhir);
- ``links``: a link to a sheet's page that opens filled in with a goal's answers (link);
- ``goals``: changing a client's record (goals add, list, progress, done);
- ``translations``: the catalogues translators work in (extract, update, status);
- ``common``: error handling, opening the project, shared options and text checks.

Takes the command line, calls the stages below (content, render, site, clients), reports.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import clients, exports, links, sheets
from .common import Group
from .goals import goals
from .translations import translations


@click.group(cls=Group)
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


for command in (
    sheets.build,
    sheets.serve,
    sheets.pdf,
    sheets.packet,
    sheets.list_,
    sheets.fields,
    sheets.check,
    clients.prefill,
    clients.import_,
    clients.report,
    exports.export,
    exports.import_fhir,
    links.link,
    goals,
    translations,
):
    cli.add_command(command)

__all__ = ["cli"]
