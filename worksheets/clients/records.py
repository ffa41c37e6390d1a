"""Client records: one YAML file per client holding the goals set with them, and its safe I/O.

A record is health information. It is read and checked like content (``file:line:col``
messages, answers checked against the worksheet they were set with), and written only through
``update``: under a lock, so two commands changing one record take turns; atomically, so a crash
leaves the old version or the new one; with the previous version kept in a ``.bak`` file beside
it; readable by its owner only; and onto the file as the person wrote it, so their comments and
layout stay (``yamlout``). A record that is a symbolic link is changed where the link leads.
Nothing here prints or logs what a record says.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from ..atomic import locked, write_atomic
from ..content import (
    LANGUAGE_PATTERN,
    MAX_BYTES,
    Catalog,
    Document,
    GasLevel,
    GoalWork,
    Id,
    Key,
    Model,
    Rating,
    Text,
    answer_problems,
    describe,
    document_warnings,
    parse_yaml,
    read_yaml,
    validate,
)
from ..errors import InputError, Problem, RenderError, did_you_mean
from .yamlout import LayoutError, apply_change, new_record

RECORD_MODE = 0o600


GAS_LEVELS: tuple[int, ...] = (2, 1, 0, -1, -2)
"""The five Goal Attainment Scaling levels, from the best outcome down, as a ladder is drawn."""


class GasScale(Model):
    """A goal's Goal Attainment Scale: the five outcomes agreed with the client in advance, how much
    the goal counts in the T-score (its weight), and where things stood when it was set."""

    weight: Annotated[int, Field(ge=1, le=3)] = 1
    baseline: Literal[-2, -1] | None = None
    levels: dict[GasLevel, Text]

    @model_validator(mode="after")
    def _all_five(self) -> GasScale:
        missing = [f"{n:+d}" if n else "0" for n in GAS_LEVELS if n not in self.levels]
        if missing:
            raise PydanticCustomError(
                "gas_levels",
                "expected all five levels, 2, 1, 0, -1 and -2, each one sentence; missing {missing}",
                {"missing": ", ".join(missing)},
            )
        return self


class Goal(GoalWork):
    """One goal set with a client, with the worksheet it was set with and that sheet's answers."""

    id: Id
    worksheet: Id
    title: Text
    set_on: datetime.date | None = None
    target_date: datetime.date | None = None
    status: Literal["active", "done", "paused"] = "active"
    gas: GasScale | None = None
    """The goal's attainment scale, when one was agreed (``worksheets goals scale``)."""

    @model_validator(mode="after")
    def _levels_need_a_scale(self) -> Goal:
        """A level means nothing without the five outcomes it is one of. Checked on the model, so
        a goal made by any command (an import, say) is held to it, not only a record read."""
        if self.gas is None:
            for n, entry in enumerate(self.progress, start=1):
                if entry.gas is not None:
                    raise PydanticCustomError(
                        "no_scale",
                        "progress entry {n} ({day}) has a 'gas' level, but the goal has no scale: "
                        "add a 'gas:' block with its five levels (worksheets goals scale)",
                        {"n": n, "day": entry.date.isoformat()},
                    )
        return self

    def by_date(self) -> list[Rating]:
        """The progress entries in date order; of two on one day, in the order of the file (a
        record is written by hand, or imported, and need not be in order)."""
        return sorted(self.progress, key=lambda entry: entry.date)


def latest(entries: list[Rating], measure: str) -> Rating | None:
    """The most recent of ``entries`` that holds ``measure`` (``rating`` or ``gas``): the latest
    by date, and of two on one day the later in the list."""
    held = [(entry.date, n, entry) for n, entry in enumerate(entries) if getattr(entry, measure) is not None]
    return max(held, key=lambda item: item[:2])[2] if held else None


class ClientRecord(Model):
    """Everything saved for one client: who, and their goals."""

    client: Text
    therapist: Text | None = None
    language: Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)] | None = None
    """The client's language, for their take-home sheets and the questions ``goals add`` asks
    (the content's own when left out)."""
    goals: Annotated[list[Goal], Field(default_factory=list)]

    def goal(self, goal_id: str) -> Goal:
        """The goal with this id; KeyError with a suggestion when there is none."""
        for goal in self.goals:
            if goal.id == goal_id:
                return goal
        ids = [g.id for g in self.goals]
        raise KeyError(f"no goal '{goal_id}' in this record{did_you_mean(goal_id, ids)}")


TEXT_LIMIT: int = next(m.max_length for m in Text.__metadata__ if getattr(m, "max_length", None))
"""The most characters one piece of text in a record may have (the limit of ``Text``)."""


def text_problem(text: str) -> str | None:
    """What keeps ``text``, typed at the terminal or into a PDF, out of a record, in words that
    follow its name ("--note holds ..."); None when nothing does.

    On Linux a byte that is not UTF-8 reaches Python as a lone surrogate (U+DC80 to U+DCFF), and
    a broken PDF string can hold one too; neither can be written to a UTF-8 file.
    """
    lone = re.search("[\ud800-\udfff]", text)
    if lone is not None:
        code = ord(lone.group())
        if 0xDC80 <= code <= 0xDCFF:
            return f"holds a byte that is not UTF-8 text (0x{code - 0xDC00:02x}); type it again as UTF-8"
        return f"holds U+{code:04X}, half of a character (a lone surrogate), which cannot be saved"
    if len(text) > TEXT_LIMIT:
        return f"is {len(text):,} characters long; one text may have at most {TEXT_LIMIT:,}"
    return None


def backup_path(path: Path) -> Path:
    """Where the previous version of a record is kept."""
    return path.with_name(path.name + ".bak")


def record_file(path: Path) -> Path:
    """The file a record's path leads to, following symbolic links, where it is read, locked,
    written and backed up; InputError for a link that leads nowhere.

    A record kept elsewhere (``clients/jordan.yaml -> ~/vault/jordan.yaml``) must be changed
    there: replacing the link with a file would leave the real record behind, out of date. A
    link whose target is missing is refused rather than followed, so a new record is never
    started in the place of a vault that is not there (not mounted, say).
    """
    try:
        target = path.resolve()
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError for a loop, later ones OSError
        raise InputError([Problem(path, 1, 1, "this symbolic link leads round in a loop")]) from None
    if path.is_symlink() and not target.exists():
        msg = f"this symbolic link leads to {target}, which does not exist; nothing was written"
        raise InputError([Problem(path, 1, 1, msg)])
    return target


def load_record(path: Path, catalog: Catalog) -> ClientRecord:
    """Read and check a client record; InputError listing every problem, at its line."""
    return _checked(read_yaml(path, expect=_EXPECT), catalog)


def read_record(path: Path, catalog: Catalog, templates: Path) -> tuple[ClientRecord, tuple[str, ...]]:
    """``load_record``, with a warning at its place for the record's text that no font in
    ``templates`` has: for the commands that print a record (``prefill``, ``report``), which
    look at its text as written without reading the file twice."""
    doc = read_yaml(path, expect=_EXPECT)
    return _checked(doc, catalog), tuple(str(problem) for problem in document_warnings(doc, templates))


_EXPECT = "a mapping with 'client' and 'goals'"


def _checked(doc: Document, catalog: Catalog) -> ClientRecord:
    dated = _read_dates(doc)
    try:
        record = validate(doc, ClientRecord, doc.data)
    except InputError as exc:
        at = {(p.line, p.column) for p in dated}
        others = [p for p in exc.problems if (p.line, p.column) not in at]
        raise InputError(sorted([*dated, *others], key=lambda p: (p.line, p.column))) from None
    problems: list[Problem] = list(dated)
    worksheet_ids = [w.id for w in catalog.worksheets]
    seen: dict[str, int] = {}
    for n, goal in enumerate(record.goals):
        if goal.id in seen:
            first = doc.where(("goals", seen[goal.id], "id"))[0]
            problems.append(doc.problem(("goals", n, "id"), f"duplicate goal id '{goal.id}' (first on line {first})"))
        seen.setdefault(goal.id, n)
        if goal.worksheet not in worksheet_ids:
            msg = f"no worksheet '{goal.worksheet}'{did_you_mean(goal.worksheet, worksheet_ids)}"
            problems.append(doc.problem(("goals", n, "worksheet"), msg))
            continue
        problems.extend(answer_problems(doc, catalog.get(goal.worksheet), goal.answers, ("goals", n, "answers")))
    if problems:
        raise InputError(problems)
    return record


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WITH_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]")


def _read_dates(doc: Document) -> list[Problem]:
    """Read the record's dates in ``doc.data``, turning a date in quotes (``"2026-11-02"``, as
    many YAML writers put it) into the date it says; a Problem saying what to write for each
    one that is not a date."""
    problems = []
    for loc, container, key in _date_places(doc.data):
        container[key], problem = _read_date(container[key], optional=key != "date")
        if problem:
            problems.append(doc.problem(loc, problem))
    return problems


def _read_date(value: Any, *, optional: bool) -> tuple[Any, str | None]:
    """The date ``value`` says (else ``value`` as it is), and what is wrong with it, if anything."""
    if isinstance(value, datetime.datetime) or (isinstance(value, str) and _WITH_TIME.match(value)):
        day = value.date() if isinstance(value, datetime.datetime) else value[:10]
        return value, f"expected a date without a time; write {day}"
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value), None
        except ValueError as exc:
            return value, f"invalid date {value} ({exc})"
    if isinstance(value, datetime.date) or (value is None and optional):
        return value, None
    return value, f"expected a date written YYYY-MM-DD, like 2026-11-02, got {describe(value)}"


def _date_places(data: Any) -> Iterator[tuple[tuple[Key, ...], Any, Key]]:
    """Where a record holds a date: each as its location, the mapping or list it is in, its key."""
    goals = data.get("goals") if isinstance(data, dict) else None
    for n, goal in enumerate(goals if isinstance(goals, list) else []):
        if not isinstance(goal, dict):
            continue
        for key in ("set_on", "target_date"):
            if key in goal:
                yield ("goals", n, key), goal, key
        for part, key in (("steps", "due"), ("progress", "date")):
            items = goal.get(part)
            for i, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict) and key in item:
                    yield ("goals", n, part, i, key), item, key


_GOAL_ORDER = ("id", "worksheet", "title", "status", "set_on", "target_date", "gas", "answers", "steps", "progress")


def _data(record: ClientRecord, *, slim: bool = False) -> dict[str, Any]:
    """The record as plain data, goal keys in the documented order; with ``slim``, keys left at
    their defaults are left out."""
    data = record.model_dump(mode="python", exclude_defaults=slim)
    if "goals" in data:
        data["goals"] = [{k: g[k] for k in _GOAL_ORDER if k in g} for g in data["goals"]]
    return data


def dump_record(record: ClientRecord) -> bytes:
    """A new record as YAML, keys in the documented order, defaults left out."""
    data = _data(record, slim=True)
    data.setdefault("goals", [])
    return _encoded(new_record(data))


def _encoded(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: text from the user is checked before this
        raise RenderError("the record holds text that cannot be written as UTF-8; nothing was saved") from None


def save_record(path: Path, record: ClientRecord, catalog: Catalog, *, old: ClientRecord | None = None) -> None:
    """Write a record atomically, owner-only, keeping the previous version as a backup.

    An existing file is changed as it stands, keeping its comments and layout; a new one is
    written in the tool's layout. The result is read back and compared before anything is
    written, so a record is never saved in a form the tool could not load again, or that would
    load with different words. Where ``path`` is a symbolic link, the file it leads to is written.
    ``old`` is the record as the file holds it now, when the caller has just read it.
    """
    target = record_file(path)
    before = target.read_bytes() if target.exists() else None
    data = dump_record(record) if before is None else _changed(path, before, old, record, catalog)
    if len(data) > MAX_BYTES:
        raise InputError([Problem(path, 1, 1, _too_large(len(data), before))])
    try:
        same = _checked(parse_yaml(data, path, expect=_EXPECT), catalog) == record
    except InputError:
        same = False
    if not same:
        raise RenderError(f"{path}: the record would not read back as it is; nothing was saved")
    write_atomic(target, data, mode=RECORD_MODE, backup=backup_path(target))


def _changed(path: Path, before: bytes, old: ClientRecord | None, record: ClientRecord, catalog: Catalog) -> bytes:
    """The text of the record ``before`` (holding ``old``), changed to hold ``record``."""
    old = old or _checked(parse_yaml(before, path, expect=_EXPECT), catalog)
    try:
        text = apply_change(before.decode("utf-8"), _data(old), _data(record), _data(record, slim=True))
    except LayoutError as exc:
        msg = f"{path}: could not read the record to change it in place ({exc}); nothing was saved"
        raise RenderError(msg) from None
    return _encoded(text)


def _too_large(size: int, before: bytes | None) -> str:
    now = "a new record" if before is None else f"the record, {len(before):,} bytes now,"
    return (
        f"with this change {now} would be {size:,} bytes, over the limit of {MAX_BYTES:,}; nothing was "
        "saved. Move goals that are done into another file (an archive record) to make room"
    )


@contextmanager
def update(path: Path, catalog: Catalog, *, client: str | None = None) -> Iterator[dict[str, Any]]:
    """Change a record safely: ``with update(path, catalog) as box: box["record"] = new``.

    The record is locked, read (or, with ``client``, started when the file does not exist yet),
    handed over in ``box["record"]``, and saved on leaving the block if it was replaced. A bad
    or missing record is refused before the lock file is made, so refusing writes nothing, and
    the lock file goes when the lock does, so a refusal under the lock leaves nothing either.
    ``client`` must be checked text (``text_problem``).
    """
    target = record_file(path)
    if target.exists():
        load_record(path, catalog)
    elif client is None:
        raise InputError([Problem(path, 1, 1, "no such client record")])
    with locked(target, tidy=True):
        new = client is not None and not target.exists()  # read again under the lock; gone: refused
        record = ClientRecord(client=client) if new else load_record(path, catalog)
        box: dict[str, Any] = {"record": record}
        yield box
        if box["record"] is not record:
            save_record(path, box["record"], catalog, old=None if new else record)


def new_goal_id(record: ClientRecord, title: str) -> str:
    """An id for a new goal from its title (``eat-fruit-every-day``), unique in the record. Accents
    are dropped ("Caminar más" → ``caminar-mas``); a title in a script without Latin letters
    gives ``goal``, ``goal-2``…"""
    plain = unicodedata.normalize("NFKD", title.lower()).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40].strip("-")
    base = words if words and words[0].isalpha() else f"goal-{words}".strip("-")
    taken = {g.id for g in record.goals}
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
