"""The supervision figures counted again from the cases themselves (their audit trails, items and
ratings), for checking the counters kept as cases change (``onething.services.figures``).

This reads every case with an event in the period: it is a check, not how figures are served.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from onething.domain.calendar import SHANGHAI, WorkCalendar, local_date
from onething.domain.catalog import Catalog
from onething.domain.figures import Figures, Period, fold
from onething.domain.grades import DEFAULT_RULES, GradeRules
from storage.models import Application, AuditEvent, Evaluation, ReviewTask

INTAKE = {"accept": "accepted", "return": "returned", "refuse": "refused"}
GRADES = {"warned": "warning", "overdue": "yellow", "legal_overdue": "red", "red_card": "red"}


async def recount(period: Period, catalog: Catalog, calendar: WorkCalendar, *, department: str | None = None,
                  window: str | None = None, item: str | None = None, thing: str | None = None,
                  rules: GradeRules = DEFAULT_RULES) -> Figures:
    start = datetime.combine(period.start, datetime.min.time(), tzinfo=SHANGHAI)
    events = await AuditEvent.filter(at__gte=start, at__lt=start + timedelta(days=(period.end - period.start).days + 1)
                                     ).order_by("application_id", "seq")
    ids = {e.application_id for e in events}
    cases = {a.id: a for a in await Application.filter(id__in=ids)}
    tasks = {(t.application_id, t.item): t for t in await ReviewTask.filter(application_id__in=ids)}
    ratings = {r.application_id: r for r in await Evaluation.filter(application_id__in=ids)}
    trails: dict[int, list[AuditEvent]] = {}
    for e in await AuditEvent.filter(application_id__in=ids).order_by("seq"):
        trails.setdefault(e.application_id, []).append(e)
    counts: Counter = Counter()
    for e in events:
        case = cases[e.application_id]
        lead = catalog.things[case.thing].lead_department
        day = local_date(e.at)

        def add(fact: str, dept: str, win: str, it: str = "", bucket: int = 0) -> None:
            asked = {"department": department, "window": window, "item": item, "thing": thing}
            have = {"department": dept, "window": win, "item": it, "thing": case.thing}
            if all(v is None or have[k] == v for k, v in asked.items()):
                counts[(fact, bucket)] += 1

        if e.action in ("submit", "resubmit"):
            add("received", lead, "")
        elif e.action in INTAKE:
            add(INTAKE[e.action], lead, e.actor)
            if e.action == "refuse" and _overturned(trails[case.id], e):
                add("overturned", lead, e.actor)
            if e.action == "accept" and e.role == "system":
                add("deemed_accepted", lead, e.actor)
        elif e.action == "close":
            add("completed", lead, case.window or "")
            if any(x.action == "deliver" for x in trails[case.id]):
                add("zero_trip", lead, case.window or "")
        elif e.action == "evaluate":
            score = ratings[case.id].score
            add("rating", lead, case.window or "", bucket=score)
            if score in rules.dissatisfied_scores:
                add("dissatisfied", lead, case.window or "")
        elif e.action == "close_follow_up":
            due = ratings[case.id].follow_up_due_on
            add("follow_up_closed", lead, case.window or "", bucket=int(day <= due))
        elif e.action in ("approve_item", "reject_item"):
            task = tasks[(case.id, e.item)]
            taken = calendar.working_days_between(task.started_on, day) - task.paused_days if task.started_on else 0
            add("decided", task.department, case.window or "", task.item, max(taken, 0))
            add("promised", task.department, case.window or "", task.item, task.limit_days)
            if task.legal_days:
                add("legal", task.department, case.window or "", task.item, task.legal_days)
            if task.due_on is None or day <= task.due_on:
                add("on_time", task.department, case.window or "", task.item)
            if e.action == "approve_item" and e.role == "system":
                add("tacit", task.department, case.window or "", task.item)
            if e.action == "reject_item":
                add("rejected", task.department, case.window or "", task.item)
                if _overturned(trails[case.id], e):
                    add("overturned", task.department, case.window or "", task.item)
        elif e.action in GRADES and e.item:
            if e.action == "legal_overdue" and any(
                    x.action == "red_card" and x.item == e.item and x.seq < e.seq for x in trails[case.id]):
                continue  # one red card per item
            task = tasks[(case.id, e.item)]
            add(GRADES[e.action], task.department, case.window or "", task.item)
    return fold(period, dict(counts), rules.satisfied_scores)


def _overturned(trail: list[AuditEvent], refusal: AuditEvent) -> bool:
    """Whether a refusal was later recorded as overturned: it counts on the refusal's day."""
    return any(x.action == "overturn" and x.item == refusal.item and x.seq > refusal.seq for x in trail)
