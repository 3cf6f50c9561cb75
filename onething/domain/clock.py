"""The law's clock, applied to one case at a time by the deadline job.

Each rule is idempotent: running it twice on the same day changes nothing the second time,
so two workers racing over the same case (the loser's save is refused by the version check
and retried) cannot double-act.
"""

from __future__ import annotations

from datetime import date, datetime

from .calendar import WorkCalendar, local_date
from .case import Case, Event, legal_due
from .grades import DEFAULT_RULES, GradeRules
from .states import APPLICANT_WAIT, State, TaskState

REMIND_DAYS_BEFORE = 2  # remind about owed materials from two working days before they are due


def tick(case: Case, now: datetime, calendar: WorkCalendar, rules: GradeRules = DEFAULT_RULES) -> bool:
    """Apply every deadline rule due at ``now``; return whether the case changed."""
    before = len(case.events) + len(case.notices)
    today = local_date(now)
    if case.state == State.SUBMITTED and case.intake_due_on and today > case.intake_due_on:
        # 行政许可法 §32: no intake decision in time means the application counts as accepted.
        case.accept(now, calendar, note="受理期限届满未作决定，依法视为受理")
    if case.state == State.IN_REVIEW:
        _owed_materials(case, today, calendar)
        _tasks(case, now, today, calendar, rules)
    return len(case.events) + len(case.notices) > before


def _owed_materials(case: Case, today: date, calendar: WorkCalendar) -> None:
    for owed in case.owed:
        if not owed.outstanding:  # received, or waived by a supervisor
            continue
        if owed.due_on < today:
            if not case.suspended_since:
                case.suspended_since = today
                for task in case.tasks:
                    if task.state == TaskState.IN_REVIEW:
                        task.state, task.pause_kind, task.paused_since = TaskState.PAUSED, APPLICANT_WAIT, today
                case.events.append(Event("suspended", case.state, case.state, f"容缺材料 {owed.material} 逾期未补交，暂停办理"))
                case.notices.append(("suspended", {"material": owed.material}))
        elif owed.reminded_on != today and calendar.working_days_between(today, owed.due_on) <= REMIND_DAYS_BEFORE:
            owed.reminded_on = today
            case.notices.append(("owed_due", {"material": owed.material, "due_on": owed.due_on.isoformat()}))


def _record_legal_limit(case: Case, task, legal_limit: int, calendar: WorkCalendar) -> None:
    """An item started before legal limits were tracked gets its own now, from when it started."""
    task.legal_days = legal_limit
    task.legal_due_on = legal_due(task, calendar)
    case.events.append(Event("legal_limit_recorded", case.state, case.state,
                             f"法定办理期限{legal_limit}个工作日，至{task.legal_due_on}", task.item))


def _tasks(case: Case, now: datetime, today: date, calendar: WorkCalendar, rules: GradeRules) -> None:
    """Warnings (预警) and overdue flags (黄牌) follow the promised date; passing the legal date is
    the graver flag (红牌), which an approved extension postpones and the promised one never.
    Staying yellow for ``rules.red_after_yellow_days`` working days is a red card too."""
    for task in list(case.tasks):
        if task.state != TaskState.IN_REVIEW or task.due_on is None:
            continue
        item = case.thing.items[task.item]
        if not task.legal_days and task.started_on:
            _record_legal_limit(case, task, item.legal_limit, calendar)
        if today > task.due_on:
            # An approved extension (§42) lawfully gives the department until the extended date.
            extended = task.extension_state == "approved" and task.legal_due_on and today <= task.legal_due_on
            if item.tacit_approval and not extended:
                case.approve(task.item, now, calendar, note="超过办理期限未作决定，依法视为准予（超时默许）")
                if case.state != State.IN_REVIEW:
                    return
                continue
            if not task.overdue:
                task.overdue = True
                case.events.append(Event("overdue", case.state, case.state, f"已超过承诺办理期限 {task.due_on}", task.item))
        elif not task.warned:
            left = calendar.working_days_between(today, task.due_on)
            if left <= item.warning.threshold(task.limit_days):
                task.warned = True
                case.events.append(Event("warned", case.state, case.state,
                                         f"距承诺办理期限（{task.due_on}）还剩{left}个工作日", task.item))
        if task.legal_due_on is not None and today > task.legal_due_on and not task.legal_overdue:
            task.legal_overdue = True
            case.events.append(Event("legal_overdue", case.state, case.state,
                                     f"已超过法定办理期限 {task.legal_due_on}", task.item))
        if (task.overdue and not task.legal_overdue and not task.red_card
                and calendar.working_days_between(task.due_on, today) >= rules.red_after_yellow_days):
            task.red_card = True
            case.events.append(Event("red_card", case.state, case.state,
                                     f"黄牌持续{rules.red_after_yellow_days}个工作日（承诺期限 {task.due_on}），升为红牌",
                                     task.item))
