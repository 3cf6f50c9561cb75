"""The efficiency ranking (效能排行榜): scored from the period's figures, frozen once the period ends.

A period still running is ranked afresh on every read (marked ``frozen: false``). The first read
after it ended, or the worker's nightly freeze, stores it; from then on the stored one is what
everybody gets, whatever arrives late or however the rules change, so a published ranking never
changes afterwards.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Awaitable, Callable

from tortoise.exceptions import IntegrityError

from onething.domain import ranking
from onething.domain.ranking import Place, Rules, UnitFigures
from onething.domain.refusals import Refused
from storage.models import PublishedRanking

# (kind, period, scope) -> every unit's figures for that period, the units without a case included
FiguresFor = Callable[[str, str, str], Awaitable[list[UnitFigures]]]


def check_period(kind: str, period: str, today: date) -> None:
    if kind not in ranking.KINDS:
        raise Refused("ranking_kind_unknown", status=404, details={"kind": kind})
    try:
        first, _ = ranking.period_bounds(kind, period)
    except ValueError:
        raise Refused("period_invalid", status=404, details={"period": period}) from None
    if first > today:
        raise Refused("period_not_begun", status=404, details={"period": period})


async def ranking_of(rules: Rules, figures_for: FiguresFor, kind: str, period: str, scope: str, today: date,
                     now: datetime) -> dict:
    """The ranking of one period: the stored one if frozen, else scored now (and frozen if it ended)."""
    check_period(kind, period, today)
    stored = await PublishedRanking.get_or_none(kind=kind, period=period, scope=scope)
    if stored is not None:
        return _shape(kind, period, scope, stored.places, frozen=True)
    places = [_place(p) for p in await _score(rules, figures_for, kind, period, scope, today)]
    if not ranking.has_ended(kind, period, today):
        return _shape(kind, period, scope, places, frozen=False)
    try:
        await PublishedRanking.create(kind=kind, period=period, scope=scope, places=places, frozen_at=now)
    except IntegrityError:  # another process froze it first: theirs is the published one
        stored = await PublishedRanking.get(kind=kind, period=period, scope=scope)
        places = stored.places
    return _shape(kind, period, scope, places, frozen=True)


async def freeze_ended(rules: Rules, figures_for: FiguresFor, today: date, now: datetime) -> int:
    """The worker's nightly step: store the week and the month that ended yesterday, if not yet."""
    frozen = 0
    for kind in ranking.KINDS:
        period = ranking.previous_period(kind, ranking.period_of(kind, today))
        for scope in ranking.SCOPES:
            if not await PublishedRanking.exists(kind=kind, period=period, scope=scope):
                await ranking_of(rules, figures_for, kind, period, scope, today, now)
                frozen += 1
    return frozen


async def published(kind: str, scope: str) -> list[str]:
    """The periods whose ranking is frozen (published), latest first."""
    periods = await PublishedRanking.filter(kind=kind, scope=scope).values_list("period", flat=True)
    return sorted(periods, reverse=True)


async def _score(rules: Rules, figures_for: FiguresFor, kind: str, period: str, scope: str,
                 today: date) -> list[Place]:
    before = ranking.previous_period(kind, period)
    stored = await PublishedRanking.get_or_none(kind=kind, period=before, scope=scope)
    if stored is not None:
        previous = {p["code"]: p["rank"] for p in stored.places if p["rank"] is not None}
    else:  # not frozen (before the service kept rankings): scored now, without its own changes
        previous = {p.score.code: p.rank for p in ranking.rank(rules, await figures_for(kind, before, scope))
                    if p.rank is not None}
    return ranking.rank(rules, await figures_for(kind, period, scope), previous)


def _place(p: Place) -> dict:
    s = p.score
    return {"rank": p.rank, "change": p.change, "code": s.code, "name": s.name, "total": s.total,
            "dimensions": dict(s.dimensions),
            "components": {k: None if v is None else round(v, 4) for k, v in s.components.items()}}


def _shape(kind: str, period: str, scope: str, places: list[dict], frozen: bool) -> dict:
    first, last = ranking.period_bounds(kind, period)
    return {"kind": kind, "period": period, "scope": scope, "from": first.isoformat(), "to": last.isoformat(),
            "frozen": frozen, "places": places}
