"""The efficiency ranking (审批服务效能排行榜): a department's or window's period, scored and ranked.

Each unit's score is built from its figures for the period in three dimensions, efficiency (效率),
quality (质量) and attitude (态度), as the county's ranking scores "the efficiency, quality and
attitude of each window unit". A component is a ratio from 0 to 1 (on-time share, time saved on
the promise, cases without correction, refusals that stood, satisfied ratings, follow-ups closed
in time); a dimension is the weighted mean of its components, times 100; the total is the
weighted mean of the dimensions. Weights and components come from ``ranking.yaml``.

A component with nothing to measure (no ratings this week, say) drops out and the others of its
dimension share its weight; a dimension with no component left drops out of the total the same
way. A unit with no case decided in the period is listed but not ranked.

Ties, the same rule every time: higher total first; equal totals (to two decimals) are split by
efficiency, then quality, then attitude; units equal on all four share the rank (1, 2, 2, 4) and
are listed by code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable, Mapping

DIMENSIONS = ("efficiency", "quality", "attitude")
KINDS = ("week", "month")
SCOPES = ("department", "window")


@dataclass(frozen=True)
class UnitFigures:
    """What the ranking reads of one unit's period (counts; days are working days)."""

    code: str
    name: str
    decided: int = 0  # review tasks decided in the period
    on_time: int = 0  # of those, decided by their promised date
    days_taken: int = 0  # summed over the decided tasks
    days_promised: int = 0  # their promised limits, summed
    cases: int = 0  # cases received
    corrections: int = 0  # of those, returned for correction
    refusals: int = 0  # refusals decided
    overturned: int = 0  # of those, overturned on complaint or review
    ratings: int = 0
    satisfied: int = 0  # ratings 4-5
    follow_ups: int = 0  # bad-rating follow-ups due in the period
    follow_ups_on_time: int = 0


def _ratio(part: int, whole: int) -> float | None:
    return None if whole <= 0 else max(0.0, min(1.0, part / whole))


# component name -> its ratio from a unit's figures, or None when there is nothing to measure
COMPONENTS: dict[str, Callable[[UnitFigures], float | None]] = {
    "on_time": lambda f: _ratio(f.on_time, f.decided),
    "speed": lambda f: _ratio(f.days_promised - f.days_taken, f.days_promised),
    "correction_free": lambda f: _ratio(f.cases - f.corrections, f.cases),
    "refusals_upheld": lambda f: _ratio(f.refusals - f.overturned, f.refusals),
    "satisfaction": lambda f: _ratio(f.satisfied, f.ratings),
    "follow_ups_on_time": lambda f: _ratio(f.follow_ups_on_time, f.follow_ups),
}


class RankingRulesInvalid(ValueError):
    def __init__(self, source: str, errors: list[str]):
        self.errors = errors
        super().__init__(f"{source}: the ranking rules have errors:\n  - " + "\n  - ".join(errors))


@dataclass(frozen=True)
class Rules:
    # dimension -> (its weight, ((component, weight), ...))
    dimensions: Mapping[str, tuple[float, tuple[tuple[str, float], ...]]]


def build_rules(raw: Any, source: str = "ranking.yaml") -> Rules:
    """The rules from plain data; every problem is listed, naming the file and the entry."""
    dims = raw.get("dimensions") if isinstance(raw, dict) else None
    if not isinstance(dims, dict) or not dims:
        raise RankingRulesInvalid(source, ["`dimensions` must be a mapping of efficiency, quality and attitude"])
    errors: list[str] = []
    if set(raw) - {"dimensions"}:
        errors.append(f"unknown keys {', '.join(sorted(set(raw) - {'dimensions'}))}")
    built = {}
    for name in set(DIMENSIONS) - set(dims):
        errors.append(f"dimensions.{name}: missing")
    for name, entry in dims.items():
        where = f"dimensions.{name}"
        if name not in DIMENSIONS:
            errors.append(f"{where}: not one of {', '.join(DIMENSIONS)}")
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("components"), dict) or not entry["components"]:
            errors.append(f"{where}: must have a weight and a non-empty mapping of components")
            continue
        weight = _weight(entry.get("weight"), where, errors)
        if set(entry) - {"weight", "components"}:
            errors.append(f"{where}: unknown keys {', '.join(sorted(set(entry) - {'weight', 'components'}))}")
        parts = []
        for component, cweight in entry["components"].items():
            if component not in COMPONENTS:
                errors.append(f"{where}.components.{component}: unknown component "
                              f"(known: {', '.join(COMPONENTS)})")
            parts.append((component, _weight(cweight, f"{where}.components.{component}", errors)))
        built[name] = (weight, tuple(parts))
    if errors:
        raise RankingRulesInvalid(source, errors)
    return Rules(built)


def _weight(value: Any, where: str, errors: list[str]) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 100:
        errors.append(f"{where}: weight must be a number above 0 and at most 100")
        return 0.0
    return float(value)


def _mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(w for _, w in pairs)
    return None if total == 0 else sum(v * w for v, w in pairs) / total


@dataclass(frozen=True)
class Score:
    code: str
    name: str
    total: float | None  # None: nothing decided in the period, not ranked
    dimensions: dict[str, float | None] = field(default_factory=dict)
    components: dict[str, float | None] = field(default_factory=dict)


def score(rules: Rules, figures: UnitFigures) -> Score:
    components = {c: COMPONENTS[c](figures) for c in COMPONENTS}
    if figures.decided == 0 and figures.cases == 0:
        return Score(figures.code, figures.name, None, {d: None for d in DIMENSIONS}, components)
    dims: dict[str, float | None] = {}
    for name, (_, parts) in rules.dimensions.items():
        mean = _mean([(components[c], w) for c, w in parts if components[c] is not None])
        dims[name] = None if mean is None else round(mean * 100, 2)
    total = _mean([(dims[n], w) for n, (w, _) in rules.dimensions.items() if dims[n] is not None])
    return Score(figures.code, figures.name, None if total is None else round(total, 2), dims, components)


@dataclass(frozen=True)
class Place:
    rank: int | None  # None: not ranked (nothing decided)
    change: int | None  # places gained against the previous period (+ up, - down); None: not ranked then
    score: Score


def rank(rules: Rules, units: list[UnitFigures], previous: Mapping[str, int] | None = None) -> list[Place]:
    """The ranked list; ``previous`` is the previous period's rank by unit code."""
    previous = previous or {}
    scores = [score(rules, f) for f in units]
    ranked = sorted((s for s in scores if s.total is not None), key=lambda s: (_order(s), s.code))
    unranked = sorted((s for s in scores if s.total is None), key=lambda s: s.code)
    places, last, last_rank = [], None, 0
    for i, s in enumerate(ranked, start=1):
        key = _order(s)
        last_rank = last_rank if key == last else i
        last = key
        before = previous.get(s.code)
        places.append(Place(last_rank, None if before is None else before - last_rank, s))
    return places + [Place(None, None, s) for s in unranked]


def _order(s: Score) -> tuple[float, ...]:
    return (-(s.total or 0.0), *(-(s.dimensions.get(d) or 0.0) for d in DIMENSIONS))


# -- periods (Asia/Shanghai dates) ----------------------------------------------------------------

def period_bounds(kind: str, key: str) -> tuple[date, date]:
    """First and last day of "2026-11" (a month) or "2026-W47" (an ISO week, Monday to Sunday)."""
    if kind == "month":
        year, month = (int(p) for p in key.split("-"))
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        return first, following - timedelta(days=1)
    if kind == "week":
        year, _, week = key.partition("-W")
        first = date.fromisocalendar(int(year), int(week), 1)
        return first, first + timedelta(days=6)
    raise ValueError(f"unknown period kind {kind!r}")


def period_of(kind: str, day: date) -> str:
    if kind == "month":
        return f"{day.year:04d}-{day.month:02d}"
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def previous_period(kind: str, key: str) -> str:
    first, _ = period_bounds(kind, key)
    return period_of(kind, first - timedelta(days=1))


def has_ended(kind: str, key: str, today: date) -> bool:
    """A period is over, and its ranking frozen for good, from the day after its last day."""
    return period_bounds(kind, key)[1] < today
