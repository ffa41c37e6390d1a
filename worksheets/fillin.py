"""Read a filled-in fillable PDF back into a client's record (``worksheets import``).

Our fillable PDFs say which worksheet they are (``worksheets:<id>`` in their keywords) and name
their form fields as ``worksheets fields`` prints them. A PDF that does not, or whose fields do not
match the worksheet any more, is refused rather than half read. The values become answers by
each field kind's ``gather``, the inverse of what prints them; the weekly progress sheet's 0 to
10 scale also becomes a dated progress rating. pypdf reads the form (a runtime dependency for this
alone: writing our own PDF parser would be neither short nor safe).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError, Problem
from .fields import AnswerError, DateField, ScaleField
from .loader import Catalog
from .models import Rating, Worksheet
from .records import ClientRecord, Goal, new_goal_id

KEYWORD = "worksheets:"


@dataclass(frozen=True)
class Filled:
    """What a filled sheet holds: its worksheet, the answers, and a rating if it is a progress sheet."""

    worksheet: Worksheet
    answers: dict[str, Any]
    rating: Rating | None


def _form_values(fields: dict[str, Any]) -> dict[str, Any]:
    """Each field's value as typed: text, True for a ticked box, a radio group's chosen value."""
    values: dict[str, Any] = {}
    for name, field in fields.items():
        value = field.get("/V")
        if value is None:
            continue
        if field.get("/FT") == "/Btn":
            state = str(value).lstrip("/")
            options = field.get("/Opt")
            if options is not None and state.isdigit() and int(state) < len(options):
                values[name] = str(options[int(state)])  # a radio group: /V is the button's index
            elif state not in ("", "Off"):
                values[name] = True
        else:
            values[name] = str(value)
    return values


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
    worksheet_id = next((k[len(KEYWORD) :] for k in keywords.split() if k.startswith(KEYWORD)), None)
    if worksheet_id is None or not fields:
        msg = "this is not a fillable worksheet made by worksheets (no worksheet id or no form fields)"
        raise InputError([Problem(path, 1, 1, msg)])
    try:
        ws = catalog.get(worksheet_id)
    except KeyError as exc:
        msg = f"made for a worksheet this project does not have: {exc.args[0]}"
        raise InputError([Problem(path, 1, 1, msg)]) from None
    if set(fields) != set(ws.names()):
        msg = f"its form fields do not match worksheet '{ws.id}' as it is now; print a fresh fillable PDF"
        raise InputError([Problem(path, 1, 1, msg)])
    try:
        answers = ws.gather(_form_values(fields))
    except AnswerError as exc:
        raise InputError([Problem(path, 1, 1, exc.message)]) from None
    return Filled(ws, answers, _rating(ws, answers, catalog, today))


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
    if goal_id is None:
        title = answers.get("goal") if isinstance(answers.get("goal"), str) else ws.title
        goal = Goal(
            id=new_goal_id(record, title),
            worksheet=ws.id,
            title=title,
            set_on=today,
            answers=answers,
            progress=[rating] if rating else [],
        )
        changes = [f"add goal '{goal.id}' ({title}), set with '{ws.id}', with {len(answers)} answers"]
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
    elif rating is None:
        msg = f"goal '{goal.id}' was set with '{goal.worksheet}', and this sheet is '{ws.id}'"
        raise InputError([Problem(path, 1, 1, msg)])
    if rating is not None:
        update["progress"] = sorted([*goal.progress, rating], key=lambda r: r.date)
        changes.append(f"add a progress rating of {rating.rating} on {rating.date} to '{goal.id}'")
    goals = [goal.model_copy(update=update) if g.id == goal.id else g for g in record.goals]
    return record.model_copy(update={"goals": goals}), changes
