"""``worksheets translations``: the catalogues translators work in (extract, update, status).

The files are gettext PO files in ``content/translations/``, opened as they are by Poedit,
Weblate or Crowdin; ``docs/translating.md`` walks a translator through them.
"""

from __future__ import annotations

import click

from .common import catalog_of


@click.group()
def translations() -> None:
    """Write and merge the translation catalogues (PO files) in content/translations/."""


@translations.command()
@click.pass_context
def extract(ctx: click.Context) -> None:
    """Write content/translations/messages.pot: every text to translate, with where it appears."""
    from ..content import translation_template

    project, catalog = catalog_of(ctx)
    path, count, changed = translation_template(project, catalog)
    click.echo(f"{'Wrote' if changed else 'Unchanged'} {path} ({count} texts)")


@translations.command()
@click.option("--add", "add", metavar="CODE", multiple=True, help="Start a catalogue for a new language, e.g. fr.")
@click.pass_context
def update(ctx: click.Context, add: tuple[str, ...]) -> None:
    """Extract the template, then merge it into every language's catalogue (and --add new ones).

    A text whose English changed keeps its old translation, marked fuzzy, so nothing goes stale
    unnoticed; a text no longer used is kept at the end of the file as obsolete.
    """
    from ..content import update_catalogues

    project, catalog = catalog_of(ctx)
    try:
        for path, counts, changed in update_catalogues(project, catalog, add):
            translated, fuzzy, missing = counts
            state = "Updated" if changed else "Unchanged"
            click.echo(f"{state} {path}: {translated} translated, {fuzzy} fuzzy, {missing} missing")
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--add") from None


@translations.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """How much of each language is translated, fuzzy and missing: in all, and per worksheet,
    packet and page (a part with anything missing or fuzzy is left out of that language)."""
    from ..content import translation_status

    project, catalog = catalog_of(ctx)
    reports = translation_status(project, catalog)
    if not reports:
        click.echo("No translations yet: start one with `worksheets translations update --add CODE`.")
    for name, counts in reports:
        total = [sum(c[i] for c in counts.values()) for i in range(3)]
        share = 100 * total[0] / max(1, sum(total))
        click.echo(f"{name}: {share:.0f}% translated ({total[0]} texts), {total[1]} fuzzy, {total[2]} missing")
        width = max(len(owner) for owner in counts)
        for owner, (translated, fuzzy, missing) in counts.items():
            state = "ready" if not (fuzzy or missing) else "left out"
            click.echo(
                f"  {owner:<{width}}  {translated:>4} translated  {fuzzy:>3} fuzzy  {missing:>3} missing  {state}"
            )
