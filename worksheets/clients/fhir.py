"""A client record as an HL7 FHIR R4 Bundle, for a health record system to take in.

FHIR R4 is what most health record systems speak; the ``fhir.resources`` package checks what we
write against its R4B models (R4B is R4 with fixes, wire-compatible for the resources used here;
the package's default models are R5). The Bundle is a ``collection`` of a Patient (the client's
name, nothing else), a Goal per goal, and an Observation per measure of each progress entry: the
0 to 10 rating and the Goal Attainment Scaling level are separate observations, each pointing at
its goal through ``Observation.focus``.

Where FHIR has an element for something, it is used (description, lifecycleStatus,
achievementStatus, startDate, target, note); what it has none for (the worksheet, the attainment
scale, a step's due date and tick, which observations were one progress entry) goes in
extensions under ``BASE``, so that ``worksheets import-fhir`` can rebuild the record. Codes are
ours too, under ``BASE``: there is no LOINC or SNOMED code for these measures, and inventing one
would be wrong. Ids are ``urn:uuid:`` names made with uuid5 from the client and goal, and the
Bundle carries no timestamp, so two exports of one record are the same bytes.
"""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from typing import Any

from pydantic import ValidationError

from ..content import Rating, Step
from ..errors import RenderError
from .records import GAS_LEVELS, ClientRecord, Goal

BASE = "https://worksheets.invalid/fhir"
"""The root of our codes and extensions. The project has no web address of its own, and the
``.invalid`` domain is reserved never to exist (RFC 2606), so these names cannot clash with
anyone's real system nor pretend to be a terminology server."""

PROGRESS_CODES = f"{BASE}/CodeSystem/progress"
GOAL_IDS = f"{BASE}/goal-id"
WORKSHEET = f"{BASE}/StructureDefinition/worksheet"
GAS_SCALE = f"{BASE}/StructureDefinition/gas-scale"
STEP = f"{BASE}/StructureDefinition/step"
ENTRY = f"{BASE}/StructureDefinition/progress-entry"

RATING, LEVEL = "rating", "gas-level"
KINDS = {
    RATING: "Progress rating, 0 (none yet) to 10 (goal reached)",
    LEVEL: "Goal attainment level, -2 (much less than expected) to +2 (much more)",
}
"""The two kinds of Observation, by their code in ``PROGRESS_CODES``, with their display text."""

LIFECYCLE = {"active": "active", "paused": "on-hold", "done": "completed"}
"""A record goal's status as a FHIR Goal.lifecycleStatus."""

ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
_ACHIEVEMENT_NAMES = {
    "in-progress": "In Progress",
    "improving": "Improving",
    "worsening": "Worsening",
    "no-change": "No Change",
    "achieved": "Achieved",
    "not-achieved": "Not Achieved",
}

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, BASE)


def stable_id(*parts: str) -> str:
    """A uuid5 from ``parts`` (the client, then the goal and so on): the same record always gives
    the same ids, so exports compare byte for byte."""
    return str(uuid.uuid5(_NAMESPACE, "\x00".join(parts)))


def fhir_bundle(record: ClientRecord) -> bytes:
    """The record as a FHIR R4 Bundle in JSON (UTF-8, indented, ending in a line break), checked
    by the R4B models; RenderError if they refuse it (a fault here, not in the record)."""
    from fhir.resources.R4B.bundle import Bundle

    patient = stable_id(record.client)
    entries = [_entry(patient, {"resourceType": "Patient", "name": [{"text": record.client}]})]
    for goal in record.goals:
        goal_id = stable_id(record.client, goal.id)
        entries.append(_entry(goal_id, _goal(goal, patient)))
        entries.extend(_entry(oid, obs) for oid, obs in _observations(record.client, goal, patient, goal_id))
    data = {"resourceType": "Bundle", "id": stable_id(record.client, "bundle"), "type": "collection", "entry": entries}
    try:
        bundle = Bundle.model_validate(data)
    except ValidationError as exc:  # the place and the rule only: the value is the client's words
        raise RenderError(f"the FHIR models refused the export at {first_error(exc)}; nothing was written") from None
    return (bundle.model_dump_json(indent=2) + "\n").encode("utf-8")


def first_error(exc: ValidationError) -> str:
    """A model's first refusal as its place and its rule (``progress.0.gas: ...``), never the
    value refused: that is the client's words."""
    first = exc.errors()[0]
    return ".".join(str(part) for part in first["loc"]) + f": {first['msg']}"


def _entry(resource_id: str, resource: dict[str, Any]) -> dict[str, Any]:
    return {
        "fullUrl": f"urn:uuid:{resource_id}",
        "resource": {"resourceType": resource["resourceType"], "id": resource_id, **resource},
    }


def _goal(goal: Goal, patient: str) -> dict[str, Any]:
    """A record goal as a FHIR Goal."""
    resource: dict[str, Any] = {
        "resourceType": "Goal",
        "identifier": [{"system": GOAL_IDS, "value": goal.id}],
        "extension": [{"url": WORKSHEET, "valueCode": goal.worksheet}],
        "lifecycleStatus": LIFECYCLE[goal.status],
        "description": {"text": goal.title},
        "subject": {"reference": f"urn:uuid:{patient}"},
    }
    if goal.gas is not None:
        resource["extension"].append(_scale(goal))
    achievement = achievement_status(goal)
    if achievement:
        coding = {"system": ACHIEVEMENT, "code": achievement, "display": _ACHIEVEMENT_NAMES[achievement]}
        resource["achievementStatus"] = {"coding": [coding], "text": coding["display"]}
    if goal.set_on:
        resource["startDate"] = goal.set_on.isoformat()
    target = _target(goal)
    if target:
        resource["target"] = [target]
    if goal.steps:
        resource["note"] = [_step(step) for step in goal.steps]
    return resource


def _scale(goal: Goal) -> dict[str, Any]:
    """The goal's attainment scale as our extension: weight, baseline, and the five levels from
    +2 down, each its number and sentence."""
    assert goal.gas is not None
    parts: list[dict[str, Any]] = [{"url": "weight", "valueInteger": goal.gas.weight}]
    if goal.gas.baseline is not None:
        parts.append({"url": "baseline", "valueInteger": goal.gas.baseline})
    for n in GAS_LEVELS:
        level = [{"url": "level", "valueInteger": n}, {"url": "description", "valueString": goal.gas.levels[n]}]
        parts.append({"url": "level", "extension": level})
    return {"url": GAS_SCALE, "extension": parts}


def _target(goal: Goal) -> dict[str, Any] | None:
    """Goal.target: the due date and, for a goal with a scale, the expected outcome (level 0)."""
    target: dict[str, Any] = {}
    if goal.gas is not None:
        target["measure"] = _kind(LEVEL)
        target["detailInteger"] = 0
    if goal.target_date:
        target["dueDate"] = goal.target_date.isoformat()
    return target or None


def _step(step: Step) -> dict[str, Any]:
    """A step as a note on the goal, readable anywhere, with its tick and due date in our extension."""
    parts: list[dict[str, Any]] = [{"url": "done", "valueBoolean": step.done}]
    if step.due:
        parts.append({"url": "due", "valueDate": step.due.isoformat()})
    return {"extension": [{"url": STEP, "extension": parts}], "text": step.text}


def _kind(code: str) -> dict[str, Any]:
    return {"coding": [{"system": PROGRESS_CODES, "code": code, "display": KINDS[code]}], "text": KINDS[code]}


def _observations(client: str, goal: Goal, patient: str, goal_id: str) -> list[tuple[str, dict[str, Any]]]:
    """An Observation per measure of each progress entry, with the entry's date and note. The
    entry extension (its date and place among that day's entries) ties a rating and a level
    recorded together, so that import makes them one entry again."""
    found = []
    seen: Counter[datetime.date] = Counter()
    for entry in goal.progress:
        seen[entry.date] += 1
        key = f"{entry.date.isoformat()}/{seen[entry.date]}"
        for code, value in ((RATING, entry.rating), (LEVEL, entry.gas)):
            if value is not None:
                oid = stable_id(client, goal.id, key, code)
                found.append((oid, _observation(entry, key, code, value, patient, goal_id)))
    return found


def _observation(entry: Rating, key: str, code: str, value: int, patient: str, goal_id: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "extension": [{"url": ENTRY, "valueString": key}],
        "status": "final",
        "code": _kind(code),
        "subject": {"reference": f"urn:uuid:{patient}"},
        "focus": [{"reference": f"urn:uuid:{goal_id}"}],
        "effectiveDateTime": entry.date.isoformat(),
        "valueInteger": value,
    }
    if entry.note:
        resource["note"] = [{"text": entry.note}]
    return resource


def achievement_status(goal: Goal) -> str | None:
    """FHIR's achievementStatus, from the goal's progress: the attainment levels when it has a
    scale and levels were recorded, else the ratings.

    A goal that is done was ``achieved`` when its last measure reached what was aimed for (level
    0 or better, or a rating of 10), else ``not-achieved``. A goal still being worked on is
    ``improving``, ``worsening`` or ``no-change`` from its last two measures, and ``in-progress``
    with fewer than two. A goal that is done with no measure at all has none: nothing says.
    """
    entries = goal.by_date()
    measures = [e.gas for e in entries if e.gas is not None]
    aim = 0
    if not measures:
        measures, aim = [e.rating for e in entries if e.rating is not None], 10
    if goal.status == "done":
        if not measures:
            return None
        return "achieved" if measures[-1] >= aim else "not-achieved"
    if len(measures) < 2:
        return "in-progress"
    last, before = measures[-1], measures[-2]
    return "improving" if last > before else "worsening" if last < before else "no-change"
