"""One seeded case's life, played through the domain's own rules (the case, its review and the
deadline clock), so the rows the seed writes are the ones the app would have written.

``live(...)`` returns the case as it stands at ``until`` and its events, each with its time and
actor; ``seed_cases.py`` turns those into rows. Odds: 2% refused at intake, 5% returned for
correction first, 10% with a deferred material, about 3% of items decided past their promised
date, ratings on 60% of the finished cases.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from onething.domain.calendar import WorkCalendar, local_date
from onething.domain.case import Case
from onething.domain.catalog import Thing
from onething.domain.clock import tick
from onething.domain.facts import Fact
from onething.domain.records import Event
from onething.domain.states import State, TaskState
from onething.services import grading
from onething.services.reference import load_grade_rules

SHANGHAI = timezone(timedelta(hours=8))
RULES = load_grade_rules()  # supervision.yaml, as the app grades
# the six things, weighted: company openings and newborns most common
THING_WEIGHTS = {"business-opening": 30, "newborn": 28, "retirement": 14, "resale-housing-transfer": 12,
                 "restaurant-opening": 10, "construction-permit": 6}
SCORES = (5, 4, 3, 2, 1)
SCORE_WEIGHTS = (70, 20, 6, 3, 1)
PROBLEMS = ["营业执照复印件不清晰，请重新上传", "申请表缺少法定代表人签字"]


@dataclass
class Lived:
    case: Case
    events: list[tuple] = field(default_factory=list)  # (Event, at, actor, role)
    returned: bool = False
    rating: tuple | None = None  # (score, rated_at, follow_up_due_on, follow_up_closed_at)
    version: int = 0
    facts: list[tuple] = field(default_factory=list)  # (day, Fact): what each save counted
    window: str | None = None  # the intake window, as the saves keep it
    grade: int = 0
    next_check_on: date | None = None


def at_work(day: date, rng: random.Random) -> datetime:
    """A moment in the working hours (9:00-17:00 Shanghai) of ``day``, in UTC."""
    local = datetime.combine(day, time(9), SHANGHAI) + timedelta(seconds=rng.randrange(8 * 3600))
    return local.astimezone(timezone.utc)


def later(cal: WorkCalendar, moment: datetime, days: int, rng: random.Random) -> datetime:
    day = cal.add_working_days(local_date(moment), days) if days else local_date(moment)
    new = at_work(day, rng)
    return new if new > moment else moment + timedelta(minutes=rng.randrange(5, 90))


def live(thing: Thing, cal: WorkCalendar, submitted: datetime, until: datetime, citizen: str,
         rng: random.Random, stalled: bool = False) -> Lived:
    """``stalled``: accepted, then nobody decides its items (open work for the sweep's bench)."""
    case = Case(thing=thing)
    lived = Lived(case)

    def step(moment: datetime, actor: str, role: str, change) -> bool:
        if moment > until:
            return False
        change(case, moment)
        _saved(lived, cal, moment, actor, role)
        return True

    clerk = f"staff:clerk{rng.randrange(1, 9)}"
    step(submitted, citizen, "citizen", lambda c, now: c.submit(now, cal))
    roll = rng.random()
    moment = later(cal, submitted, rng.choice((0, 0, 1, 1, 2)), rng)
    if roll < 0.02:
        step(moment, clerk, "clerk", lambda c, now: c.refuse("申请事项不属于本中心受理范围"))
        return lived
    if roll < 0.07:
        if not step(moment, clerk, "clerk", lambda c, now: c.return_for_correction(PROBLEMS)):
            return _settle(lived, cal, until)
        lived.returned = True
        moment = later(cal, moment, rng.randrange(1, 5), rng)
        if not step(moment, citizen, "citizen", lambda c, now: c.resubmit(now, cal)):
            return lived
        moment = later(cal, moment, rng.choice((0, 1, 1)), rng)
    owed = {}
    deferrable = [m for m, ok in thing.required_materials().items() if ok]
    if deferrable and rng.random() < 0.10 / 0.98:
        owed = {rng.choice(deferrable): cal.add_working_days(local_date(moment), 10)}
    if not step(moment, clerk, "clerk", lambda c, now: c.accept(now, cal, owed=owed)) or stalled:
        return _settle(lived, cal, until)
    if owed:
        material, due = next(iter(owed.items()))
        arrives = later(cal, moment, rng.randrange(2, 9), rng)
        owed_at = arrives if local_date(arrives) <= due else None
    else:
        owed_at = material = None
    return _review(lived, cal, until, rng, step, owed_at, material, citizen)


def _review(lived: Lived, cal, until, rng, step, owed_at, material, citizen) -> Lived:
    case = lived.case
    decide: dict[str, datetime] = {}
    while case.state == State.IN_REVIEW:
        for task in case.tasks:
            if task.state == TaskState.IN_REVIEW and task.item not in decide:
                days = _days_taken(task.limit_days, rng)
                decide[task.item] = at_work(cal.add_working_days(task.started_on, days) if days else task.started_on,
                                            rng)
        pending = sorted((when, item) for item, when in decide.items() if case.task(item).state == TaskState.IN_REVIEW)
        if owed_at is not None and (not pending or owed_at <= pending[0][0]):
            if not step(owed_at, citizen, "citizen", lambda c, now: c.receive_owed(material, local_date(now), cal)):
                return _settle(lived, cal, until)
            owed_at = None
            continue
        if not pending:
            break
        when, item = pending[0]
        # the sweep's passes that fell before this decision: warnings, overdue flags, tacit approvals
        last = max(e[1] for e in lived.events)
        for check in sorted(_checks(case, cal)):
            if check <= local_date(when):
                step(min(max(at_work(check, rng), last), until), "system", "system", lambda c, now: tick(c, now, cal, RULES))
        if case.task(item).state != TaskState.IN_REVIEW:
            continue  # tacitly approved by the clock
        reviewer = f"staff:{case.task(item).department}-reviewer"
        if not step(when, reviewer, "reviewer",
                    lambda c, now: c.approve(item, now, cal, result_number=f"{item[:6].upper()}{rng.randrange(10**8)}")):
            return _settle(lived, cal, until)
    if owed_at is not None and not step(owed_at, citizen, "citizen",
                                        lambda c, now: c.receive_owed(material, local_date(now), cal)):
        return _settle(lived, cal, until)
    moment = later(cal, max(e[1] for e in lived.events), rng.choice((0, 1)), rng)
    if not step(moment, "staff:clerk1", "clerk", lambda c, now: c.results_ready()):
        return lived
    how = "deliver" if rng.random() < 0.6 else "collect"
    moment = later(cal, moment, rng.randrange(1, 4), rng)
    actor, role = ("courier:ems", "courier") if how == "deliver" else ("staff:clerk1", "clerk")
    if not step(moment, actor, role, lambda c, now: c.hand_over(how)):
        return lived
    if rng.random() < 0.6:
        rated = moment + timedelta(minutes=rng.randrange(5, 600))
        score = rng.choices(SCORES, SCORE_WEIGHTS)[0]
        due: list = []
        if step(rated, citizen, "citizen", lambda c, now: due.append(c.evaluate(score, local_date(now), cal))):
            closed = None
            if due[0] is not None:
                closed = later(cal, rated, rng.randrange(1, 18), rng)  # one in six closed late
                if closed <= until:
                    step(closed, "staff:supervisor1", "supervisor", lambda c, now: c.events.append(
                        _close_event(c)))
                    day = local_date(closed)  # counted by the follow-up service, not by a save
                    lived.facts.append((day, Fact("follow_up_closed", case.thing.lead_department,
                                                  lived.window or "", case.thing.code, bucket=int(day <= due[0]))))
                else:
                    closed = None
            lived.rating = (score, rated, due[0], closed)
    return lived


def _days_taken(limit: int, rng: random.Random) -> int:
    """Most items well inside their promise, some near it, about 3% past it."""
    roll = rng.random()
    if roll < 0.03:
        return limit + rng.randrange(1, 4)
    if roll < 0.08:
        return rng.randrange(limit // 2, limit + 1)
    return rng.randrange(0, limit // 3 + 1)


def _checks(case: Case, cal: WorkCalendar) -> set[date]:
    days = set()
    for task in case.tasks:
        if task.state == TaskState.IN_REVIEW and task.due_on:
            threshold = case.thing.items[task.item].warning.threshold(task.limit_days)
            days |= {_back(cal, task.due_on, threshold),
                     cal.add_working_days(task.due_on, 1)}
    return days


def _back(cal: WorkCalendar, day: date, n: int) -> date:
    while n:
        day -= timedelta(days=1)
        n -= cal.is_working_day(day)
    return day


def _close_event(case: Case) -> Event:
    return Event("close_follow_up", case.state, case.state, "已电话回访，说明办理情况")


def _settle(lived: Lived, cal: WorkCalendar, until: datetime) -> Lived:
    """A case still open at ``until``: the clock has run over it as the sweep would have."""
    if lived.case.state in (State.SUBMITTED, State.IN_REVIEW):
        tick(lived.case, until, cal, RULES)
        _saved(lived, cal, until, "system", "system", force=True)
    return lived


def _saved(lived: Lived, cal: WorkCalendar, moment: datetime, actor: str, role: str, force: bool = False) -> None:
    """What ``case_store.save`` keeps with a change: the events, the counted facts, grade and next check."""
    case = lived.case
    if case.events or force:
        plan = grading.plan(case, lived.window, actor, role, moment, cal, RULES, ticked=role == "system")
        day = local_date(moment)
        lived.facts.extend((day, f) for f in plan.facts)
        lived.window, lived.grade, lived.next_check_on = plan.window, int(plan.grade), plan.next_check_on
    if case.events:
        lived.events.extend((e, moment, actor, role) for e in case.events)
        lived.version += 1
    case.events.clear()
    case.notices.clear()
