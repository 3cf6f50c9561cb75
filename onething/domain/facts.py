"""What a saved change counts towards the supervision figures (onething.domain.figures.FACTS).

Facts about the whole case count under the thing's lead department (牵头部门, which answers for
the case) with no item; facts about an item count under the item's department. The window is the
staff account that decided on intake: a return or refusal counts under whoever decided it, and
everything after acceptance (items, grades, ratings) under the window that accepted the case.
A submission counts under no window: nobody at a window has seen it yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .calendar import WorkCalendar
from .grades import GradeRules
from .records import Event, Task

CASE_FACTS = {"submit": "received", "resubmit": "received", "accept": "accepted", "return": "returned",
              "refuse": "refused", "close": "completed"}
INTAKE = frozenset({"accept", "return", "refuse"})
GRADE_FACTS = {"warned": "warning", "overdue": "yellow", "legal_overdue": "red", "red_card": "red"}


@dataclass(frozen=True)
class Fact:
    fact: str
    department: str
    window: str
    thing: str
    item: str = ""
    bucket: int = 0


def taken_days(task: Task, decided_on: date, calendar: WorkCalendar) -> int:
    """Working days an item took, its paused days (waiting on the applicant, §45 periods) left out."""
    if task.started_on is None:
        return 0
    return max(calendar.working_days_between(task.started_on, decided_on) - task.paused_days, 0)


def score_of(event: Event) -> int:
    return int(event.note.split("分", 1)[0])  # "4分（满意）", as Case.evaluate writes it


def facts_of(events: list[Event], *, thing: str, lead_department: str, tasks: dict[str, Task], window: str | None,
             actor: str, system: bool, today: date, calendar: WorkCalendar, rules: GradeRules) -> list[Fact]:
    """The facts of one save: ``events`` as the case just recorded them, ``tasks`` by item after the change,
    ``window`` the case's intake window (after the change), ``actor`` who made it (``system``: the clock)."""
    out: list[Fact] = []
    delivered = any(e.action == "deliver" for e in events)
    for event in events:
        action = event.action
        if action in CASE_FACTS:
            who = actor if action in INTAKE else ("" if action in ("submit", "resubmit") else window or "")
            out.append(Fact(CASE_FACTS[action], lead_department, who, thing))
            if action == "accept" and system:
                out.append(Fact("deemed_accepted", lead_department, who, thing))
            if action == "close" and delivered:
                out.append(Fact("zero_trip", lead_department, who, thing))
        elif action == "evaluate":
            score = score_of(event)
            out.append(Fact("rating", lead_department, window or "", thing, bucket=score))
            if score in rules.dissatisfied_scores:
                out.append(Fact("dissatisfied", lead_department, window or "", thing))
        elif action in ("approve_item", "reject_item") and event.item in tasks:
            out.extend(_decided(tasks[event.item], thing, window or "", action == "approve_item" and system,
                                today, calendar))
            if action == "reject_item":
                out.append(Fact("rejected", tasks[event.item].department, window or "", thing, event.item))
        elif action in GRADE_FACTS and event.item in tasks:
            task = tasks[event.item]
            if action == "legal_overdue" and task.red_card:
                continue  # already red for staying yellow: one red card per item
            out.append(Fact(GRADE_FACTS[action], task.department, window or "", thing, task.item))
    return out


def _decided(task: Task, thing: str, window: str, tacit: bool, today: date, calendar: WorkCalendar) -> list[Fact]:
    def fact(name: str, bucket: int = 0) -> Fact:
        return Fact(name, task.department, window, thing, task.item, bucket)

    out = [fact("decided", taken_days(task, today, calendar)), fact("promised", task.limit_days)]
    if task.legal_days:
        out.append(fact("legal", task.legal_days))
    if task.due_on is None or today <= task.due_on:
        out.append(fact("on_time"))
    if tacit:
        out.append(fact("tacit"))
    return out
