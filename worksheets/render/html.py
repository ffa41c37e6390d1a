"""Turn a worksheet into HTML with Jinja2: a page for the site, or a document for WeasyPrint.

One template, ``sheet.html``, draws the worksheet in every mode; the mode only changes how a
field is drawn (``fields.html``):

- ``page``: HTML form controls, for the site, where a person can type and print;
- ``print``: write-on lines and boxes, for blank PDFs;
- ``fillable``: form controls that WeasyPrint turns into PDF form fields;
- ``filled``: the client's own words, for take-home sheets and worked examples.

Autoescape is on and undefined names are errors, so a typo in a template fails the build instead
of printing nothing, and no answer can ever become markup.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from markupsafe import Markup

from ..content import Catalog, Packet, Rating, Strings, TableField, WheelField, Worksheet, to_html
from ..errors import InputError, Problem, RenderError
from ..formats import PAGE_SIZE, Mode, Paper, Variant
from ..project import Project
from .diagrams import progress_chart_svg, qr_svg, wheel_svg


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string for a ``<style>`` element (the running footer).

    HTML escaping does not apply inside ``<style>``, so quotes, backslashes, line breaks and
    ``<`` (which could close the element) are written as CSS escapes instead.
    """
    escaped = "".join(f"\\{ord(c):x} " if c in '\\"<>&\n' else c for c in text)
    return Markup(f'"{escaped}"')


def wheel(ws: Worksheet, field: WheelField, answers: dict[str, Any], title: str, other: str) -> Markup:
    """The wheel of life for ``field``, shaded from its table's scores when there are answers."""
    table = next(f for f in ws.fields if isinstance(f, TableField) and f.id == field.table)
    assert isinstance(table.rows, list)  # checked when loading
    labels = [answers.get(f"{table.id}.{r.id}.label", other) if r.write_in else r.label for r in table.rows]
    scores = [answers.get(f"{table.id}.{r.id}.{field.score}") for r in table.rows]
    return wheel_svg(labels, scores, title)


def chart(progress: list[Rating], strings: Strings, title: str) -> Markup:
    """The chart of a goal's ratings over time."""
    return progress_chart_svg([(strings.format_date(p.date, short=True), p.rating) for p in progress], title)


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(value: Any) -> Any:
    """``value`` without control characters (tabs and line breaks stay), for every ``{{ }}``.

    A client's words may hold some (a stray escape typed into a terminal, text pasted from
    elsewhere); they have no glyph, so on paper they would print as boxes.
    """
    if isinstance(value, str) and _CONTROLS.search(value):
        cleaned = _CONTROLS.sub("", value)
        return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value


def direction(text: Any) -> Markup:
    """`` dir="rtl"`` when ``text`` starts (at its first letter) in a right-to-left script, so a
    client's answer in Hebrew or Arabic sits on the right of its box, as they would write it."""
    for c in str(text):
        kind = unicodedata.bidirectional(c)
        if kind in ("R", "AL"):
            return Markup(' dir="rtl"')
        if kind == "L":
            break
    return Markup("")


def environment(project: Project) -> Environment:
    """The Jinja2 environment for a project's templates."""
    env = Environment(
        loader=FileSystemLoader(project.templates),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=printable,
    )
    env.filters["markdown"] = to_html
    env.filters["css_string"] = css_string
    env.filters["direction"] = direction
    env.globals["wheel"] = wheel
    env.globals["chart"] = chart
    return env


def _syntax_problem(exc: TemplateSyntaxError, name: str) -> InputError:
    return InputError([Problem(Path(exc.filename or name), exc.lineno, 1, f"template error: {exc.message}")])


def check_templates(env: Environment) -> int:
    """Compile every HTML template, so a broken one is reported even if no page uses it yet;
    return how many there are."""
    names = env.list_templates(extensions=["html"])
    for name in names:
        try:
            env.get_template(name)
        except TemplateSyntaxError as exc:
            raise _syntax_problem(exc, name) from None
    return len(names)


def render_template(env: Environment, name: str, **context: Any) -> str:
    """Render one template; a broken template is reported, never shown as a traceback.

    A syntax error is bad input (the template file is the project's, like its content): it is
    reported at its file and line. Any other template error (an undefined name) is a rendering
    failure.
    """
    try:
        return env.get_template(name).render(**context)
    except TemplateSyntaxError as exc:
        raise _syntax_problem(exc, name) from None
    except TemplateError as exc:
        raise RenderError(f"template {name}: {exc}") from None


def _paper(env: Environment, template: str, catalog: Catalog, paper: Paper, /, **context: Any) -> str:
    """Render a paper document: what every one needs (site, strings, page size, and a sheet's
    answers, client and date, empty unless given), then its own ``context``."""
    defaults = {"answers": {}, "client": "", "date": ""}
    return render_template(
        env,
        template,
        site=catalog.site,
        strings=catalog.strings,
        page_size=PAGE_SIZE[paper],
        **{**defaults, **context},
    )


def render_document(
    env: Environment,
    catalog: Catalog,
    ws: Worksheet,
    *,
    mode: Mode,
    paper: Paper,
    answers: dict[str, Any] | None = None,
    client: str = "",
    date: str = "",
    variant: Variant | None = None,
) -> str:
    """The HTML of one worksheet as a paper document, ready for WeasyPrint.

    ``answers`` are keyed by field id, as in a client record or a worked example; a ``variant``
    adds its stylesheet (``css/variant-<name>.css``) over the sheet's own.
    """
    return _paper(
        env,
        "document.html",
        catalog,
        paper,
        ws=ws,
        mode=mode,
        answers=ws.flatten(answers or {}),
        client=client,
        date=date,
        variant=variant,
    )


def render_packet(env: Environment, catalog: Catalog, packet: Packet, *, paper: Paper, duplex: bool = False) -> str:
    """The HTML of a packet: cover, contents, and its worksheets blank, for WeasyPrint.

    With a ``base_url`` each sheet carries a QR code to its page on the site; with ``duplex``
    every sheet starts on a right-hand page, blank pages filling the gaps.
    """
    base = catalog.site.base_url
    sheets = [catalog.get(worksheet_id) for worksheet_id in packet.worksheets]
    qrs = {ws.id: qr_svg(f"{base}worksheets/{ws.id}.html") for ws in sheets} if base else {}
    return _paper(
        env, "packet.html", catalog, paper, packet=packet, sheets=sheets, qrs=qrs, duplex=duplex, mode="print"
    )


def render_takehome(
    env: Environment, catalog: Catalog, record: Any, goals: list[Any], *, paper: Paper, date: str
) -> str:
    """The HTML of a client's take-home sheets for ``goals`` (taken from ``record``)."""
    sheet_id = catalog.site.progress_sheet
    return _paper(
        env,
        "takehome.html",
        catalog,
        paper,
        catalog=catalog,
        record=record,
        goals=goals,
        progress_sheet=catalog.get(sheet_id) if sheet_id else None,
        date=date,
        mode="filled",
        client=record.client,
    )
