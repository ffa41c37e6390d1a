"""Read the goals of a FHIR R4 Bundle back into a client record (``worksheets import-fhir``).

The file is read whole and checked before any record is touched: JSON (a syntax error names its
line and column), a Bundle, valid against the R4B models, then each Goal and its Observations
made into a record goal and checked as one. Anything wrong is an InputError naming the file and
the entry (``Bundle.entry[3]``, counted from 0 as FHIRPath does), so nothing is written.

A file exported by this tool carries everything a record goal needs in its extensions (``fhir``).
A goal from another system gets what it lacks: the worksheet given with ``--worksheet``, an id
made from its title, and only what a record can hold (its notes other than our steps, and
observations of other kinds, are left out and counted in the summary).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..content import Catalog, Rating, Step
from ..errors import InputError, Problem
from .fhir import ENTRY, GAS_SCALE, GOAL_IDS, LEVEL, PROGRESS_CODES, RATING, STEP, WORKSHEET, first_error
from .records import ClientRecord, GasScale, Goal, new_goal_id, text_problem

STATUSES = {
    "proposed": "active",
    "planned": "active",
    "accepted": "active",
    "active": "active",
    "on-hold": "paused",
    "completed": "done",
    "cancelled": "done",
}
"""FHIR Goal.lifecycleStatus as a record goal's status. ``rejected`` and ``entered-in-error``
goals are not goals anyone works on, and are left out."""

LEFT_OUT = ("rejected", "entered-in-error")

MAX_FILE_BYTES = 50_000_000
"""The largest file read. A record may be up to 1,000,000 bytes of YAML, and its FHIR JSON is
about fifteen times as large; anything much larger is not an export of one client."""


@dataclass
class Incoming:
    """What a Bundle holds for a record: the Patient's name, the goals (with whether their id
    came from our export, so is the same goal's id in the record), and what was left out."""

    client: str | None
    goals: list[tuple[bool, Goal]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def read_bundle(path: Path, catalog: Catalog, worksheet: str) -> Incoming:
    """The goals a FHIR Bundle file holds, as record goals; InputError for anything that is not
    a valid R4B Bundle whose goals a record can hold. ``worksheet`` is for goals that do not
    name one."""
    from fhir.resources.R4B.bundle import Bundle

    data = _json(path)
    try:
        bundle = Bundle.model_validate(data)
    except ValidationError as exc:
        raise InputError([Problem(path, 1, 1, _where(e["loc"], e["msg"])) for e in exc.errors()]) from None
    except (KeyError, TypeError, ValueError, RecursionError) as exc:  # an unknown resourceType: KeyError
        raise InputError([Problem(path, 1, 1, f"not a valid FHIR R4 Bundle ({exc})")]) from None
    return _Reader(path, catalog, worksheet).read(bundle)


def _json(path: Path) -> dict[str, Any]:
    """The file's JSON object, which must say it is a Bundle."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        msg = f"the file is too large ({size:,} bytes); the limit is {MAX_FILE_BYTES:,} bytes"
        raise InputError([Problem(path, 1, 1, msg)])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(path, 1, 1, f"not UTF-8 text (byte {exc.start + 1}); expected FHIR JSON")]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(path, exc.lineno, exc.colno, f"not valid JSON: {exc.msg}")]) from None
    except RecursionError:
        raise InputError([Problem(path, 1, 1, "not FHIR JSON: nested too deeply to read")]) from None
    except ValueError as exc:  # a number of more than 4,300 digits, which Python will not read
        raise InputError([Problem(path, 1, 1, f"not FHIR JSON: {exc}")]) from None
    kind = data.get("resourceType") if isinstance(data, dict) else None
    if kind != "Bundle":
        got = f"a {kind}" if isinstance(kind, str) else "JSON without a resourceType"
        msg = f'expected a FHIR Bundle (a JSON object with "resourceType": "Bundle"), got {got}'
        raise InputError([Problem(path, 1, 1, msg)])
    return data


def _where(loc: tuple[Any, ...], msg: str) -> str:
    """A pydantic location in the Bundle as FHIRPath (``Bundle.entry[1].resource.target[0]``)."""
    text = "Bundle"
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return f"{text}: {msg}"


def _extension(element: Any, url: str) -> Any:
    """The first extension of ``element`` with this url, or None."""
    return next((e for e in element.extension or [] if e.url == url), None)


def _parts(extension: Any, url: str) -> list[Any]:
    return [e for e in extension.extension or [] if e.url == url]


class _Reader:
    """Turns a validated Bundle into record goals, collecting what it leaves out."""

    def __init__(self, path: Path, catalog: Catalog, worksheet: str) -> None:
        self.path, self.catalog, self.worksheet = path, catalog, worksheet

    def fail(self, n: int, message: str) -> InputError:
        return InputError([Problem(self.path, 1, 1, f"Bundle.entry[{n}]: {message}")])

    def read(self, bundle: Any) -> Incoming:
        entries = [(n, e.resource) for n, e in enumerate(bundle.entry or []) if e.resource is not None]
        patients = [(n, r) for n, r in entries if r.get_resource_type() == "Patient"]
        if len(patients) > 1:
            msg = f"this Bundle holds {len(patients)} patients; a client record is for one client"
            raise InputError([Problem(self.path, 1, 1, msg)])
        incoming = Incoming(self._name(*patients[0]) if patients else None)
        refs = self._references(bundle)
        observations: dict[int, list[tuple[int, Any]]] = {}
        for n, resource in entries:
            if resource.get_resource_type() != "Observation":
                continue
            goal_at = next((refs[f.reference] for f in resource.focus or [] if f.reference in refs), None)
            if goal_at is None or not self._kind(resource):
                incoming.left_out.append(f"Bundle.entry[{n}]: an observation that is not a goal's rating or level")
                continue
            observations.setdefault(goal_at, []).append((n, resource))
        for n, resource in entries:
            if resource.get_resource_type() != "Goal":
                continue
            if resource.lifecycleStatus in LEFT_OUT:
                incoming.left_out.append(f"Bundle.entry[{n}]: a goal marked {resource.lifecycleStatus}")
                continue
            incoming.goals.append(self._goal(n, resource, observations.get(n, []), incoming.left_out))
        ours = [g.id for known, g in incoming.goals if known]
        twice = sorted({i for i in ours if ours.count(i) > 1})
        if twice:
            raise InputError([Problem(self.path, 1, 1, f"goal id '{twice[0]}' is in this file twice")])
        return incoming

    def _references(self, bundle: Any) -> dict[str, int]:
        """The ways an Observation may point at each Goal (its fullUrl, or ``Goal/id``), to the
        Goal's entry number."""
        refs = {}
        for n, entry in enumerate(bundle.entry or []):
            if entry.resource is not None and entry.resource.get_resource_type() == "Goal":
                if entry.fullUrl:
                    refs[entry.fullUrl] = n
                if entry.resource.id:
                    refs[f"Goal/{entry.resource.id}"] = n
        return refs

    def _name(self, n: int, patient: Any) -> str | None:
        """The Patient's name as text: its ``text``, else given names and family name."""
        for name in patient.name or []:
            text = name.text or " ".join([*(name.given or []), *([name.family] if name.family else [])])
            if text.strip():
                return self._text(n, text.strip(), "the patient's name")
        return None

    def _text(self, n: int, text: str, what: str) -> str:
        problem = text_problem(text)
        if problem:
            raise self.fail(n, f"{what} {problem}")
        return text

    def _date(self, n: int, value: Any, what: str) -> datetime.date | None:
        """A FHIR date or dateTime as a day; a partial date (``2026-11``) has no day, and is refused."""
        if value is None or (isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)):
            return value
        if isinstance(value, datetime.datetime):
            return value.date()
        raise self.fail(n, f"{what} '{value}' is not a whole date; expected YYYY-MM-DD")

    def _kind(self, observation: Any) -> str | None:
        """Which of our two measures an Observation is (by its code in our system), or None."""
        codings = observation.code.coding or []
        return next((c.code for c in codings if c.system == PROGRESS_CODES and c.code in (RATING, LEVEL)), None)

    def _goal(
        self, n: int, resource: Any, observations: list[tuple[int, Any]], left_out: list[str]
    ) -> tuple[bool, Goal]:
        """A FHIR Goal and its Observations as a record goal, and whether its id is ours."""
        status = STATUSES.get(resource.lifecycleStatus)
        if status is None:
            known = ", ".join([*STATUSES, *LEFT_OUT])
            raise self.fail(n, f"lifecycleStatus '{resource.lifecycleStatus}' is not one of {known}")
        description = resource.description
        title = description.text or next((c.display for c in description.coding or [] if c.display), None)
        if not title:
            raise self.fail(n, "the goal has no description text")
        title = self._text(n, title, "the goal's description")
        ours = next((i.value for i in resource.identifier or [] if i.system == GOAL_IDS and i.value), None)
        worksheet = _extension(resource, WORKSHEET)
        worksheet_id = worksheet.valueCode if worksheet is not None else self.worksheet
        if worksheet_id not in [w.id for w in self.catalog.worksheets]:
            raise self.fail(n, f"the goal was set with worksheet '{worksheet_id}', which this project does not have")
        steps = []
        for note in resource.note or []:
            if _extension(note, STEP) is None:
                left_out.append(f"Bundle.entry[{n}]: a note on goal '{title}' (a record goal has no place for it)")
            else:
                steps.append(self._step(n, note))
        target = next((t.dueDate for t in resource.target or [] if t.dueDate is not None), None)
        values = {
            "id": ours or new_goal_id(ClientRecord(client="-"), title),
            "worksheet": worksheet_id,
            "title": title,
            "status": status,
            "set_on": self._date(n, resource.startDate, "startDate"),
            "target_date": self._date(n, target, "target dueDate"),
            "gas": self._scale(n, resource),
            "steps": steps,
            "progress": self._progress(observations),
        }
        try:
            return ours is not None, Goal.model_validate(values)
        except ValidationError as exc:
            raise self.fail(n, f"goal '{title}' cannot go into a record: {first_error(exc)}") from None

    def _step(self, n: int, note: Any) -> Step:
        parts = _extension(note, STEP)
        done = next((p.valueBoolean for p in _parts(parts, "done")), False)
        due = next((p.valueDate for p in _parts(parts, "due")), None)
        text = self._text(n, note.text, "a step")
        return Step(text=text, due=self._date(n, due, "a step's due date"), done=bool(done))

    def _scale(self, n: int, goal: Any) -> GasScale | None:
        """Our attainment-scale extension as the goal's scale."""
        scale = _extension(goal, GAS_SCALE)
        if scale is None:
            return None
        levels = {}
        for level in _parts(scale, "level"):
            number = next((p.valueInteger for p in _parts(level, "level")), None)
            sentence = next((p.valueString for p in _parts(level, "description")), None)
            if number is None or sentence is None:
                raise self.fail(n, "a level of the attainment scale lacks its number or its description")
            levels[number] = self._text(n, sentence, f"level {number} of the attainment scale")
        weight = next((p.valueInteger for p in _parts(scale, "weight")), 1)
        baseline = next((p.valueInteger for p in _parts(scale, "baseline")), None)
        try:
            return GasScale.model_validate({"weight": weight, "baseline": baseline, "levels": levels})
        except ValidationError as exc:
            raise self.fail(n, f"the goal's attainment scale: {exc.errors()[0]['msg']}") from None

    def _progress(self, observations: list[tuple[int, Any]]) -> list[Rating]:
        """Progress entries from a goal's Observations: a rating and a level exported from one
        entry (the same entry extension) become one entry again; any other is an entry alone."""
        entries: dict[Any, dict[str, Any]] = {}
        for n, observation in observations:
            extension = _extension(observation, ENTRY)
            key = (extension.valueString, observation.effectiveDateTime) if extension is not None else n
            entry = entries.setdefault(key, {"date": self._date(n, observation.effectiveDateTime, "effectiveDateTime")})
            if entry["date"] is None:
                raise self.fail(n, "the observation has no effectiveDateTime")
            kind = self._kind(observation)
            if observation.valueInteger is None:
                raise self.fail(n, f"expected a whole number in valueInteger for a {kind} observation")
            entry["rating" if kind == RATING else "gas"] = observation.valueInteger
            for note in observation.note or []:
                entry.setdefault("note", self._text(n, note.text, "the observation's note"))
        try:  # in date order: a Bundle may list them in any order, and the latest level is the last
            return sorted((Rating.model_validate(entry) for entry in entries.values()), key=lambda e: e.date)
        except ValidationError as exc:
            raise self.fail(
                observations[0][0], f"an observation cannot be a progress entry: {first_error(exc)}"
            ) from None


def merge(record: ClientRecord, incoming: Incoming, path: Path) -> tuple[ClientRecord, list[str]]:
    """The record with the incoming goals (read from ``path``) added, and what changes, in words.
    A goal already in the record (the same id from our export, or for a goal from elsewhere the
    same id made from the same title) gets only the progress entries it does not have yet; when
    the file names another client, every goal in it is added as a new one."""
    changes = []
    same_client = incoming.client in (None, record.client)
    before = {g.id for g in record.goals} if same_client else set()  # never one client's entries in another's goal
    for known, goal in incoming.goals:
        same = _same_goal(record, before, known and same_client, goal)
        if same is None:
            keep = known and same_client and goal.id not in {g.id for g in record.goals}
            goal = goal.model_copy(update={"id": goal.id if keep else new_goal_id(record, goal.title)})
            record = record.model_copy(update={"goals": [*record.goals, goal]})
            changes.append(_added(goal))
            continue
        new = [entry for entry in goal.progress if entry not in same.progress]
        if not new:
            continue
        if same.gas is None and any(e.gas is not None for e in new):
            msg = f"goal '{same.id}' has no attainment scale in the record, so the file's levels for it cannot be added"
            raise InputError([Problem(path, 1, 1, msg)])
        progress = list(same.progress)
        for entry in new:
            progress.insert(_place(progress, entry.date), entry)
        goals = [g.model_copy(update={"progress": progress}) if g.id == same.id else g for g in record.goals]
        record = record.model_copy(update={"goals": goals})
        changes.append(f"add {_count(len(new), 'progress entry', 'progress entries')} to '{same.id}'")
    return record, changes


def _same_goal(record: ClientRecord, before: set[str], known: bool, goal: Goal) -> Goal | None:
    """The record goal that ``goal`` is: by id when the id is ours and the file is this
    client's (``known``), else one the record had before this import with the same id and
    title. Two goals of one file are never merged into each other, nor one client's into
    another's."""
    found = next((g for g in record.goals if g.id == goal.id and g.id in before), None)
    if found is None or known or found.title == goal.title:
        return found
    return None


def _place(progress: list[Rating], day: datetime.date) -> int:
    """Where an entry of ``day`` goes: after the last entry on or before that day, so entries in
    date order stay so and the person's own order is not changed."""
    return max((i + 1 for i, e in enumerate(progress) if e.date <= day), default=0)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _added(goal: Goal) -> str:
    parts = [f"set with '{goal.worksheet}'", goal.status]
    if goal.gas is not None:
        parts.append("an attainment scale")
    if goal.steps:
        parts.append(_count(len(goal.steps), "step", "steps"))
    if goal.progress:
        parts.append(_count(len(goal.progress), "progress entry", "progress entries"))
    return f"add goal '{goal.id}' ({goal.title}): " + ", ".join(parts)
