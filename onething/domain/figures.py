"""Supervision figures (电子监察统计) from counted facts: what a period's counts add up to.

Every fact is one thing that happened to a case on a Shanghai day, counted under a figure and a
bucket (``FACTS``). Most buckets are 0; the timeliness facts put the working days in the bucket, so
the counts per bucket are a histogram and the p90 is read from it without keeping the cases.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

# fact -> what it counts (and what its bucket holds, when it holds something)
FACTS = {
    "received": "提交的办件（含补正后再次提交）",
    "accepted": "受理的办件（含逾期视为受理）",
    "deemed_accepted": "受理期限届满视为受理的办件（行政许可法第三十二条）",
    "returned": "退回补正的办件",
    "refused": "不予受理的办件",
    "rejected": "不予许可的事项",
    "overturned": "经行政复议、诉讼或监察被撤销的不予受理、不予许可决定",
    "completed": "办结的办件",
    "zero_trip": "跑零次办结的办件（网上申请、结果寄递送达）",
    "decided": "作出决定的事项（分桶：实际用时，工作日）",
    "on_time": "在承诺时限内作出决定的事项",
    "promised": "作出决定的事项的承诺时限（分桶：工作日）",
    "legal": "作出决定的事项的法定时限（分桶：工作日）",
    "tacit": "超时默许的事项",
    "warning": "预警的事项",
    "yellow": "黄牌的事项",
    "red": "红牌的事项",
    "rating": "评价（分桶：1至5分）",
    "dissatisfied": "不满意评价（效能告诫）",
    "follow_up_closed": "办结的差评回访（分桶：1 按期，0 逾期）",
}
PERIODS = ("day", "week", "month", "range")
MAX_RANGE_DAYS = 366 * 2


@dataclass(frozen=True)
class Period:
    """Shanghai days from ``start`` to ``end``, both included."""

    kind: str
    start: date
    end: date

    @classmethod
    def of(cls, kind: str, day: date) -> Period:
        """The day, ISO week (Monday first) or month that holds ``day``."""
        if kind == "day":
            return cls(kind, day, day)
        if kind == "week":
            start = day - timedelta(days=day.weekday())
            return cls(kind, start, start + timedelta(days=6))
        if kind == "month":
            start = day.replace(day=1)
            following = (start + timedelta(days=32)).replace(day=1)
            return cls(kind, start, following - timedelta(days=1))
        raise ValueError(f"unknown period {kind!r}")

    @classmethod
    def between(cls, start: date, end: date) -> Period:
        if end < start:
            raise ValueError("a period cannot end before it starts")
        if (end - start).days >= MAX_RANGE_DAYS:
            raise ValueError(f"a period is at most {MAX_RANGE_DAYS} days")
        return cls("range", start, end)

    def previous(self) -> Period:
        """The period of the same kind just before (a range: as many days just before)."""
        if self.kind == "range":
            length = self.end - self.start
            return Period("range", self.start - length - timedelta(days=1), self.start - timedelta(days=1))
        return Period.of(self.kind, self.start - timedelta(days=1))

    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "day":
            return self.start.isoformat()
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass
class Figures:
    """Every figure of a period (issue #15 §2). A share over nothing is None, never 0 or 100."""

    period: str
    start: str
    end: str
    received: int = 0
    accepted: int = 0
    deemed_accepted: int = 0
    returned: int = 0
    refused: int = 0
    rejected: int = 0  # items refused on review (不予许可)
    overturned: int = 0  # refusals and rejections later overturned (counted on the refusal's day)
    completed: int = 0
    decided: int = 0  # items decided (approved, rejected or tacitly approved)
    on_time: int = 0
    on_time_pct: float | None = None
    avg_days: float | None = None  # working days taken, paused days excluded
    p90_days: int | None = None
    avg_promised_days: float | None = None
    avg_legal_days: float | None = None
    compression_ratio: float | None = None  # 承诺时限压缩比: promised / legal over the items decided
    tacit_approvals: int = 0
    warnings: int = 0
    yellow_cards: int = 0
    red_cards: int = 0
    ratings: int = 0
    satisfaction_pct: float | None = None
    rating_distribution: dict[str, int] = field(default_factory=lambda: {str(s): 0 for s in range(5, 0, -1)})
    dissatisfied: int = 0
    follow_ups_closed: int = 0
    follow_ups_on_time_pct: float | None = None
    zero_trips: int = 0
    zero_trip_pct: float | None = None  # of the cases completed

    def as_dict(self) -> dict:
        return asdict(self)


def fold(period: Period, counts: dict[tuple[str, int], int], satisfied: frozenset[int]) -> Figures:
    """The figures of ``period`` from the counts of its facts, ``(fact, bucket) -> n``."""
    def total(fact: str) -> int:
        return sum(n for (f, _), n in counts.items() if f == fact)

    def histogram(fact: str) -> dict[int, int]:
        return {b: n for (f, b), n in counts.items() if f == fact and n}

    out = Figures(period.label(), period.start.isoformat(), period.end.isoformat())
    for name in ("received", "accepted", "deemed_accepted", "returned", "refused", "rejected", "overturned",
                 "completed", "decided", "on_time", "dissatisfied"):
        setattr(out, name, total(name))
    out.tacit_approvals, out.warnings, out.yellow_cards, out.red_cards = (
        total("tacit"), total("warning"), total("yellow"), total("red"))
    taken, promised, legal = histogram("decided"), histogram("promised"), histogram("legal")
    out.on_time_pct = share(out.on_time, out.decided)
    out.avg_days = mean(taken)
    out.p90_days = percentile(taken, 0.9)
    out.avg_promised_days, out.avg_legal_days = mean(promised), mean(legal)
    legal_sum = sum(b * n for b, n in legal.items())
    out.compression_ratio = round(sum(b * n for b, n in promised.items()) / legal_sum, 3) if legal_sum else None
    ratings = histogram("rating")
    out.ratings = sum(ratings.values())
    out.rating_distribution = {str(s): ratings.get(s, 0) for s in range(5, 0, -1)}
    out.satisfaction_pct = share(sum(n for s, n in ratings.items() if s in satisfied), out.ratings)
    follow_ups = histogram("follow_up_closed")
    out.follow_ups_closed = sum(follow_ups.values())
    out.follow_ups_on_time_pct = share(follow_ups.get(1, 0), out.follow_ups_closed)
    out.zero_trips = total("zero_trip")
    out.zero_trip_pct = share(out.zero_trips, out.completed)
    return out


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def mean(histogram: dict[int, int]) -> float | None:
    count = sum(histogram.values())
    return round(sum(b * n for b, n in histogram.items()) / count, 2) if count else None


def percentile(histogram: dict[int, int], q: float) -> int | None:
    """Nearest rank: the smallest bucket at or below which at least ``q`` of the counts lie."""
    count = sum(histogram.values())
    if not count:
        return None
    rank, seen = math.ceil(q * count), 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= rank:
            return bucket
    return max(histogram)
