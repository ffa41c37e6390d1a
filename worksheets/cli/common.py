"""What every command shares: how errors become messages and exit codes, how the project and its
content are opened, the options several commands take, and how typed text is checked.

Bad input (InputError) prints ``file:line:col: message`` lines and exits 2; a failure while
rendering valid input (RenderError) exits 1; neither shows a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import InputError, RenderError, visible
from ..project import Project

if TYPE_CHECKING:
    from ..content import Catalog

EXISTING_FILE = click.Path(dir_okay=False, exists=True, path_type=Path)


class Group(click.Group):
    """A click group that turns the tool's own errors into messages and exit codes: bad input
    exits 2, a failure while rendering or writing valid input exits 1, neither with a traceback."""

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
        except OSError as exc:  # a folder that cannot be written, a disk that is full...
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(visible(f"error: {where}{exc.strerror or exc}"), err=True)
            ctx.exit(1)


def project_of(ctx: click.Context) -> Project:
    """The project the command works on (``--project``)."""
    return Project.at(ctx.obj["project"])


def catalog_of(ctx: click.Context) -> tuple[Project, Catalog]:
    """The project and its content, loaded and checked."""
    from ..content import load_catalog

    project = project_of(ctx)
    return project, load_catalog(project)


def lang_option(what: str) -> Any:
    """The ``--lang`` option: a language the project has a translation for."""
    return click.option(
        "--lang", default=None, metavar="CODE", help=f"The language of {what}, e.g. es [default: the content's]."
    )


def catalog_in(ctx: click.Context, lang: str | None) -> tuple[Project, Catalog]:
    """The project and its content in language ``lang`` (the content's own when None): only what
    is fully translated into it. A usage error for a language the project has no catalogue for,
    or whose interface is not translated yet."""
    from ..content import language_catalog

    project, catalog = catalog_of(ctx)
    try:
        translated, warnings = language_catalog(project, catalog, lang)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--lang") from None
    warn(warnings)
    return project, translated


def warn(warnings: list[Any]) -> None:
    """Print warnings (``file:line:col: warning: ...``, or plain lines) on standard error."""
    for warning in warnings:
        click.echo(visible(str(warning)), err=True)


def output_option(name: str) -> Any:
    """The ``-o/--output`` option of the commands that write one PDF, named after ``name``."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"PDF file to write [default: {name}-PAPER.pdf].",
    )


def worksheet_arg(catalog: Catalog, worksheet_id: str, param_hint: str = "ID") -> Any:
    """The worksheet a command line names; a usage error with a suggestion when there is none."""
    try:
        return catalog.get(worksheet_id)
    except KeyError as exc:
        missing = next((w for w in catalog.untranslated if w.id == worksheet_id), None)
        if missing is not None:
            message = f"worksheet '{worksheet_id}' is not yet translated into {catalog.site.language}"
            raise click.BadParameter(message, param_hint=param_hint) from None
        raise click.BadParameter(exc.args[0], param_hint=param_hint) from None


def progress_bar(label: str) -> Any:
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


def checked_text(text: str, name: str) -> str:
    """``text`` as it will be saved (stripped); click.BadParameter naming ``name`` when it cannot
    be, because it is empty, too long or not UTF-8 (``records.text_problem``)."""
    from ..clients import text_problem

    text = text.strip()
    problem = "is empty" if not text else text_problem(text)
    if problem:
        raise click.BadParameter(f"{name} {problem}")
    return text


def optional_text(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Check an option's text (``--note``, ``packet --title``); empty is the same as not given."""
    return checked_text(value, "the text") if value and value.strip() else None


def required_text(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Check an option's text for a record that may not be empty when given (``--client``)."""
    return None if value is None else checked_text(value, "the text")


def answer(*, required: bool) -> Callable[[str], str | None]:
    """A click prompt's ``value_proc`` that checks typed text for a record; a bad answer is
    shown and asked again. Empty is None, or asked again when ``required``."""

    def check(value: str) -> str | None:
        if not value.strip() and not required:
            return None
        try:
            return checked_text(value, "the answer")
        except click.BadParameter as exc:
            raise click.UsageError(exc.message) from None

    return check


def save_if_agreed(box: dict[str, Any], changed: Any, changes: list[str], lines: list[str], *, yes: bool) -> bool:
    """Show what an import changes (``lines`` first: where from and where to, and notes), ask
    before saving unless ``yes``, and put ``changed`` in the ``records.update`` box when agreed.
    Whether it was saved."""
    for line in [*lines, *(f"  - {change}" for change in changes or ["nothing new"])]:
        click.echo(visible(line))
    if not changes or not (yes or click.confirm("Save these changes?", default=True)):
        click.echo("Nothing saved.")
        return False
    box["record"] = changed
    return True


def check_suffix(path: Path, suffix: str, what: str, option: str) -> None:
    """Refuse to write ``what`` to ``path`` unless its name ends in ``suffix``: a file made from a
    client record must never land on the record itself, or on another file, by a slip."""
    if path.suffix.lower() != suffix:
        raise click.BadParameter(f"{what} is written to a file ending in {suffix}", param_hint=option)


def site_address(catalog: Catalog, base_url: str | None) -> str:
    """The site's address for a link to its pages: ``--base-url``, else ``base_url`` in
    ``site.yaml``; a usage error when there is neither, or it is not a web address ending with /."""
    import re

    from ..content import URL_PATTERN

    base = base_url or catalog.site.base_url
    if base is None:
        raise click.UsageError(
            "give --base-url, or set base_url in content/site.yaml: the link needs the site's address"
        )
    if not re.fullmatch(URL_PATTERN, base):
        raise click.BadParameter(
            "expected a web address starting with http:// or https:// and ending with /", param_hint="--base-url"
        )
    return base
