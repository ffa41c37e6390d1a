"""The commands that carry a client record to other programs and back: export and import-fhir.

An export is health information: it is written atomically, readable by its owner only, never
into the project's content, templates or site, and never shown; the command prints only the
file's name and counts.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError, Problem, visible
from .common import EXISTING_FILE, catalog_of, check_suffix, required_text, save_if_agreed, worksheet_arg

DEFAULT_WORKSHEET = "smart-goals"
"""The worksheet a goal from another system is filed under when it names none: SMART goals is
the general goal-setting sheet, and a goal with no answers fits any sheet."""


@click.command()
@click.argument("record_path", metavar="CLIENT.yaml", type=EXISTING_FILE)
@click.option(
    "--format",
    "kind",
    type=click.Choice(["fhir", "csv"]),
    required=True,
    help="fhir: an HL7 FHIR R4 Bundle (JSON); csv: one row per progress entry, for a spreadsheet.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The file to write."
)
@click.pass_context
def export(ctx: click.Context, record_path: Path, kind: str, output: Path) -> None:
    """Write a client's record as FHIR for a health record system, or as CSV for a spreadsheet."""
    from ..atomic import write_atomic
    from ..clients import load_record, record_file
    from ..clients.fhir import fhir_bundle
    from ..clients.records import RECORD_MODE, backup_path
    from ..clients.spreadsheet import progress_csv
    from ..clients.takehome import check_out_folder

    project, catalog = catalog_of(ctx)
    check_suffix(output, {"fhir": ".json", "csv": ".csv"}[kind], f"a {kind} export", "--output")
    record = load_record(record_path, catalog)
    folder = output.parent.resolve()
    if not folder.is_dir():
        raise InputError([Problem(output, 1, 1, f"no folder {folder} to write into; make it first (a private one)")])
    check_out_folder(project, folder)
    real = record_file(record_path)
    if output.resolve() in (real, backup_path(real)):
        raise InputError([Problem(output, 1, 1, "this is the client record itself; choose another file")])
    data = fhir_bundle(record) if kind == "fhir" else progress_csv(record)
    write_atomic(output, data, mode=RECORD_MODE)
    goals, entries = len(record.goals), sum(len(g.progress) for g in record.goals)
    counts = f"{goals} goal{'s' * (goals != 1)}, {entries} progress entr{'y' if entries == 1 else 'ies'}"
    click.echo(visible(f"Wrote {output} ({counts})"))


@click.command("import-fhir")
@click.argument("bundle_path", metavar="FILE.json", type=EXISTING_FILE)
@click.argument("record_path", metavar="CLIENT.yaml", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--worksheet",
    default=DEFAULT_WORKSHEET,
    show_default=True,
    metavar="ID",
    help="The worksheet for goals that do not name one (goals from another system).",
)
@click.option(
    "--client",
    default=None,
    callback=required_text,
    help="The client's name, to start a new record [default: the Patient's name in the file].",
)
@click.option("--yes", is_flag=True, help="Save without asking.")
@click.pass_context
def import_fhir(
    ctx: click.Context, bundle_path: Path, record_path: Path, worksheet: str, client: str | None, yes: bool
) -> None:
    """Read the goals and progress of a FHIR R4 Bundle into a client's record."""
    from ..clients import update
    from ..clients.fhirimport import merge, read_bundle

    _, catalog = catalog_of(ctx)
    worksheet_arg(catalog, worksheet, "--worksheet")
    incoming = read_bundle(bundle_path, catalog, worksheet)
    client = client or incoming.client
    if not record_path.exists() and client is None:
        raise click.UsageError(
            visible(f"{record_path} does not exist yet and the file names no patient: give --client")
        )
    with update(record_path, catalog, client=client) as box:
        changed, changes = merge(box["record"], incoming, bundle_path)
        lines = [f"From {bundle_path.name} into {record_path}:"]
        if incoming.client and incoming.client != box["record"].client:
            lines.append(f"  note: the file is about '{incoming.client}', the record '{box['record'].client}'")
        lines += [f"  left out: {skipped}" for skipped in incoming.left_out]
        saved = save_if_agreed(box, changed, changes, lines, yes=yes)
    if saved:
        click.echo(visible(f"Saved {record_path}"))
