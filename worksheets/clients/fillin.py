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

Fillable PDFs have had the header's Name and Date as form fields (``_name``, ``_date``) since
issue 16; older ones, without them, are read as before. What was typed there is not an answer:
the Date, when it is a date that can be read for sure, dates what the sheet adds (a new goal, a
weekly rating whose sheet has no date of its own), and a Name that is not the record's client's
is pointed out before saving (``header_notes``), since the sheet may be another client's.
"""

from __future__ import annotations

import datetime
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..content import AnswerError, Catalog, DateField, Rating, ScaleField, Worksheet
from ..content.languages import locale
from ..content.models import HEADER
from ..errors import InputError, Problem
from .gas import SCALE_SHEET, scale_from
from .records import ClientRecord, Goal, new_goal_id, text_problem

KEYWORD = "worksheets:"


@dataclass(frozen=True)
class Filled:
    """What a filled sheet holds: its worksheet, the answers, a rating if it is a progress sheet,
    and what was typed into its header: the Name, the Date as typed and as read (None when it
    is not a date that can be read for sure)."""

    worksheet: Worksheet
    answers: dict[str, Any]
    rating: Rating | None
    name: str = ""
    date_text: str = ""
    day: datetime.date | None = None


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
    names = set(fields) - set(HEADER)
    ws = _worksheet(path, catalog, keywords, names)
    if names != set(ws.names()):
        msg = f"its form fields do not match worksheet '{ws.id}' as it is now; print a fresh fillable PDF"
        raise InputError([Problem(path, 1, 1, msg)])
    values = _form_values(path, fields)
    name, date_text = (" ".join(str(values.pop(key, "")).split()) for key in HEADER)
    try:
        answers = ws.gather(values)
    except AnswerError as exc:
        raise InputError([Problem(path, 1, 1, exc.message)]) from None
    day = typed_day(date_text, _language(reader), today)
    rating = _rating(ws, answers, catalog, day or today)
    return Filled(ws, answers, rating, name, date_text, day)


def _language(reader: Any) -> str:
    """The language a PDF says it is in (tagged PDFs name it), else English."""
    try:
        code = str(reader.trailer["/Root"].get("/Lang", "en"))
        locale(code)
    except (ValueError, KeyError, TypeError):
        return "en"
    return code


def _fold(word: str) -> str:
    """A word as compared with month names: compatibility forms and case folded, dots dropped."""
    return unicodedata.normalize("NFKC", word).casefold().strip(".")


def _months(language: str) -> dict[str, int]:
    """Month names, full and abbreviated, in ``language`` and in English, each with its number."""
    names: dict[str, int] = {}
    for code in dict.fromkeys(["en", language]):
        months = locale(code).months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                names.update({_fold(name): number for number, name in months[context][width].items()})
    return names


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def typed_day(text: str, language: str, today: datetime.date) -> datetime.date | None:
    """The day a date typed by a person means, or None when it cannot be read for sure.

    Read: ``2026-11-26``; a day, a month's name (in ``language`` or English, full or short) and a
    four-digit year in any order (``26 de noviembre de 2026``, ``Nov 26, 2026``, as the tool
    prints dates); and day, month and year in figures when only one order makes sense
    (``26/11/2026``). Not read: ``3/12/2026`` (March or December?), a two-digit year, a day after
    ``today`` (a slip of the keyboard) and anything else. Digits of any script count.
    """
    text = unicodedata.normalize("NFKC", text).strip()
    iso = _ISO.fullmatch(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
        return _day(year, month, day, today)
    tokens = re.findall(r"\d+|[^\W\d_]+", text)
    numbers = [int(t) for t in tokens if t.isdecimal()]
    months = _months(language)
    named = {months[_fold(t)] for t in tokens if not t.isdecimal() and _fold(t) in months}
    years = [n for n in numbers if n >= 1000]
    small = [n for n in numbers if n < 1000]
    if len(years) != 1:
        return None
    if len(named) == 1 and len(small) == 1:
        return _day(years[0], named.pop(), small[0], today)
    if not named and len(small) == 2 and sum(n > 12 for n in small) == 1:
        day, month = sorted(small, reverse=True)
        return _day(years[0], month, day, today)
    return None


def _day(year: int, month: int, day: int, today: datetime.date) -> datetime.date | None:
    """That day, unless it does not exist or is after ``today``."""
    try:
        found = datetime.date(year, month, day)
    except ValueError:
        return None
    return found if found <= today else None


def _same_name(one: str, other: str) -> bool:
    """Whether two names are the same, whatever their case and spacing."""
    return " ".join(_fold(one).split()) == " ".join(_fold(other).split())


def header_notes(filled: Filled, record: ClientRecord, goal_id: str | None) -> list[str]:
    """What the therapist should know before saving, from what was typed in the sheet's header:
    a Name that is not the record's client (the sheet may belong in another record), and a Date
    that could not be read where it would have dated what the sheet adds."""
    notes = []
    if filled.name and not _same_name(filled.name, record.client):
        notes.append(
            f"note: the Name on the sheet is '{filled.name}', but this record is for '{record.client}': "
            "check that it is the right record"
        )
    dated = goal_id is None or filled.rating is not None
    if filled.date_text and filled.day is None and dated:
        notes.append(
            f"note: the Date on the sheet, '{filled.date_text}', is not a date that can be read for sure "
            "(write it like 2026-11-26); today's date is used"
        )
    return notes


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
    """On the weekly progress sheet, its 0 to 10 scale is the week's progress rating, dated by the
    sheet's own date field, else ``today`` (the header's Date, when it could be read)."""
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
            set_on=filled.day or today,
            answers=answers,
            progress=[rating] if rating else [],
            gas=scale,
        )
        changes = [f"add goal '{goal.id}' ({title}), set with '{ws.id}' on {goal.set_on}, with {len(answers)} answers"]
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
