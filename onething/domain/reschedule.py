"""Recomputing a case's due dates when the calendar they were counted over changes.

A provisional year (no official holiday schedule yet) is replaced by the State Council's
notice once it is imported; every date counted over it is counted again from the same start
with the same number of working days. Each moved date is an audit event, and the applicant
is told when the date they were given moved.
"""

from __future__ import annotations

from datetime import date

from .calendar import WorkCalendar
from .case import INTAKE_LIMIT, Case, Event, legal_due
from .schedule import expected_completion
from .states import State, TaskState


def expected_date(case: Case, today: date, calendar: WorkCalendar) -> date | None:
    """The date the applicant is given: the intake decision before acceptance, the end of review after."""
    if case.state == State.SUBMITTED:
        return case.intake_due_on
    return expected_completion(case, today, calendar)


def reschedule(case: Case, calendar: WorkCalendar, why: str, today: date) -> bool:
    """Count every open deadline again over ``calendar``; return whether anything changed (an open
    deadline, or the expected date of stages not yet started)."""
    before = case.intake_due_on if case.state == State.SUBMITTED else case.expected_on
    moved = False
    if case.state == State.SUBMITTED and case.submitted_on and case.intake_due_on:
        due = calendar.add_working_days(case.submitted_on, INTAKE_LIMIT)
        if due != case.intake_due_on:
            case.events.append(Event("deadline_moved", case.state, case.state,
                                     f"受理期限由{case.intake_due_on}调整为{due}（{why}）"))
            case.intake_due_on, moved = due, True
    for task in case.tasks:
        if task.state not in (TaskState.IN_REVIEW, TaskState.PAUSED) or not task.started_on or not task.due_on:
            continue
        legal = legal_due(task, calendar)
        if legal != task.legal_due_on:
            case.events.append(Event("deadline_moved", case.state, case.state,
                                     f"法定期限由{task.legal_due_on}调整为{legal}（{why}）", task.item))
            if legal and task.legal_due_on and legal > task.legal_due_on:
                task.legal_overdue = False
            task.legal_due_on, moved = legal, True
        due = calendar.add_working_days(task.started_on, task.limit_days + task.paused_days)
        if due == task.due_on:
            continue
        case.events.append(Event("deadline_moved", case.state, case.state,
                                 f"办理期限由{task.due_on}调整为{due}（{why}）", task.item))
        if due > task.due_on:  # the flags were raised against the old date; the clock raises them again
            task.warned = task.overdue = task.red_card = False
        task.due_on, moved = due, True
    after = expected_date(case, today, calendar)
    if after and before and after != before:
        moved = True
        if case.state != State.SUBMITTED:
            case.expected_on = after  # as the save will store it: told once
        case.notices.append(("deadline_moved", {
            "before": before.isoformat(), "after": after.isoformat(), "why": why,
            "provisional": calendar.is_provisional(after), "intake": case.state == State.SUBMITTED,
        }))
    return moved
