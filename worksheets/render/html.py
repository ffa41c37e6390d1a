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

import datetime
import itertools
import math
import re
import statistics
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from markupsafe import Markup

from ..content import (
    AnyField,
    Catalog,
    Packet,
    Rating,
    Strings,
    TableField,
    WheelField,
    Worksheet,
    decimal,
    listed,
    long_date,
    minutes,
    month_year,
    number,
    short_date,
    to_html,
)
from ..errors import InputError, Problem, RenderError
from ..formats import PAGE_SIZE, Mode, Paper, Variant
from ..project import Project
from .charts import CHART_POINTS, ChartPoint, level_chart_svg, rating_chart_svg, signed
from .diagrams import qr_svg, wheel_svg


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string for a ``<style>`` element (the running footer).

    HTML escaping does not apply inside ``<style>``, so quotes, backslashes, line breaks and
    ``<`` (which could close the element) are written as CSS escapes instead.
    """
    escaped = "".join(f"\\{ord(c):x} " if c in '\\"<>&\n' else c for c in text)
    return Markup(f'"{escaped}"')


def wheel(
    ws: Worksheet, field: WheelField, answers: dict[str, Any], title: str, other: str, mode: str = "page"
) -> Markup:
    """The wheel of life for ``field``, shaded from its table's scores when there are answers
    (drawn for WeasyPrint in every mode but ``page``)."""
    table = next(f for f in ws.fields if isinstance(f, TableField) and f.id == field.table)
    assert isinstance(table.rows, list)  # checked when loading
    labels = [answers.get(f"{table.id}.{r.id}.label", other) if r.write_in else r.label for r in table.rows]
    scores = [answers.get(f"{table.id}.{r.id}.{field.score}") for r in table.rows]
    return wheel_svg(labels, scores, title, paper=mode != "page")


@dataclass(frozen=True)
class ProgressChart:
    """A goal's ratings as printed: the chart, a note saying what its points stand for when they
    are averages, and the ratings listed in the table beside it."""

    svg: Markup
    note: str
    listed: list[Rating]
    unlisted: int


TABLE_ROWS = 40
"""Ratings listed in full beside the chart at most (about a page). With more, the table lists
the ratings that have a note, every one, since a note is the client's own words; the others are
in the chart."""

_PERIODS: list[tuple[str, Callable[[datetime.date], Any]]] = [
    ("week", lambda day: day - datetime.timedelta(days=day.weekday())),
    ("month", lambda day: (day.year, day.month)),
    ("quarter", lambda day: (day.year, (day.month - 1) // 3)),
    ("year", lambda day: day.year),
]
"""The periods ratings may be averaged over, shortest first, each with the key of a day's period."""


def _grouped(ratings: list[Rating], limit: int = CHART_POINTS) -> tuple[str, int, list[list[Rating]]]:
    """Entries (in date order) grouped by the shortest period that gives at most ``limit``
    groups: its name, its length in years when it is several years, and the groups."""
    for name, key in _PERIODS:
        groups = [list(g) for _, g in itertools.groupby(ratings, key=lambda r: key(r.date))]
        if len(groups) <= limit:
            return name, 1, groups
    first = ratings[0].date.year
    years = math.ceil((ratings[-1].date.year - first + 1) / limit)
    spans = itertools.groupby(ratings, key=lambda r: (r.date.year - first) // years)
    return "years", years, [list(g) for _, g in spans]


def _period_label(period: str, day: datetime.date, language: str) -> str:
    """The date printed under a point: a week's Monday, a month or quarter's first month, a year."""
    if period == "week":
        return short_date(day - datetime.timedelta(days=day.weekday()), language)
    if period in ("month", "quarter"):
        return month_year(day, language)
    return str(day.year)


def progress_chart(
    progress: list[Rating], strings: Strings, language: str, title: str, *, compact: bool = False
) -> ProgressChart:
    """A goal's ratings as a chart: one point per rating, in date order, or with more ratings than
    fit (``CHART_POINTS``), one point per week, month, quarter or year, the average of its ratings,
    with a note saying so; and which entries the table beside it lists (``TABLE_ROWS``). Entries
    that hold only an attainment level are in the table, not the chart; with no rating at all
    there is no chart."""
    ratings = sorted((r for r in progress if r.rating is not None), key=lambda r: r.date)
    points, note = _chart_points(ratings, "rating", CHART_POINTS, strings, "chart", language)
    listed = list(progress) if len(progress) <= TABLE_ROWS else [r for r in progress if r.note]
    if not any(r.note or r.gas is not None for r in listed):
        listed = []
    unlisted = len(progress) - len(listed) if listed else 0
    svg = rating_chart_svg(points, title, note, compact=compact) if points else Markup("")
    return ProgressChart(svg, note, listed, unlisted)


def _chart_points(
    entries: list[Rating], measure: str, limit: int, strings: Strings, notes: str, language: str
) -> tuple[list[ChartPoint], str]:
    """The points of a chart of ``measure`` (``rating`` or ``gas``) over ``entries`` (in date
    order, each with that measure): one per entry while there are at most ``limit``, else one per
    week, month, quarter or year, the average of its entries, with the note saying so (the
    string ``<notes>_<period>`` with its placeholders filled in)."""
    if len(entries) <= limit:
        values = [getattr(e, measure) for e in entries]
        return [ChartPoint(short_date(e.date, language), v, v, v) for e, v in zip(entries, values, strict=True)], ""
    period, years, groups = _grouped(entries, limit)
    points = []
    for group in groups:
        values = [getattr(e, measure) for e in group]
        label = _period_label(period, group[0].date, language)
        points.append(ChartPoint(label, round(statistics.fmean(values), 1), min(values), max(values)))
    note = getattr(strings, f"{notes}_{period}")
    for placeholder, value in (
        ("{count}", str(len(entries))),
        ("{years}", str(years)),
        ("{first}", long_date(entries[0].date, language)),
        ("{last}", long_date(entries[-1].date, language)),
    ):
        note = note.replace(placeholder, value)
    return points, note


LEVEL_POINTS = 20
"""Points at most on a chart of attainment levels: fewer than on the rating chart, since a level
with its sign and an average's decimal (-1.3) is wider than a rating."""


@dataclass(frozen=True)
class LevelChart:
    """A goal's attainment levels as printed: the chart, and a note saying what its points stand
    for when they are averages."""

    svg: Markup
    note: str


def level_chart(progress: list[Rating], strings: Strings, language: str, title: str) -> LevelChart:
    """A goal's Goal Attainment Scaling levels as a chart, in the style of ``progress_chart``:
    one point per level recorded, in date order, or with more than ``LEVEL_POINTS``, one point
    per week, month, quarter or year, the average of its levels, with a note saying so. With no
    level at all there is no chart."""
    levels = sorted((r for r in progress if r.gas is not None), key=lambda r: r.date)
    points, note = _chart_points(levels, "gas", LEVEL_POINTS, strings, "level_chart", language)
    return LevelChart(level_chart_svg(points, title, note) if points else Markup(""), note)


LONG_TEXT = 600
"""Characters of text from which a box on paper may be broken across pages.

A field, a table row, a box of a flowchart or a moment of a timeline is kept whole on one page
when its text is shorter (about eight lines at full width): moving it to the next page leaves at
most a few centimetres empty. A longer one (a client's long answer, a long label) may break
between its lines, keeping at least three together, so that it never leaves a page almost
empty, and never runs past the page when it is taller than a page.
"""


RUNNING = 60
"""Characters of a title at most in a running header or footer, whose box has room for two lines."""


def running(text: str) -> str:
    """``text`` for a running header or footer: at most ``RUNNING`` characters, cut after a word
    and ended with an ellipsis when longer. A margin box cannot grow: a longer title would run
    off the page. The whole title is printed where it stands in the document."""
    text = " ".join(text.split())
    if len(text) <= RUNNING:
        return text
    cut = text[: RUNNING - 1]
    if " " in cut[RUNNING // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def text_length(value: Any) -> int:
    """How many characters of text ``value`` holds: a string, or the strings in a list or mapping."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(text_length(v) for v in value.values())
    if isinstance(value, list | tuple):
        return sum(text_length(v) for v in value)
    return 0


def is_long(value: Any) -> bool:
    """The template test ``is long``: ``value`` holds more than ``LONG_TEXT`` characters of text."""
    return text_length(value) > LONG_TEXT


def long_field(field: AnyField, answers: dict[str, Any]) -> bool:
    """Whether a field holds more than ``LONG_TEXT`` characters: its label, hint, options and the
    other text of its settings, and the answers printed in it."""
    settings = field.model_dump(exclude={"id", "kind", "width"})
    return is_long([settings, [answers.get(name) for name in field.names()]])


def long_row(table: TableField, key: str, answers: dict[str, Any]) -> bool:
    """Whether one row of a table (its name and the answers in its cells) is long."""
    prefix = f"{table.id}.{key}."
    row = [] if isinstance(table.rows, int) else [r.label for r in table.rows if r.id == key]
    return is_long([row, [value for name, value in answers.items() if name.startswith(prefix)]])


@dataclass(frozen=True)
class Run:
    """Fields laid out together: one full-width field, or two half-width fields side by side."""

    fields: list[AnyField]
    side_by_side: bool


def field_runs(fields: list[AnyField], answers: dict[str, Any]) -> list[Run]:
    """A section's fields as the template lays them out: half-width fields in pairs side by side
    (a lone one at half width), every other field on its own.

    A pair holding long text is set at full width, one field below the other: text that fills
    pages reads better across the page, and plain blocks are what WeasyPrint breaks across pages
    most reliably (in a grid cell, a flex item or an inline block, it may not).
    """
    runs: list[Run] = []
    pair: list[AnyField] = []

    def flush() -> None:
        if pair:
            runs.append(Run(list(pair), side_by_side=not any(long_field(f, answers) for f in pair)))
            pair.clear()

    for field in fields:
        if field.width == "half":
            pair.append(field)
            if len(pair) == 2:
                flush()
        else:
            flush()
            runs.append(Run([field], False))
    flush()
    return runs


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
    client's answer in Hebrew or Arabic sits on the right of its box, as they would write it; and
    `` dir="ltr"`` when it starts in another script, so an answer in English on an Arabic sheet
    sits on the left. Text with no letter at all (a number) follows the sheet."""
    for c in str(text):
        kind = unicodedata.bidirectional(c)
        if kind in ("R", "AL"):
            return Markup(' dir="rtl"')
        if kind == "L":
            return Markup(' dir="ltr"')
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
    env.filters["running"] = running
    env.tests["long"] = is_long
    env.filters["date"] = long_date
    env.filters["minutes"] = minutes
    env.filters["gas_level"] = signed  # +2, 0, -1 with a true minus sign
    env.filters["decimal"] = decimal
    env.filters["number"] = number
    env.filters["listed"] = listed
    env.globals["wheel"] = wheel
    env.globals["progress_chart"] = progress_chart
    env.globals["level_chart"] = level_chart
    env.globals["long_field"] = long_field
    env.globals["long_row"] = long_row
    env.globals["field_runs"] = field_runs
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
    """Render a paper document: what every one needs (site, strings, the citations guides may
    list, page size, and a sheet's answers, client and date, empty unless given), then its own
    ``context``."""
    defaults = {"answers": {}, "client": "", "date": ""}
    return render_template(
        env,
        template,
        site=catalog.site,
        strings=catalog.strings,
        references=catalog.references,
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


def render_packet(
    env: Environment,
    catalog: Catalog,
    packet: Packet,
    *,
    paper: Paper,
    duplex: bool = False,
    part: str | None = None,
    numbers: dict[str, int] | None = None,
    first: int = 0,
    total: int = 0,
) -> str:
    """The HTML of a packet: cover, contents, and its worksheets blank, for WeasyPrint.

    With a ``base_url`` each sheet carries a QR code to its page on the site; with ``duplex``
    every sheet starts on a right-hand page, blank pages filling the gaps. With a ``part``, one
    part of the packet (see ``render.sections``), numbered as in the whole packet, its first page
    being page ``first`` of ``total``: a worksheet's id (that sheet, its guide and example, with
    the bytes ``render_parts`` writes for it from the packet laid out whole) or "front" (the cover
    and contents, only a key: the contents' page numbers ``numbers``, anchor to page, are in it).
    """
    base = catalog.site.base_url
    sheets = [catalog.get(worksheet_id) for worksheet_id in packet.worksheets]
    shown = [ws for ws in sheets if part in (None, ws.id)]  # a part draws only its own sheet's QR code
    qrs = {ws.id: qr_svg(f"{base}worksheets/{ws.id}.html", catalog.strings.online) for ws in shown} if base else {}
    return _paper(
        env,
        "packet.html",
        catalog,
        paper,
        packet=packet,
        sheets=sheets,
        qrs=qrs,
        duplex=duplex,
        mode="print",
        part=part,
        numbers=numbers,
        first=first,
        total=total,
    )


def render_takehome(
    env: Environment,
    catalog: Catalog,
    record: Any,
    goals: list[Any],
    *,
    paper: Paper,
    date: str,
    scales: dict[str, dict[str, Any]] | None = None,
    scale_sheet: str | None = None,
    links: dict[str, SheetQr] | None = None,
) -> str:
    """The HTML of a client's take-home sheets for ``goals`` (taken from ``record``); a goal named
    in ``scales`` also gets worksheet ``scale_sheet`` filled in with those answers, and one named
    in ``links`` carries that QR code on its sheet."""
    sheet_id = progress_sheet_id(catalog)
    return _paper(
        env,
        "takehome.html",
        catalog,
        paper,
        catalog=catalog,
        record=record,
        goals=goals,
        progress_sheet=catalog.get(sheet_id) if sheet_id else None,
        scales=scales or {},
        scale_sheet=catalog.get(scale_sheet) if scales and scale_sheet else None,
        links=links or {},
        date=date,
        mode="filled",
        client=record.client,
    )


@dataclass(frozen=True)
class SheetQr:
    """A QR code printed in a sheet's header, and its words (None: the usual "Online")."""

    svg: Markup
    label: str | None = None


def progress_sheet_id(catalog: Catalog) -> str | None:
    """The weekly progress sheet take-home sheets end with, unless ``catalog`` (a translation)
    does not have it yet: the take-home sheets then go without it."""
    sheet_id = catalog.site.progress_sheet
    return None if sheet_id in {ws.id for ws in catalog.untranslated} else sheet_id


def render_takehome_sheet(
    env: Environment,
    catalog: Catalog,
    record: Any,
    goal: Any,
    *,
    paper: Paper,
    date: str,
    week: bool = False,
    scale: dict[str, Any] | None = None,
    scale_sheet: str | None = None,
    link: SheetQr | None = None,
) -> str:
    """The HTML of one fillable take-home sheet of ``record`` for ``goal`` (``prefill
    --fillable``): the goal with its worksheet as form fields holding its answers (then, with
    ``scale``, worksheet ``scale_sheet`` printed with those answers), or with ``week`` the weekly
    progress sheet to fill in, the goal written in and the date left for the client."""
    if week:
        ws = catalog.get(catalog.site.progress_sheet)
        answers = ws.flatten({"goal": goal.title} if "goal" in ws.names() else {})
    else:
        ws, answers = catalog.get(goal.worksheet), {}
    return _paper(
        env,
        "takehome-sheet.html",
        catalog,
        paper,
        ws=ws,
        goal=goal,
        goal_page=not week,
        answers=answers,
        scale=scale or {},
        scale_sheet=catalog.get(scale_sheet) if scale and scale_sheet else None,
        link=link,
        date="" if week else date,
        mode="fillable",
        client=record.client,
    )


def render_report(env: Environment, catalog: Catalog, report: Any, *, paper: Paper) -> str:
    """The HTML of a client's progress report (``clients.report.ProgressReport``), for the
    therapist's file."""
    return _paper(env, "report.html", catalog, paper, report=report, record=report.record, mode="filled")
