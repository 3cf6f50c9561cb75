"""Extending an item's legal limit (行政许可法 §42): a reviewer asks, with a reason; the head
of the office (here a supervisor) approves or refuses; the applicant is told the reason.

+10 working days, or +15 for an item handled jointly (Item.extension_days). At most one
request is pending per item, and an item is extended at most once; a refused request may be
asked again. The extension moves the legal due date only: the promised date stays as it was,
so a case past its promise still shows overdue. Asking and approving must happen before the
legal limit has passed: the law extends a limit that is running, not one already missed.
"""

from __future__ import annotations

from datetime import date

from .calendar import WorkCalendar
from .case import Case, CaseRuleError, Event, Task, legal_due
from .states import IllegalTransition, State, TaskState

PENDING, APPROVED, REFUSED = "pending", "approved", "refused"
STATE_NAMES = {PENDING: "延期申请待审批", APPROVED: "已批准延期", REFUSED: "延期申请未批准"}


def request(case: Case, item: str, reason: str, today: date) -> None:
    task = _open(case, item)
    if not reason.strip():
        raise CaseRuleError("reason_required", action="request_extension")
    if task.extension_state == PENDING:
        raise CaseRuleError("extension_pending")
    if task.extension_state == APPROVED:
        raise CaseRuleError("already_extended")
    _before_legal_due(task, today)
    task.extension_state, task.extension_reason, task.extension_note = PENDING, reason.strip(), ""
    days = case.thing.items[item].extension_days
    case.events.append(Event("request_extension", case.state, case.state,
                             f"申请延长法定办理期限{days}个工作日：{task.extension_reason}", item))


def approve(case: Case, item: str, today: date, calendar: WorkCalendar, note: str = "") -> None:
    task = _pending(case, item)
    _before_legal_due(task, today)
    task.extension_state, task.extension_note = APPROVED, note.strip()
    task.extension_days = case.thing.items[item].extension_days
    task.legal_due_on = legal_due(task, calendar)
    case.events.append(Event("approve_extension", case.state, case.state,
                             f"批准延长{task.extension_days}个工作日，法定办理期限延至{task.legal_due_on.isoformat()}"
                             + (f"：{task.extension_note}" if task.extension_note else ""), item))
    # §42: the applicant is told why (the promised date is not moved, and the notice says so).
    case.notices.append(("extended", {"item": item, "reason": task.extension_reason, "days": task.extension_days,
                                      "legal_due_on": task.legal_due_on.isoformat(),
                                      "provisional": calendar.is_provisional(task.legal_due_on),
                                      "due_on": task.due_on.isoformat() if task.due_on else None}))


def refuse(case: Case, item: str, note: str) -> None:
    if not note.strip():
        raise CaseRuleError("reason_required", action="refuse_extension")
    task = _pending(case, item)
    task.extension_state, task.extension_note = REFUSED, note.strip()
    case.events.append(Event("refuse_extension", case.state, case.state, f"不予批准延期：{task.extension_note}", item))


def _open(case: Case, item: str) -> Task:
    if case.state != State.IN_REVIEW:
        raise IllegalTransition(case.state, "extend")
    task = case.task(item)
    if task.state not in (TaskState.IN_REVIEW, TaskState.PAUSED):
        raise CaseRuleError("task_not_in_review")
    if task.legal_due_on is None:
        raise CaseRuleError("no_legal_limit")
    return task


def _pending(case: Case, item: str) -> Task:
    task = _open(case, item)
    if task.extension_state != PENDING:
        raise CaseRuleError("no_pending_extension")
    return task


def _before_legal_due(task: Task, today: date) -> None:
    if today > task.legal_due_on:
        raise CaseRuleError("legal_limit_passed", legal_due_on=task.legal_due_on.isoformat())
