"""What the bulletin and the ranking read of a period, per department, from the audit trail.

A period is a range of Shanghai days; every query is bounded by the trail's time index
(``audit_event (action, at)``) or by the period's ratings, never a scan of every case.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from onething.domain.calendar import WorkCalendar, local_date
from onething.domain.catalog import Catalog
from onething.domain.ranking import UnitFigures
from storage.models import Application, AuditEvent, Evaluation, ReviewTask

SHANGHAI = timezone(timedelta(hours=8))
DECISIONS = ("approve_item", "reject_item")
GRADES = {"warned": "warning", "overdue": "yellow", "legal_overdue": "red"}  # 预警, 黄牌, 红牌
CHUNK = 900  # ids per IN list: within SQLite's limit on parameters


def bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The period's first and last Shanghai days as UTC instants (the end excluded)."""
    return (datetime.combine(first, time(0), SHANGHAI).astimezone(timezone.utc),
            datetime.combine(last + timedelta(days=1), time(0), SHANGHAI).astimezone(timezone.utc))


@dataclass
class Period:
    first: date
    last: date
    units: dict[str, dict] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    graded: list[dict] = field(default_factory=list)  # warnings and cards, with their cases
    bad_ratings: list[dict] = field(default_factory=list)
    received: int = 0
    completed: int = 0


async def _tasks(application_ids: set[int]) -> dict[tuple[int, str], dict]:
    found: dict[tuple[int, str], dict] = {}
    ids = sorted(application_ids)
    for i in range(0, len(ids), CHUNK):
        for t in await ReviewTask.filter(application_id__in=ids[i:i + CHUNK]).values(
                "application_id", "item", "department", "started_on", "due_on", "limit_days", "paused_days"):
            found[t["application_id"], t["item"]] = t
    return found


async def period(catalog: Catalog, calendar: WorkCalendar, first: date, last: date) -> Period:
    start, end = bounds(first, last)
    p = Period(first, last)
    events = await AuditEvent.filter(action__in=(*DECISIONS, *GRADES, "return_item", "return", "submit", "close"),
                                     at__gte=start, at__lt=end).values("application_id", "item", "action", "at")
    returned = {e["application_id"] for e in events if e["action"] in ("return", "return_item")}
    received = {e["application_id"] for e in events if e["action"] == "submit"}
    tasks = await _tasks({e["application_id"] for e in events if e["item"]} | received)
    p.received, p.completed = len(received), sum(e["action"] == "close" for e in events)
    numbers = await _numbers({e["application_id"] for e in events if e["action"] in GRADES})
    days_between = _cached(calendar)
    for e in events:
        task = tasks.get((e["application_id"], e["item"])) if e["item"] else None
        if task is None:
            continue
        unit = p.units[task["department"]]
        if e["action"] in DECISIONS:
            decided = local_date(e["at"])
            unit["decided"] += 1
            unit["on_time"] += task["due_on"] is None or decided <= task["due_on"]
            unit["days_taken"] += max(0, days_between(task["started_on"], decided) - task["paused_days"]) \
                if task["started_on"] else 0
            unit["days_promised"] += task["limit_days"]
            unit["refusals"] += e["action"] == "reject_item"
        elif e["action"] in GRADES:
            unit[GRADES[e["action"]]] += 1
            p.graded.append({"grade": GRADES[e["action"]], "number": numbers.get(e["application_id"], ""),
                             "department": task["department"], "item": e["item"], "on": local_date(e["at"]).isoformat()})
    for task in tasks.values():  # each case received once per department it reached
        if task["application_id"] in received:
            p.units[task["department"]]["cases"] += 1
            p.units[task["department"]]["corrections"] += task["application_id"] in returned
    await _ratings(p, start, end)
    p.graded.sort(key=lambda g: (g["on"], g["number"], g["item"] or ""))
    return p


async def _ratings(p: Period, start: datetime, end: datetime) -> None:
    # a rating's time is its trail event's (the service's clock), not the row's insertion
    ids = sorted(set(await AuditEvent.filter(action="evaluate", at__gte=start, at__lt=end).values_list(
        "application_id", flat=True)))
    ratings, departments = [], defaultdict(set)
    for i in range(0, len(ids), CHUNK):
        ratings += await Evaluation.filter(application_id__in=ids[i:i + CHUNK]).values(
            "application_id", "score", "follow_up_due_on", "follow_up_closed_at", "application__number")
        for a, d in await ReviewTask.filter(application_id__in=ids[i:i + CHUNK]).values_list(
                "application_id", "department"):
            departments[a].add(d)
    for r in ratings:
        closed = r["follow_up_closed_at"]
        on_time = closed is not None and r["follow_up_due_on"] is not None and local_date(closed) <= r["follow_up_due_on"]
        for department in departments[r["application_id"]]:
            unit = p.units[department]
            unit["ratings"] += 1
            unit["satisfied"] += r["score"] >= 4
            if r["score"] <= 2:
                unit["follow_ups"] += 1
                unit["follow_ups_on_time"] += on_time
        if r["score"] <= 2:
            p.bad_ratings.append({"number": r["application__number"], "score": r["score"],
                                  "departments": sorted(departments[r["application_id"]]),
                                  "due_on": r["follow_up_due_on"].isoformat() if r["follow_up_due_on"] else None,
                                  "closed_on": local_date(closed).isoformat() if closed else None,
                                  "on_time": on_time})


def unit_figures(p: Period, names: dict[str, str]) -> list[UnitFigures]:
    """Every department of the catalog, those without a case included (listed, not ranked)."""
    keys = UnitFigures.__dataclass_fields__.keys() - {"code", "name"}
    return [UnitFigures(code, name, **{k: int(p.units.get(code, {}).get(k, 0)) for k in keys})
            for code, name in names.items()]


async def _numbers(ids: set[int]) -> dict[int, str]:
    found, ordered = {}, sorted(ids)
    for i in range(0, len(ordered), CHUNK):
        found.update(dict(await Application.filter(id__in=ordered[i:i + CHUNK]).values_list("id", "number")))
    return found


def _cached(calendar: WorkCalendar):
    seen: dict[tuple[date, date], int] = {}

    def between(a: date, b: date) -> int:
        if (a, b) not in seen:
            seen[a, b] = calendar.working_days_between(a, b) if b > a else 0
        return seen[a, b]
    return between
