"""Ask, field by field, what a worksheet asks, and build the answers a client record stores.

Each question can be skipped with an empty answer. The result has the same shape as answers
written by hand (see docs/content-format.md), so it goes through the same checks when saved. Text
that a record cannot hold (too long, or not UTF-8) is refused as it is typed, and asked again.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import click

from ..content import (
    BoxField,
    ChecklistField,
    ChoiceField,
    DateField,
    FlowchartField,
    LinesField,
    ScaleField,
    Strings,
    TableField,
    TextField,
    TimelineField,
    Worksheet,
    whole_number,
)
from .records import text_problem

Parse = Callable[[str], Any]


def ask(question: str, parse: Parse | None = None) -> Any:
    """Ask until the answer is text a record can hold and parses; an empty answer is None
    (skipped)."""
    while True:
        text = click.prompt(question, default="", show_default=False).strip()
        if not text:
            return None
        try:
            return parse(text) if parse is not None else _text(text)
        except ValueError as exc:
            click.echo(f"  {exc}", err=True)


def _text(text: str) -> str:
    """Text for a record; ValueError, in words for the person typing, when it cannot be one."""
    problem = text_problem(text)
    if problem:
        raise ValueError(f"the answer {problem}")
    return text


def parse_date(text: str) -> datetime.date:
    """A date written as YYYY-MM-DD."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError("please write the date as YYYY-MM-DD, for example 2026-11-30") from None


def date_in(strings: Strings) -> Parse:
    """``parse_date`` saying what went wrong in the words of ``strings``' language."""

    def parse(text: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise ValueError(strings.bad_date.replace("{example}", "2026-11-30")) from None

    return parse


def number_from(low: int, high: int, strings: Strings) -> Parse:
    """A parser for a whole number from ``low`` to ``high``, in the digits of any script."""

    def parse(text: str) -> int:
        try:
            return whole_number(text, low, high)
        except ValueError:
            raise ValueError(strings.bad_number.replace("{low}", str(low)).replace("{high}", str(high))) from None

    return parse


def _range(strings: Strings, low: int, high: int) -> str:
    return strings.ask_range.replace("{low}", str(low)).replace("{high}", str(high))


def _long_text(label: str, strings: Strings, editor: bool) -> str | None:
    """A long answer, typed at the prompt or, with ``editor``, written in the person's editor
    (opened again on what they wrote while it cannot be saved)."""
    if not editor:
        return ask(label)
    start = f"# {label}\n# {strings.ask_editor}\n"
    while True:
        text = click.edit(start)
        if text is None:
            return None
        start = text  # asked again: with what was written, to shorten or mend
        kept = "\n".join(line for line in text.splitlines() if not line.startswith("#")).strip()
        try:
            return _text(kept) if kept else None
        except ValueError as exc:
            click.echo(f"  {exc}", err=True)


def ask_field(field: Any, strings: Strings, *, editor: bool = False) -> Any:
    """The answer to one field, in the shape its kind stores; None when skipped. The words around
    the worksheet's own (hints, messages) are ``strings``', in the client's language."""
    if isinstance(field, TextField):
        return ask(field.label)
    if isinstance(field, LinesField | BoxField):
        return _long_text(field.label, strings, editor)
    if isinstance(field, DateField):
        return ask(f"{field.label} ({strings.ask_date})", date_in(strings))
    if isinstance(field, ScaleField):
        question = f"{field.label} ({_range(strings, field.min, field.max)})"
        return ask(question, number_from(field.min, field.max, strings))
    if isinstance(field, ChoiceField):
        return _ask_choice(field, strings)
    if isinstance(field, ChecklistField):
        return _ask_checklist(field, strings)
    if isinstance(field, TableField):
        return _ask_table(field, strings)
    if isinstance(field, FlowchartField):
        answers = {n.id: ask(n.text) for n in field.nodes if n.lines}
        return {k: v for k, v in answers.items() if v} or None
    if isinstance(field, TimelineField):
        answers = {m.id: ask(f"{m.label}: {m.prompt}") for m in field.moments}
        return {k: v for k, v in answers.items() if v} or None
    return None  # a wheel is drawn from its table


def _ask_choice(field: ChoiceField, strings: Strings) -> Any:
    click.echo(field.label)
    for n, option in enumerate(field.options, 1):
        click.echo(f"  {n}. {option.label}")
    pick = number_from(1, len(field.options), strings)
    if not field.multiple:
        chosen = ask(strings.ask_number, pick)
        return None if chosen is None else field.options[chosen - 1].id

    def many(text: str) -> list[str]:
        return [field.options[pick(part.strip()) - 1].id for part in text.replace("،", ",").split(",")]

    return ask(strings.ask_numbers, many)


def _ask_checklist(field: ChecklistField, strings: Strings) -> Any:
    click.echo(field.label)
    ticked: dict[str, int] = {}
    for item in field.items:
        if click.confirm(f"  {item.label}?", default=False):
            rank = 0
            if field.priority:
                question = f"  {strings.priority} ({_range(strings, 1, field.priority)})"
                rank = ask(question, number_from(1, field.priority, strings))
            ticked[item.id] = rank or field.priority or 0
    if not ticked:
        return None
    return ticked if field.priority else list(ticked)


def _ask_cell(column: Any, question: str, strings: Strings) -> Any:
    if column.kind == "check":
        return click.confirm(question, default=False)
    return ask(question, number_from(0, 10, strings) if column.kind == "score" else None)


def _ask_row(field: TableField, row_label: str, strings: Strings, *, first: Any = None) -> dict[str, Any]:
    """The cells of one row; ``first`` is the first column's answer when already asked."""
    row: dict[str, Any] = {}
    for n, column in enumerate(field.columns):
        asked = f"  {row_label}, {column.label}"
        value = first if n == 0 and first is not None else _ask_cell(column, asked, strings)
        if value is not None:
            row[column.id] = value
    return row


def _ask_table(field: TableField, strings: Strings) -> Any:
    click.echo(f"{field.label} ({strings.ask_skip})")
    if isinstance(field.rows, int):
        rows = []
        for n in range(1, field.rows + 1):
            first = _ask_cell(field.columns[0], f"  {n}, {field.columns[0].label}", strings)
            if not first:
                break  # numbered rows end at the first empty one
            rows.append(_ask_row(field, str(n), strings, first=first))
        return rows or None
    named: dict[str, Any] = {}
    for row in field.rows:
        label = row.label
        values: dict[str, Any] = {}
        if row.write_in:
            written = ask(f"  {row.label}")
            if written is None:
                continue
            values["label"], label = written, written
        values.update(_ask_row(field, label, strings))
        if any(v for k, v in values.items() if k != "label") or "label" in values:
            named[row.id] = values
    return named or None


def interview(ws: Worksheet, strings: Strings, *, editor: bool = False) -> dict[str, Any]:
    """Ask every field of ``ws`` in order, ``ws`` and ``strings`` being in the client's language;
    the answers given, keyed by field id."""
    answers: dict[str, Any] = {}
    for section in ws.sections:
        click.echo(click.style(f"\n{section.title}", bold=True))
        if section.prompt:
            click.echo(section.prompt)
        for field in section.fields:
            value = ask_field(field, strings, editor=editor)
            if value is not None:
                answers[field.id] = value
    return answers
