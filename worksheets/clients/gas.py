"""Goal Attainment Scaling: the level each goal had reached at a review, and the T-score over goals.

Kiresuk and Sherman (1968) summarise a client's scaled goals in one number,

    T = 50 + 10 * sum(w * x) / sqrt((1 - rho) * sum(w ** 2) + rho * sum(w) ** 2)

where x is a goal's level (-2 to 2), w its weight and rho the correlation assumed between goals
(``gas_rho`` in ``site.yaml``, 0.3 by convention). 50 means every goal went as expected. One
goal a level above expectation scores 60; several goals all a level above score more, since
goals that agree are taken as stronger evidence (65.1 for five goals of equal weight).

A review is a day on which at least one level was recorded. At a review, each scaled goal counts
with its latest level recorded on or before that day, or else its baseline; a goal set after the
day does not count yet. When a goal that counts has neither, the score cannot be computed, and
the review says so rather than leaving that goal out and reporting a score it does not support.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..content import short_date
from .records import ClientRecord, GasScale, Goal


def in_period(day: datetime.date, start: datetime.date | None, end: datetime.date | None) -> bool:
    """Whether ``day`` is between ``start`` and ``end`` (both included; either may be open)."""
    return (start is None or day >= start) and (end is None or day <= end)


def t_score(scored: Sequence[tuple[int, int]], rho: float) -> float:
    """The T-score of goals given as (weight, level) pairs; ValueError when there are none."""
    if not scored:
        raise ValueError("a T-score needs at least one goal with a level")
    weights = [w for w, _ in scored]
    spread = (1 - rho) * sum(w * w for w in weights) + rho * sum(weights) ** 2
    return 50 + 10 * sum(w * x for w, x in scored) / math.sqrt(spread)


def level_on(goal: Goal, day: datetime.date) -> int | None:
    """The goal's level on ``day``: the latest recorded on or before it (of two on one day, the
    later in the file), else its baseline; None when it has neither, or no scale."""
    if goal.gas is None:
        return None
    levels = [entry.gas for entry in goal.by_date() if entry.gas is not None and entry.date <= day]
    return levels[-1] if levels else goal.gas.baseline


@dataclass(frozen=True)
class Review:
    """The T-score on one review day, or why there is none: the goals that had no level yet."""

    date: datetime.date
    score: float | None
    goals: int
    unknown: tuple[str, ...] = ()


def reviews(
    record: ClientRecord, rho: float, *, start: datetime.date | None = None, end: datetime.date | None = None
) -> list[Review]:
    """The T-score at every review of the record between ``start`` and ``end`` (both included),
    in date order."""
    scaled = [g for g in record.goals if g.gas is not None]
    days = sorted({e.date for g in scaled for e in g.progress if e.gas is not None})
    days = [d for d in days if in_period(d, start, end)]
    out = []
    for day in days:
        counted = [g for g in scaled if g.set_on is None or g.set_on <= day]
        levels = {g.id: level_on(g, day) for g in counted}
        unknown = tuple(goal_id for goal_id, level in levels.items() if level is None)
        pairs = [(g.gas.weight, levels[g.id]) for g in counted if levels[g.id] is not None and g.gas]
        score = None if unknown or not pairs else t_score(pairs, rho)
        out.append(Review(day, score, len(counted), unknown))
    return out


SCALE_SHEET = "goal-attainment-scale"
"""The worksheet that is the paper form of a goal's scale: a take-home goal with a scale gets it,
filled in with the scale (``sheet_answers``)."""

_ROWS = {2: "much-more", 1: "more", 0: "expected", -1: "less", -2: "much-less"}
_WEIGHTS = {1: "one", 2: "two", 3: "three"}
_BASELINES = {-2: "much-less", -1: "less"}
REVIEWS = 4
"""Reviews the sheet has boxes for: it shows the latest four."""


def sheet_answers(goal: Goal, language: str) -> dict[str, Any]:
    """The goal's scale as answers to ``SCALE_SHEET``: the goal, its weight and baseline, the five levels
    in the ladder, and its latest reviews, dated and ticked at the level reached."""
    if goal.gas is None:
        return {}
    latest = [entry for entry in goal.by_date() if entry.gas is not None][-REVIEWS:]
    ladder: dict[str, dict[str, Any]] = {row: {"looks-like": goal.gas.levels[n]} for n, row in _ROWS.items()}
    reviews: dict[str, dict[str, Any]] = {}
    for k, entry in enumerate(latest, start=1):
        ladder[_ROWS[entry.gas]][f"review-{k}"] = True
        reviews[f"review-{k}"] = {"date": short_date(entry.date, language)}
        if entry.note:
            reviews[f"review-{k}"]["note"] = entry.note
    answers: dict[str, Any] = {"goal": goal.title, "weight": _WEIGHTS[goal.gas.weight], "ladder": ladder}
    if goal.gas.baseline is not None:
        answers["baseline"] = _BASELINES[goal.gas.baseline]
    if reviews:
        answers["reviews"] = reviews
    return answers


def scale_from(answers: dict[str, Any]) -> GasScale | None:
    """A scale from answers to ``SCALE_SHEET`` (a filled-in fillable PDF of it), when all five levels
    are written; its weight (1 when not ticked) and baseline as ticked."""
    ladder = answers.get("ladder") or {}
    levels = {n: (ladder.get(row) or {}).get("looks-like") for n, row in _ROWS.items()}
    if not all(isinstance(text, str) and text.strip() for text in levels.values()):
        return None
    weight = {name: n for n, name in _WEIGHTS.items()}.get(answers.get("weight"), 1)
    baseline = {name: n for n, name in _BASELINES.items()}.get(answers.get("baseline"))
    return GasScale(weight=weight, baseline=baseline, levels=levels)
