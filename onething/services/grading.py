"""What supervision keeps with every save of a case (``case_store.save``): its worst grade, the
day the deadline job next has work on it, its intake window, the facts its change counts
towards the figures, and a notice in the inbox of the department's reviewers and of the
supervisors when an item's grade rises. All in the transaction of the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Mapping

import jinja2

from onething.domain.calendar import WorkCalendar, local_date
from onething.domain.case import Case, Event
from onething.domain.due_work import next_check
from onething.domain.facts import Fact, facts_of
from onething.domain.grades import GRADE_EVENTS, DEFAULT_RULES, Grade, GradeRules, task_grade, worst
from onething.services import figures, staff_inbox
from storage import updates
from storage.models import StaffNotice, StaffUser

KIND = "grade"  # templates/staff_grade.txt.j2


@dataclass(frozen=True)
class Supervision:
    """What grading needs from the application: the rules, the texts and the departments' names."""

    rules: GradeRules = DEFAULT_RULES
    templates: jinja2.Environment | None = None
    departments: Mapping[str, str] = field(default_factory=dict)


DEFAULT = Supervision()


@dataclass
class Plan:
    grade: Grade
    next_check_on: date | None
    window: str | None
    facts: list[Fact] = field(default_factory=list)
    raised: list[tuple[Event, Grade]] = field(default_factory=list)  # items whose grade rose

    def columns(self) -> dict:
        return {"grade": int(self.grade), "next_check_on": self.next_check_on, "window": self.window}


def case_grade(case: Case) -> Grade:
    return worst(task_grade(t.warned, t.overdue, t.legal_overdue, t.red_card) for t in case.tasks)


def plan(case: Case, window: str | None, actor_name: str, actor_role: str, now: datetime,
         calendar: WorkCalendar, rules: GradeRules = DEFAULT_RULES, *, ticked: bool = False) -> Plan:
    """``window`` is the case's intake window before this change; ``ticked``: the change is the clock's."""
    today = local_date(now)
    if any(e.action == "accept" for e in case.events):
        window = actor_name  # the one who decided on intake (the system, for a case deemed accepted)
    tasks = {t.item: t for t in case.tasks}
    facts = facts_of(case.events, thing=case.thing.code, lead_department=case.thing.lead_department, tasks=tasks,
                     window=window, actor=actor_name, system=actor_role == "system", today=today,
                     calendar=calendar, rules=rules)
    raised = [(e, GRADE_EVENTS[e.action]) for e in case.events if e.action in GRADE_EVENTS and e.item in tasks]
    return Plan(case_grade(case), next_check(case, today, calendar, rules, ticked=ticked), window, facts, raised)


async def write_many(saves: list[tuple[Plan, int, str, Case, datetime]], conn,
                     supervision: Supervision = DEFAULT) -> None:
    """Count the facts of each saved case and tell who must know of a raised grade, in the
    caller's transaction: for each case, one notice for the supervisors and one for each reviewer
    of a department, listing its items whose grade rose (a sweep that warns four items of a case
    writes one, not four). Every department's reviewers are read in one query and every notice
    goes in one INSERT: the sweep's first run of a day raises thousands of grades."""
    await figures.count_many([(application_id, local_date(now), plan_.facts)
                              for plan_, application_id, _, _, now in saves], conn)
    raised = [(plan_, application_id, number, case, now, _raised_items(plan_, case, supervision))
              for plan_, application_id, number, case, now in saves if plan_.raised]
    if not raised:
        return
    templates = supervision.templates or _templates()
    departments = sorted({i["department"] for *_, items in raised for i in items})
    reviewers = await StaffUser.filter(role="reviewer", department__in=departments, active=True).using_db(
        conn).order_by("id").values_list("id", "department")
    notices = []
    for _, application_id, number, case, now, items in raised:
        def notice(listed: list[dict], to: list[dict]) -> list[dict]:
            context = {"number": number, "thing_name": case.thing.name, "items": listed}
            payload = {"application_id": application_id, "number": number,
                       "items": [{k: i[k] for k in ("item", "department", "grade")} for i in listed]}
            return staff_inbox.rows_to(templates, KIND, context, now, to, payload=payload)

        notices += notice(items, [{"role": "supervisor"}])
        for department in sorted({i["department"] for i in items}):
            listed = [i for i in items if i["department"] == department]
            notices += notice(listed, [{"staff_id": staff_id} for staff_id, of in reviewers if of == department])
    await updates.insert_many(conn, StaffNotice, notices)


def _raised_items(plan_: Plan, case: Case, supervision: Supervision) -> list[dict]:
    rules, names, items = supervision.rules, supervision.departments, []
    for event, grade in plan_.raised:
        task = next(t for t in case.tasks if t.item == event.item)
        item = case.thing.items.get(task.item)
        items.append({"item": task.item, "item_name": item.name if item else task.item, "department": task.department,
                      "department_name": names.get(task.department, task.department), "grade": grade.code,
                      "grade_name": rules.name(grade), "note": event.note})
    return items


@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    from onething.templating import make_environment  # only when no environment was handed over
    return make_environment()
