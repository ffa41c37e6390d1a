"""Client records: one YAML file per client holding the goals set with them, and its safe I/O.

A record is health information. It is read and checked like content (``file:line:col``
messages, answers checked against the worksheet they were set with), and written only through
``update``: under a lock, so two commands changing one record take turns; atomically, so a crash
leaves the old version or the new one; with the previous version kept in a ``.bak`` file beside
it; and readable by its owner only. Nothing here prints or logs what a record says.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field

from .atomic import locked, write_atomic
from .errors import InputError, Problem, RenderError, did_you_mean
from .loader import Catalog, answer_problems, validate
from .modelbase import Id, Model, Text
from .models import GoalWork
from .yamlsource import Document, parse_yaml, read_yaml

RECORD_MODE = 0o600


class Goal(GoalWork):
    """One goal set with a client, with the worksheet it was set with and that sheet's answers."""

    id: Id
    worksheet: Id
    title: Text
    set_on: datetime.date | None = None
    target_date: datetime.date | None = None
    status: Literal["active", "done", "paused"] = "active"


class ClientRecord(Model):
    """Everything saved for one client: who, and their goals."""

    client: Text
    therapist: Text | None = None
    goals: Annotated[list[Goal], Field(default_factory=list)]

    def goal(self, goal_id: str) -> Goal:
        """The goal with this id; KeyError with a suggestion when there is none."""
        for goal in self.goals:
            if goal.id == goal_id:
                return goal
        ids = [g.id for g in self.goals]
        raise KeyError(f"no goal '{goal_id}' in this record{did_you_mean(goal_id, ids)}")


def backup_path(path: Path) -> Path:
    """Where the previous version of a record is kept."""
    return path.with_name(path.name + ".bak")


def load_record(path: Path, catalog: Catalog) -> ClientRecord:
    """Read and check a client record; InputError listing every problem, at its line."""
    return _checked(read_yaml(path, expect=_EXPECT), catalog)


_EXPECT = "a mapping with 'client' and 'goals'"


def _checked(doc: Document, catalog: Catalog) -> ClientRecord:
    record = validate(doc, ClientRecord, doc.data)
    problems: list[Problem] = []
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


class _Dumper(yaml.SafeDumper):
    """Writes records as a person would: lists indented under their key, and text with line
    breaks as ``|`` blocks, so a saved record stays easy to read and to edit by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        """Never write anchors: the same date used twice would come out as ``&id001`` and
        ``*id001``, which records may not contain."""
        return True


_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")
"""Characters YAML reads as line breaks; PyYAML writes them bare, and reading folds them into
spaces, so text holding one is written double-quoted, where they are escaped."""


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if any(c in text for c in _OTHER_BREAKS) else "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _text)


_GOAL_ORDER = ("id", "worksheet", "title", "status", "set_on", "target_date", "answers", "steps", "progress")


def dump_record(record: ClientRecord) -> bytes:
    """The record as YAML, keys in the documented order, defaults left out."""
    data = record.model_dump(mode="python", exclude_defaults=True)
    data["goals"] = [{k: g[k] for k in _GOAL_ORDER if k in g} for g in data.get("goals", [])]
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100).encode("utf-8")


def save_record(path: Path, record: ClientRecord, catalog: Catalog) -> None:
    """Write a record atomically, owner-only, keeping the previous version as a backup.

    The YAML is read back and compared before anything is written, so a record is never saved in
    a form the tool could not load again, or that would load with different words.
    """
    data = dump_record(record)
    if _checked(parse_yaml(data, path, expect=_EXPECT), catalog) != record:
        raise RenderError(f"{path}: the record would not read back as it is; nothing was saved")
    write_atomic(path, data, mode=RECORD_MODE, backup=backup_path(path))


@contextmanager
def update(path: Path, catalog: Catalog, *, client: str | None = None) -> Iterator[dict[str, Any]]:
    """Change a record safely: ``with update(path, catalog) as box: box["record"] = new``.

    The record is locked, read (or, with ``client``, started when the file does not exist yet),
    handed over in ``box["record"]``, and saved on leaving the block if it was replaced. A bad
    or missing record is refused before the lock file is made, so refusing writes nothing.
    """
    if path.exists():
        load_record(path, catalog)
    elif client is None:
        raise InputError([Problem(path, 1, 1, "no such client record")])
    with locked(path):
        new = client is not None and not path.exists()  # read again under the lock; gone: refused
        record = ClientRecord(client=client) if new else load_record(path, catalog)
        box: dict[str, Any] = {"record": record}
        yield box
        if box["record"] is not record:
            save_record(path, box["record"], catalog)


def new_goal_id(record: ClientRecord, title: str) -> str:
    """An id for a new goal from its title (``eat-fruit-every-day``), unique in the record."""
    words = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40].strip("-")
    base = words if words and words[0].isalpha() else f"goal-{words}".strip("-")
    taken = {g.id for g in record.goals}
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
