"""A case (办件) and the rules of its life: one window in, parallel review behind, the law's clock.

The case records what happened as events (for the audit trail) and notices for the applicant
(for the outbox); the service that saves it writes both in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from .calendar import WorkCalendar, local_date
from .catalog import Thing
from .states import (
    APPLICANT_WAIT, EXCLUDED_PERIODS, IllegalTransition, State, TaskState, next_state,
)

INTAKE_LIMIT = 5  # 行政许可法 §32: decide on intake within 5 working days, else it counts as accepted
FOLLOW_UP_DAYS = 15  # a bad rating is followed up and closed within 15 working days
RATINGS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}  # GB/T 39734
RATEABLE = frozenset({State.RESULTS_READY, State.DELIVERED, State.COLLECTED, State.CLOSED})


class CaseRuleError(ValueError):
    """A request the rules refuse; ``code`` is stable, the message is for people."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


@dataclass
class Event:
    action: str
    from_state: State
    to_state: State
    note: str = ""
    item: str | None = None


@dataclass
class Task:
    item: str
    department: str
    stage: str
    limit_days: int
    state: TaskState = TaskState.WAITING
    started_on: date | None = None
    due_on: date | None = None
    paused_days: int = 0
    pause_kind: str | None = None
    paused_since: date | None = None
    warned: bool = False
    overdue: bool = False
    result_number: str = ""
    note: str = ""
    # The legal limit (法定时限) runs beside the promised one (due_on): moved by the same paused
    # days, and by an approved extension (onething.domain.extensions), which never moves due_on.
    legal_days: int = 0
    legal_due_on: date | None = None
    legal_overdue: bool = False
    extension_state: str | None = None  # pending | approved | refused
    extension_reason: str = ""
    extension_note: str = ""  # the supervisor's note on the decision
    extension_days: int = 0  # granted
    id: int | None = None

    @property
    def open(self) -> bool:
        return self.state in (TaskState.IN_REVIEW, TaskState.PAUSED)


@dataclass
class Owed:
    """A deferred material (容缺) owed after acceptance."""

    material: str
    due_on: date
    received: bool = False
    reminded_on: date | None = None


@dataclass
class Case:
    thing: Thing
    state: State = State.DRAFT
    tasks: list[Task] = field(default_factory=list)
    owed: list[Owed] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    intake_due_on: date | None = None
    suspended_since: date | None = None
    blacklisted: bool = False
    events: list[Event] = field(default_factory=list)
    notices: list[tuple[str, dict]] = field(default_factory=list)

    # -- the applicant's moves ---------------------------------------------------------------
    def submit(self, now: datetime, calendar: WorkCalendar) -> None:
        self._move("submit")
        self.intake_due_on = calendar.add_working_days(local_date(now), INTAKE_LIMIT)

    def resubmit(self, now: datetime, calendar: WorkCalendar) -> None:
        # The intake clock starts again from the day the corrections arrive.
        self._move("resubmit")
        self.problems = []
        self.intake_due_on = calendar.add_working_days(local_date(now), INTAKE_LIMIT)

    def withdraw(self, reason: str = "") -> None:
        self._move("withdraw", note=reason)

    # -- the window's intake decision -------------------------------------------------------
    def accept(self, now: datetime, calendar: WorkCalendar, owed: dict[str, date] | None = None,
               note: str = "") -> None:
        owed = owed or {}
        if owed and self.blacklisted:
            raise CaseRuleError("deferral_not_allowed", "申请人在信用黑名单内，不适用容缺受理，须补齐全部材料。")
        deferrable = self.thing.required_materials()
        for material, due_on in owed.items():
            if not deferrable.get(material, False):
                raise CaseRuleError("not_deferrable", f"材料 {material} 不属于可容缺后补的材料。")
            if due_on <= local_date(now):
                raise CaseRuleError("bad_due_date", "容缺材料的补交期限须晚于受理当日。")
        self._move("accept", note=note)
        self.owed = [Owed(material, due_on) for material, due_on in sorted(owed.items())]
        self._move("start_review")
        self.tasks = [
            Task(item=item.code, department=item.department, stage=self.thing.stage_of(item.code).code,
                 limit_days=item.promised_limit, legal_days=item.legal_limit)
            for stage in self.thing.stages for item in (self.thing.items[c] for c in stage.items)
        ]
        for stage in self.thing.first_stages():
            self._start_stage(stage.code, local_date(now), calendar)
        self.notices.append(("accepted", {"owed": [o.material for o in self.owed]}))

    def return_for_correction(self, problems: list[str]) -> None:
        problems = [p.strip() for p in problems if p and p.strip()]
        if not problems:
            raise CaseRuleError("problems_required", "退回补正须一次性列明全部问题。")
        self._move("return", note="；".join(problems))
        self.problems = problems
        self.notices.append(("returned", {"problems": problems}))

    def refuse(self, reason: str) -> None:
        if not reason.strip():
            raise CaseRuleError("reason_required", "不予受理须说明理由。")
        self._move("refuse", note=reason)
        self.notices.append(("refused", {"reason": reason}))

    # -- the departments' review ------------------------------------------------------------
    def task(self, item: str) -> Task:
        for task in self.tasks:
            if task.item == item:
                return task
        raise CaseRuleError("unknown_task", f"本件没有事项 {item}。")

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
        if all(t.state == TaskState.APPROVED for t in self.tasks):
            self._move("approve")
            self.notices.append(("approved", {}))

    def reject(self, item: str, reason: str) -> None:
        if not reason.strip():
            raise CaseRuleError("reason_required", "不予许可须说明理由。")
        task = self._reviewable(item)
        task.state, task.note = TaskState.REJECTED, reason
        self.events.append(Event("reject_item", self.state, self.state, reason, item))
        for other in self.tasks:
            if other.state in (TaskState.WAITING, TaskState.IN_REVIEW, TaskState.PAUSED):
                other.state = TaskState.CANCELLED
        self._move("reject", note=reason, item=item)
        self.notices.append(("rejected", {"item": item, "reason": reason}))

    def pause(self, item: str, kind: str, today: date, note: str = "") -> None:
        if kind not in EXCLUDED_PERIODS:
            raise CaseRuleError("bad_pause_kind", "只有听证、现场核查、检验检测、专家评审的时间不计入办理期限。")
        task = self._reviewable(item)
        self._pause_task(task, kind, today)
        self.events.append(Event("pause_item", self.state, self.state, f"{EXCLUDED_PERIODS[kind]}：{note}".rstrip("："), item))

    def resume(self, item: str, today: date, calendar: WorkCalendar) -> None:
        task = self.task(item)
        if task.state != TaskState.PAUSED or task.pause_kind == APPLICANT_WAIT:
            raise CaseRuleError("not_paused", "该事项没有处于可由审批人员结束的暂停计时中。")
        days = self._resume_task(task, today, calendar)
        self.events.append(Event("resume_item", self.state, self.state,
                                 f"暂停{days}个工作日，办理期限顺延至{task.due_on.isoformat()}", item))

    # -- results --------------------------------------------------------------------------
    def results_ready(self) -> None:
        self._move("results_ready")
        self.notices.append(("results_ready", {}))

    def hand_over(self, how: str, note: str = "") -> None:
        """``how`` is "collect" (at the window) or "deliver" (by post, confirmed by the recipient)."""
        self._move(how, note=note)
        self._move("close")
        self.notices.append(("closed", {"how": how}))
        if how == "deliver":
            # Nobody is at a window to ask for the rating (一次一评): the invitation goes with the parcel.
            self.notices.append(("rate_invitation", {}))

    def close(self, note: str = "") -> None:
        self._move("close", note=note)

    # -- the rating (好差评) ----------------------------------------------------------------
    def evaluate(self, score: int, today: date, calendar: WorkCalendar) -> date | None:
        """Record the one rating; a bad one (1-2) returns the follow-up due date."""
        if self.state not in RATEABLE:
            raise CaseRuleError("not_rateable", "办件出结果后才能评价。")
        if score not in RATINGS:
            raise CaseRuleError("bad_score", "评价须为 1 到 5 分。")
        self.events.append(Event("evaluate", self.state, self.state, f"{score}分（{RATINGS[score]}）"))
        if score <= 2:
            self.notices.append(("bad_rating", {"score": score}))
            return calendar.add_working_days(today, FOLLOW_UP_DAYS)
        return None

    # -- the clock (run by the deadline job) ------------------------------------------------
    def receive_owed(self, material: str, today: date, calendar: WorkCalendar) -> None:
        owed = next((o for o in self.owed if o.material == material and not o.received), None)
        if owed is None:
            raise CaseRuleError("not_owed", "本件没有待补交的这项材料。")
        owed.received = True
        self.events.append(Event("owed_received", self.state, self.state, material))
        if self.suspended_since and not any(not o.received and o.due_on < today for o in self.owed):
            for task in self.tasks:
                if task.state == TaskState.PAUSED and task.pause_kind == APPLICANT_WAIT:
                    self._resume_task(task, today, calendar)
            self.suspended_since = None
            self.events.append(Event("resumed", self.state, self.state, "容缺材料已补齐，恢复计时"))

    def _move(self, action: str, note: str = "", item: str | None = None) -> None:
        before = self.state
        self.state = next_state(self.state, action)
        self.events.append(Event(action, before, self.state, note, item))

    def _reviewable(self, item: str) -> Task:
        if self.state != State.IN_REVIEW:
            raise IllegalTransition(self.state, "review")
        task = self.task(item)
        if task.state == TaskState.PAUSED:
            raise CaseRuleError("task_paused", "该事项处于暂停计时中，请先结束暂停。")
        if task.state != TaskState.IN_REVIEW:
            raise CaseRuleError("task_not_in_review", "该事项当前不在审批中。")
        return task

    def _start_stage(self, stage: str, today: date, calendar: WorkCalendar) -> None:
        for task in self.tasks:
            if task.stage == stage and task.state == TaskState.WAITING:
                task.state, task.started_on = TaskState.IN_REVIEW, today
                task.due_on = calendar.add_working_days(today, task.limit_days)
                task.legal_due_on = legal_due(task, calendar)
                if self.suspended_since:
                    self._pause_task(task, APPLICANT_WAIT, today)

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


def legal_due(task: Task, calendar: WorkCalendar) -> date | None:
    """The legal due date: the item's legal limit from the start, moved by the paused days and an
    approved extension. None for a task recorded before legal limits were tracked."""
    if not task.legal_days or task.started_on is None:
        return None
    return calendar.add_working_days(task.started_on, task.legal_days + task.paused_days + task.extension_days)
