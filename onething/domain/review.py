"""The departments' review of a case (后台审批): parallel stages, decisions item by item, the
law's pauses and 审查中补正. A part of ``Case`` (``case.py``), kept in its own module so that each
reads in one sitting; it works on the case's own fields.
"""

from __future__ import annotations

from datetime import date, datetime

from .calendar import WorkCalendar, local_date
from .catalog import Thing
from .records import CaseRuleError, Event, Task, legal_due, problem_list
from .states import (
    APPLICANT_PAUSES, APPLICANT_WAIT, CORRECTION, EXCLUDED_PERIODS, IllegalTransition, State, TaskState,
)


class Review:
    def task(self, item: str) -> Task:
        for task in self.tasks:
            if task.item == item:
                return task
        raise CaseRuleError("unknown_task", item=item)

    def approve(self, item: str, now: datetime, calendar: WorkCalendar, result_number: str = "",
                note: str = "") -> None:
        task = self._reviewable(item)
        task.state, task.result_number, task.note = TaskState.APPROVED, result_number, note
        self.events.append(Event("approve_item", self.state, self.state, note, item))
        self.notices.append(("item_approved", {"item": item, "result_number": result_number}))
        today = local_date(now)
        done = {t.stage for t in self.tasks} - {t.stage for t in self.tasks if t.state != TaskState.APPROVED}
        for stage in self.thing.stages:
            waiting = any(t.state == TaskState.WAITING for t in self.tasks if t.stage == stage.code)
            if waiting and all(dep in done for dep in stage.after):
                self._start_stage(stage.code, today, calendar)
        self._settle()

    def reject(self, item: str, reason: str) -> None:
        """One refusal does not sink the case: only the later stages that need this result end."""
        if not reason.strip():
            raise CaseRuleError("reason_required", action="reject")
        task = self._reviewable(item)
        task.state, task.note = TaskState.REJECTED, reason
        self.events.append(Event("reject_item", self.state, self.state, reason, item))
        after = _stages_needing(self.thing, task.stage)
        cancelled = [t for t in self.tasks if t.stage in after and t.state in _UNDECIDED]
        for other in cancelled:
            other.state = TaskState.CANCELLED
            other.note = f"所需的前序事项“{self.thing.items[item].name}”未通过，本事项终止办理"
            self.events.append(Event("cancel_item", self.state, self.state, other.note, other.item))
        goes_on = any(t.state in _UNDECIDED for t in self.tasks)
        self.notices.append(("rejected", {"item": item, "reason": reason, "cancelled": [t.item for t in cancelled],
                                          "goes_on": goes_on}))
        self._settle(note=reason, item=item)

    def _settle(self, note: str = "", item: str | None = None) -> None:
        """Once no item is open or waiting: all approved, partly approved, or rejected."""
        if self.state != State.IN_REVIEW or any(t.state in _UNDECIDED for t in self.tasks):
            return
        approved = [t.item for t in self.tasks if t.state == TaskState.APPROVED]
        rejected = [t.item for t in self.tasks if t.state == TaskState.REJECTED]
        if not rejected:
            self._move("approve")
            self.notices.append(("approved", {}))
        elif approved:
            names = "、".join(self.thing.items[code].name for code in rejected)
            self._move("partly_approve", note=f"未通过：{names}")
            self.notices.append(("partly_approved", {"approved": approved, "rejected": rejected}))
        else:
            self._move("reject", note=note, item=item)

    # -- 审查中补正: a reviewer returns their own item; its clock waits for the applicant ---------
    def return_item(self, item: str, problems: list[str], today: date) -> None:
        problems = problem_list(problems)
        task = self._reviewable(item)
        self._pause_task(task, CORRECTION, today)
        task.problems = problems
        self.events.append(Event("return_item", self.state, self.state, "；".join(problems), item))
        self.notices.append(("item_returned", {"item": item, "problems": problems}))

    def resubmit_item(self, item: str, today: date, calendar: WorkCalendar) -> None:
        if self.state != State.IN_REVIEW:
            raise IllegalTransition(self.state, "resubmit_item")
        task = self.task(item)
        if task.state != TaskState.PAUSED or task.pause_kind != CORRECTION:
            raise CaseRuleError("not_returned")
        days = self._resume_task(task, today, calendar)  # the applicant's time does not count
        task.problems = []
        self.events.append(Event("resubmit_item", self.state, self.state,
                                 f"已补正，暂停{days}个工作日，办理期限顺延至{task.due_on.isoformat()}", item))
        if self.suspended_since:  # still waiting on an overdue deferred material: the clock stays stopped
            self._pause_task(task, APPLICANT_WAIT, today)

    def pause(self, item: str, kind: str, today: date, note: str = "") -> None:
        if kind not in EXCLUDED_PERIODS:
            raise CaseRuleError("bad_pause_kind", kinds=list(EXCLUDED_PERIODS.values()))
        task = self._reviewable(item)
        self._pause_task(task, kind, today)
        self.events.append(Event("pause_item", self.state, self.state, f"{EXCLUDED_PERIODS[kind]}：{note}".rstrip("："), item))

    def resume(self, item: str, today: date, calendar: WorkCalendar) -> None:
        task = self.task(item)
        if task.state != TaskState.PAUSED or task.pause_kind in APPLICANT_PAUSES:
            raise CaseRuleError("not_paused")
        days = self._resume_task(task, today, calendar)
        self.events.append(Event("resume_item", self.state, self.state,
                                 f"暂停{days}个工作日，办理期限顺延至{task.due_on.isoformat()}", item))

    def _reviewable(self, item: str) -> Task:
        if self.state != State.IN_REVIEW:
            raise IllegalTransition(self.state, "review")
        task = self.task(item)
        if task.state == TaskState.PAUSED:
            raise CaseRuleError("task_paused")
        if task.state != TaskState.IN_REVIEW:
            raise CaseRuleError("task_not_in_review")
        return task

    def _start_stage(self, stage: str, today: date, calendar: WorkCalendar) -> None:
        for task in self.tasks:
            if task.stage == stage and task.state == TaskState.WAITING:
                task.state, task.started_on = TaskState.IN_REVIEW, today
                task.due_on = calendar.add_working_days(today, task.limit_days)
                self._say_if_provisional(calendar, task.due_on, "办理期限", task.item)
                task.legal_due_on = legal_due(task, calendar)
                if self.suspended_since:
                    self._pause_task(task, APPLICANT_WAIT, today)

    def _say_if_provisional(self, calendar: WorkCalendar, due: date, what: str, item: str | None = None) -> None:
        # The timeline says why a date may still move: its year's holiday schedule is not out yet.
        if calendar.is_provisional(due):
            self.events.append(Event("provisional_deadline", self.state, self.state,
                                     f"{what}{due}为预计：{due.year}年国务院放假安排尚未公布，"
                                     "按法定节假日计算，公布后重新计算", item))

    @staticmethod
    def _pause_task(task: Task, kind: str, today: date) -> None:
        task.state, task.pause_kind, task.paused_since = TaskState.PAUSED, kind, today

    @staticmethod
    def _resume_task(task: Task, today: date, calendar: WorkCalendar) -> int:
        days = calendar.working_days_between(task.paused_since, today)
        task.paused_days += days
        task.due_on = calendar.add_working_days(task.started_on, task.limit_days + task.paused_days)
        task.legal_due_on = legal_due(task, calendar)
        task.state, task.pause_kind, task.paused_since = TaskState.IN_REVIEW, None, None
        return days


_UNDECIDED = (TaskState.WAITING, TaskState.IN_REVIEW, TaskState.PAUSED)


def _stages_needing(thing: Thing, stage: str) -> set[str]:
    """The stages that wait, directly or through others, for ``stage``'s results."""
    needing: set[str] = set()
    for later in thing.stages:  # in dependency order: one pass finds the transitive ones
        if any(dep == stage or dep in needing for dep in later.after):
            needing.add(later.code)
    return needing
