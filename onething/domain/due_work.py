"""When the deadline job next has work on a case: the first Shanghai day a rule of
``onething.domain.clock`` may act (intake deemed accepted, an owed material reminded or
suspended, an item warned, yellow, red, tacitly approved or overdue).

The date is stored with the case and indexed, so a sweep reads only the cases whose day has
come instead of every open case. Too early only costs a visit; too late would miss a deadline,
so where a date cannot be worked out (a year with no calendar) the answer is today.
"""

from __future__ import annotations

from datetime import date, timedelta

from .calendar import CalendarError, WorkCalendar
from .case import Case
from .clock import REMIND_DAYS_BEFORE
from .grades import GradeRules
from .states import State, TaskState

DAY = timedelta(days=1)


def next_check(case: Case, today: date, calendar: WorkCalendar, rules: GradeRules, *, ticked: bool) -> date | None:
    """The first day from ``today`` on which the clock may change ``case``; None when no rule can.

    ``ticked``: the clock has just run today, so what it left for today waits until tomorrow."""
    try:
        days = list(_candidates(case, today, calendar, rules))
    except CalendarError:
        days = [today]
    if not days:
        return None
    first = min(days)
    return max(first, today + DAY) if ticked else max(first, today)


def _candidates(case: Case, today: date, calendar: WorkCalendar, rules: GradeRules):
    if case.state == State.SUBMITTED and case.intake_due_on:
        yield case.intake_due_on + DAY
    if case.state != State.IN_REVIEW:
        return
    for owed in case.owed:
        if not owed.outstanding or case.suspended_since:
            continue
        start = max(first_day_within(owed.due_on, REMIND_DAYS_BEFORE, calendar),
                    today + DAY if owed.reminded_on == today else today)
        yield start if start <= owed.due_on else owed.due_on + DAY
    for task in case.tasks:
        if task.state != TaskState.IN_REVIEW or task.due_on is None:
            continue
        item = case.thing.items.get(task.item)
        if item is None:
            continue
        if not task.legal_days and task.started_on:
            yield today  # a legal limit to record
        if not task.overdue or item.tacit_approval:
            yield task.due_on + DAY
        if not task.warned and not task.overdue:
            yield first_day_within(task.due_on, item.warning.threshold(task.limit_days), calendar)
        if task.overdue and not task.red_card and not task.legal_overdue:
            yield calendar.add_working_days(task.due_on, rules.red_after_yellow_days)
        if task.legal_due_on is not None and not task.legal_overdue:
            yield task.legal_due_on + DAY


def first_day_within(due_on: date, days: int, calendar: WorkCalendar) -> date:
    """The first day from which at most ``days`` working days are left until ``due_on``
    (``calendar.working_days_between(day, due_on) <= days``)."""
    day, left = due_on, 0
    while True:
        left_before = left + (1 if calendar.is_working_day(day) else 0)
        if left_before > days:
            return day
        day, left = day - DAY, left_before
