"""Goal Attainment Scaling: the level each goal had reached at a review, and the T-score over goals.

Kiresuk and Sherman (1968) summarise a client's scaled goals in one number,

    T = 50 + 10 * sum(w * x) / sqrt((1 - rho) * sum(w ** 2) + rho * sum(w) ** 2)

where x is a goal's level (-2 to 2), w its weight and rho the correlation assumed between goals
(``gas_rho`` in ``site.yaml``, 0.3 by convention). 50 means every goal went as expected; about
10 points is one level above or below expectation across the board.

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

from .records import ClientRecord, Goal


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
    levels = [entry.gas for entry in goal.progress if entry.gas is not None and entry.date <= day]
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
    days = [d for d in days if (start is None or d >= start) and (end is None or d <= end)]
    out = []
    for day in days:
        counted = [g for g in scaled if g.set_on is None or g.set_on <= day]
        levels = {g.id: level_on(g, day) for g in counted}
        unknown = tuple(goal_id for goal_id, level in levels.items() if level is None)
        pairs = [(g.gas.weight, levels[g.id]) for g in counted if levels[g.id] is not None and g.gas]
        score = None if unknown or not pairs else t_score(pairs, rho)
        out.append(Review(day, score, len(counted), unknown))
    return out
