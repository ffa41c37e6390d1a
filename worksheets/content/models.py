"""Typed, immutable models of the content: site settings, interface strings and worksheets.

The field kinds live in ``fields.py``; everything here is the frame around them.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field, RootModel, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from .fields import Section
from .languages import direction
from .modelbase import LANGUAGE_PATTERN, URL_PATTERN, Aim, Id, Model, Text


class TherapistNotes(Model):
    """The therapist guide that every worksheet carries: four parts in Markdown, and the keys of
    the references in ``content/references.yaml`` that the guide rests on (printed as its
    Sources, after the four parts)."""

    purpose: Text
    suits: Text
    running: Text
    watch_for: Text
    sources: list[Id] = Field(default_factory=list)

    PARTS: ClassVar[tuple[str, ...]] = ("purpose", "suits", "running", "watch_for")
    """The Markdown parts, in the order they are printed (``sources`` holds keys, not text)."""


class References(RootModel[dict[Id, Text]]):
    """``content/references.yaml``: each reference a guide may cite, by key, with its citation
    (Markdown, for the italics of a journal or book).

    Citations are bibliographic records, printed as published in every language, so they are
    not offered for translation.
    """

    model_config = ConfigDict(strict=True, frozen=True)


class Step(Model):
    """A small step towards a goal, with an optional due date, ticked when done."""

    text: Text
    due: datetime.date | None = None
    done: bool = False


GasLevel = Annotated[int, Field(ge=-2, le=2)]
"""A Goal Attainment Scaling level: -2 much less than expected, 0 as expected, +2 much more."""


class Rating(Model):
    """A dated progress entry: a rating from 0 (none yet) to 10 (goal reached), a Goal Attainment
    Scaling level from -2 to 2, or both, with an optional note.

    The two measure different things (how far along the client feels, and which of the outcomes
    agreed in advance was reached), so either may be recorded without the other.
    """

    date: datetime.date
    rating: Annotated[int, Field(ge=0, le=10)] | None = None
    gas: GasLevel | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _rating_or_level(self) -> Rating:
        if self.rating is None and self.gas is None:
            raise PydanticCustomError("no_measure", "expected a 'rating' (0 to 10), a 'gas' level (-2 to 2) or both")
        return self


class GoalWork(Model):
    """What a client does with one worksheet: the answers, the steps, the ratings over time.

    A goal in a client record and a worksheet's worked example share it, so both are printed by
    the same templates.
    """

    answers: dict[str, Any] = Field(default_factory=dict)
    steps: list[Step] = Field(default_factory=list)
    progress: list[Rating] = Field(default_factory=list)


class Example(GoalWork):
    """A worked example: what a made-up client might write, shown as a filled sheet."""

    client: Text
    title: Text | None = None


class Site(Model):
    """``content/site.yaml``: what is printed on every page and sheet."""

    title: Text
    description: Text
    language: Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)] = "en"
    licence: Text
    licence_url: Text | None = None
    base_url: Annotated[str, StringConstraints(pattern=URL_PATTERN)] | None = None
    footer: Text | None = None
    intro: Text
    tag_names: dict[Id, Text] = Field(default_factory=dict)
    progress_sheet: Id | None = None
    gas_rho: Annotated[float, Field(ge=0, lt=1)] = 0.3
    """The correlation assumed between a client's goals in the Goal Attainment Scaling T-score:
    0.3 by convention (Kiresuk and Sherman)."""

    @property
    def direction(self) -> str:
        """``rtl`` when the site's language is written right to left, else ``ltr``: the ``dir`` of
        every page and document."""
        return direction(self.language)

    def tag_name(self, tag: str) -> str:
        """How a tag is shown: its name from ``tag_names``, else the id in words."""
        return self.tag_names.get(tag) or tag.replace("-", " ").capitalize()


class Strings(Model):
    """Every word printed that is not content, so that a translation is one more YAML file."""

    name: Text
    date: Text
    page: Text
    of: Text
    yes: Text
    no: Text
    how_to_use: Text
    priority: Text
    done: Text
    for_therapists: Text
    purpose: Text
    suits: Text
    running: Text
    watch_for: Text
    sources: Text
    example: Text
    example_note: Text
    downloads: Text
    letter: Text
    a4: Text
    format_print: Text
    format_fillable: Text
    format_large_print: Text
    format_low_ink: Text
    format_dyslexia: Text
    all_worksheets: Text
    aim_relationships: Text
    aim_coping: Text
    aim_behaviour: Text
    aim_decisions: Text
    aim_growth: Text
    wheel_alt: Text
    flowchart_alt: Text
    write_in: Text
    row: Text
    packets: Text
    packet_contents: Text
    packet_pages: Text
    in_packets: Text
    contents: Text
    online: Text
    custom_packet: Text
    packets_intro: Text
    goal: Text
    steps: Text
    due: Text
    progress_so_far: Text
    rating: Text
    note: Text
    gas_level: Text
    ticked: Text
    chart_week: Text
    chart_month: Text
    chart_quarter: Text
    chart_year: Text
    chart_years: Text
    chart_only: Text
    set_on: Text
    target_date: Text
    takehome_title: Text
    therapist: Text
    confidential: Text
    report_title: Text
    report_client: Text
    report_made: Text
    report_period: Text
    report_period_all: Text
    report_period_from: Text
    report_period_to: Text
    report_period_between: Text
    report_goals: Text
    report_number: Text
    status: Text
    status_active: Text
    status_paused: Text
    status_done: Text
    weight: Text
    latest_rating: Text
    latest_level: Text
    report_scores: Text
    review: Text
    goals_counted: Text
    t_score: Text
    not_enough_data: Text
    no_level_for: Text
    no_goal_counted: Text
    no_reviews: Text
    t_footnote: Text
    ladder: Text
    baseline: Text
    no_scale: Text
    report_ratings: Text
    report_levels: Text
    level_chart_week: Text
    level_chart_month: Text
    level_chart_quarter: Text
    level_chart_year: Text
    level_chart_years: Text
    report_steps: Text
    step_open: Text
    report_notes: Text
    report_notes_count: Text
    nothing_recorded: Text
    skip_link: Text
    nav_label: Text
    breadcrumb: Text
    home: Text
    browse: Text
    by_aim: Text
    by_topic: Text
    by_time: Text
    time_short: Text
    time_medium: Text
    time_long: Text
    count_one: Text
    count_many: Text
    fill_on_screen: Text
    fill_note: Text
    tools_off: Text
    keep_title: Text
    save_pdf: Text
    paper_size: Text
    save_pdf_note: Text
    pdf_needs_site: Text
    save_answers: Text
    open_answers: Text
    answers_note: Text
    keep_here: Text
    keep_here_note: Text
    forget: Text
    forget_confirm: Text
    forgotten: Text
    keep_on: Text
    keep_off: Text
    keep_failed: Text
    kept_back: Text
    saved_answers: Text
    opened_answers: Text
    answers_damaged: Text
    answers_other_sheet: Text
    answers_old: Text
    prefilled: Text
    link_broken: Text
    link_other: Text
    link_unsupported: Text
    making_pdf: Text
    made_pdf: Text
    pdf_failed: Text
    pdf_cut: Text
    link_kept: Text
    kept_old: Text
    topics: Text
    not_found_title: Text
    not_found_text: Text
    back_home: Text
    preview_no_pdf: Text
    languages: Text
    not_translated: Text
    not_translated_list: Text
    read_in_source: Text
    ask_skip: Text
    ask_range: Text
    ask_date: Text
    ask_number: Text
    ask_numbers: Text
    ask_editor: Text
    bad_number: Text
    bad_date: Text
    name_tip: Text
    date_tip: Text
    link_qr: Text

    def count(self, n: int) -> str:
        """ "1 worksheet" or "9 worksheets", in this language."""
        return self.count_one if n == 1 else self.count_many.replace("{count}", str(n))

    def aim(self, aim: str) -> str:
        """Display name of one of the five aims."""
        return str(getattr(self, f"aim_{aim}"))


class Page(Model):
    """A page of prose for the site, from ``content/pages/<id>.yaml`` (for example About)."""

    id: Id
    order: Annotated[int, Field(ge=0, le=10_000)] = 100
    title: Text
    summary: Text
    body: Text


class Packet(Model):
    """A bundle of blank worksheets printed as one PDF, from ``content/packets/<id>.yaml``."""

    id: Id
    order: Annotated[int, Field(ge=0, le=10_000)] = 100
    title: Text
    summary: Text
    worksheets: Annotated[list[Id], Field(min_length=1)]
    include_guide: bool = False
    include_examples: bool = False


HEADER = ("_name", "_date")
"""The form names of a sheet's Name and Date, on the site's form and in a fillable PDF. No field
id starts with ``_``, so they never clash with a worksheet's own names; they are not answers (a
record holds the client's name once, at its top)."""


class Worksheet(Model):
    """One exercise, from ``content/worksheets/<id>.yaml`` (the id is the file name)."""

    id: Id
    order: Annotated[int, Field(ge=0, le=10_000)] = 100
    title: Text
    summary: Text
    how_to_use: Text
    tags: Annotated[list[Id], Field(min_length=1)]
    minutes: Annotated[int, Field(ge=1, le=240)]
    aims: list[Aim] = Field(default_factory=list)
    intro: Text
    notes: TherapistNotes
    sections: Annotated[list[Section], Field(min_length=1)]
    example: Example | None = None

    @property
    def fields(self) -> list[Any]:
        """Every field of the worksheet in reading order."""
        return [f for section in self.sections for f in section.fields]

    def names(self) -> list[str]:
        """Every fillable name of the sheet's fields, in reading order: the answers' names."""
        return [name for f in self.fields for name in f.names()]

    def form_names(self) -> list[str]:
        """Every name of the sheet's form, in reading order (what ``worksheets fields`` prints):
        the header's Name and Date (``HEADER``), then the fields' ``names()``."""
        return [*HEADER, *self.names()]

    def gather(self, values: dict[str, Any]) -> dict[str, Any]:
        """Answers keyed by field id from values typed into this sheet's form fields."""
        answers = {f.id: f.gather(values) for f in self.fields}
        return {k: v for k, v in answers.items() if v is not None}

    def flatten(self, answers: dict[str, Any]) -> dict[str, Any]:
        """Answers keyed by field id (checked at load time) as values keyed by fillable name."""
        fields = {f.id: f for f in self.fields}
        flat: dict[str, Any] = {}
        for field_id, value in answers.items():
            flat.update(fields[field_id].flatten(value))
        return flat
