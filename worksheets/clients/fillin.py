"""Read a filled-in fillable PDF back into a client's record (``worksheets import``).

Our fillable PDFs say which worksheet they are (``worksheets:<id>`` in their keywords) and name
their form fields as ``worksheets fields`` prints them. Some programs rewrite a PDF without its
document information (keywords and all); such a PDF is known by its exact set of field names when
one worksheet has that set. A PDF that is not ours, or whose fields do not match the worksheet any
more, is refused rather than half read, and so is a value no record could hold. The values become answers by
each field kind's ``gather``, the inverse of what prints them; the weekly progress sheet's 0 to
10 scale also becomes a dated progress rating, and a filled Goal attainment scale sets the goal's
scale (``gas.scale_from``). pypdf reads the form (a runtime dependency for this
alone: writing our own PDF parser would be neither short nor safe).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..content import AnswerError, Catalog, DateField, Rating, ScaleField, Worksheet
from ..errors import InputError, Problem
from .gas import SCALE_SHEET, scale_from
from .records import ClientRecord, Goal, new_goal_id, text_problem

KEYWORD = "worksheets:"


@dataclass(frozen=True)
class Filled:
    """What a filled sheet holds: its worksheet, the answers, and a rating if it is a progress sheet."""

    worksheet: Worksheet
    answers: dict[str, Any]
    rating: Rating | None


def _form_values(path: Path, fields: dict[str, Any]) -> dict[str, Any]:
    """Each field's value as typed: text (line breaks as ``\n``), True for a ticked box, a radio
    group's chosen value; InputError for text a record cannot hold."""
    values: dict[str, Any] = {}
    for name, field in fields.items():
        value = field.get("/V")
        if value is None:
            continue
        if field.get("/FT") == "/Btn":
            state = str(value).lstrip("/")
            options = field.get("/Opt")
            if options is not None and state.isascii() and state.isdigit() and int(state) < len(options):
                values[name] = str(options[int(state)])  # a radio group: /V is the button's index
            elif state not in ("", "Off"):
                values[name] = True
        else:
            values[name] = _text(path, name, str(value))
    return values


def _text(path: Path, name: str, text: str) -> str:
    """Text typed into field ``name``, with the PDF's line breaks (``\r``) made ``\n``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    problem = text_problem(text)
    if problem:
        raise InputError([Problem(path, 1, 1, f"the field '{name}' {problem}")])
    return text


def read_filled(path: Path, catalog: Catalog, today: datetime.date) -> Filled:
    """The answers typed into a fillable PDF made by this tool; InputError for anything else."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings would repeat our message
    try:
        reader = PdfReader(path)
        keywords = str((reader.metadata or {}).get("/Keywords", ""))
        fields = reader.get_fields() or {}
    except (PdfReadError, OSError, ValueError) as exc:
        raise InputError([Problem(path, 1, 1, f"cannot read this file as a PDF ({exc})")]) from None
    ws = _worksheet(path, catalog, keywords, set(fields))
    if set(fields) != set(ws.names()):
        msg = f"its form fields do not match worksheet '{ws.id}' as it is now; print a fresh fillable PDF"
        raise InputError([Problem(path, 1, 1, msg)])
    try:
        answers = ws.gather(_form_values(path, fields))
    except AnswerError as exc:
        raise InputError([Problem(path, 1, 1, exc.message)]) from None
    return Filled(ws, answers, _rating(ws, answers, catalog, today))


_NOT_OURS = "this is not a fillable worksheet made by worksheets (no worksheet id or no form fields)"


def _worksheet(path: Path, catalog: Catalog, keywords: str, names: set[str]) -> Worksheet:
    """The worksheet a PDF with form fields ``names`` was made for: the one its keywords name,
    else the one sheet with exactly these fields (the keywords are lost when a program drops
    the document information)."""
    if not names:
        raise InputError([Problem(path, 1, 1, _NOT_OURS)])
    worksheet_id = next((k[len(KEYWORD) :] for k in keywords.split() if k.startswith(KEYWORD)), None)
    if worksheet_id is not None:
        try:
            return catalog.get(worksheet_id)
        except KeyError as exc:
            msg = f"made for a worksheet this project does not have: {exc.args[0]}"
            raise InputError([Problem(path, 1, 1, msg)]) from None
    matching = [ws for ws in catalog.worksheets if set(ws.names()) == names]
    if not matching:
        raise InputError([Problem(path, 1, 1, _NOT_OURS)])
    if len(matching) > 1:
        ids = ", ".join(f"'{ws.id}'" for ws in matching)
        msg = f"this PDF no longer says which worksheet it is, and its form fields fit more than one: {ids}"
        raise InputError([Problem(path, 1, 1, msg + "; fill in a fresh fillable PDF")])
    return matching[0]


def _rating(ws: Worksheet, answers: dict[str, Any], catalog: Catalog, today: datetime.date) -> Rating | None:
    """On the weekly progress sheet, its 0 to 10 scale is the week's progress rating."""
    if ws.id != catalog.site.progress_sheet:
        return None
    scale = next((f for f in ws.fields if isinstance(f, ScaleField)), None)
    if scale is None or scale.id not in answers:
        return None
    dated = next((answers[f.id] for f in ws.fields if isinstance(f, DateField) and f.id in answers), None)
    day = dated if isinstance(dated, datetime.date) else today
    return Rating(date=day, rating=answers[scale.id])


def apply(
    record: ClientRecord, path: Path, filled: Filled, goal_id: str | None, today: datetime.date
) -> tuple[ClientRecord, list[str]]:
    """The record (read from ``path``) with the filled sheet added, and what changes, in words."""
    ws, answers, rating = filled.worksheet, filled.answers, filled.rating
    scale = scale_from(answers) if ws.id == SCALE_SHEET else None
    if goal_id is None:
        title = answers.get("goal") if isinstance(answers.get("goal"), str) else ws.title
        goal = Goal(
            id=new_goal_id(record, title),
            worksheet=ws.id,
            title=title,
            set_on=today,
            answers=answers,
            progress=[rating] if rating else [],
            gas=scale,
        )
        changes = [f"add goal '{goal.id}' ({title}), set with '{ws.id}', with {len(answers)} answers"]
        if scale:
            changes.append(f"with an attainment scale of weight {scale.weight}")
        if rating:
            changes.append(f"with a progress rating of {rating.rating} on {rating.date}")
        return record.model_copy(update={"goals": [*record.goals, goal]}), changes
    try:
        goal = record.goal(goal_id)
    except KeyError as exc:
        raise InputError([Problem(path, 1, 1, exc.args[0])]) from None
    changes, update = [], {}
    if goal.worksheet == ws.id:
        for key, value in answers.items():
            if goal.answers.get(key) != value:
                changes.append(f"{key}: {'replace' if key in goal.answers else 'add'} answer")
        update["answers"] = {**goal.answers, **answers}
    elif rating is None and scale is None:
        msg = f"goal '{goal.id}' was set with '{goal.worksheet}', and this sheet is '{ws.id}'"
        raise InputError([Problem(path, 1, 1, msg)])
    if scale is not None and goal.gas != scale:  # a scale sheet sets the scale of any goal
        update["gas"] = scale
        verb = "replace" if goal.gas else "set"
        changes.append(f"{verb} the attainment scale of '{goal.id}' (weight {scale.weight})")
    if rating is not None:
        update["progress"] = sorted([*goal.progress, rating], key=lambda r: r.date)
        changes.append(f"add a progress rating of {rating.rating} on {rating.date} to '{goal.id}'")
    goals = [goal.model_copy(update=update) if g.id == goal.id else g for g in record.goals]
    return record.model_copy(update={"goals": goals}), changes
