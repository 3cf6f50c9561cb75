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
    APPLICANT_PAUSES, APPLICANT_WAIT, CORRECTION, EXCLUDED_PERIODS, IllegalTransition, State, TaskState, next_state,
)

INTAKE_LIMIT = 5  # 行政许可法 §32: decide on intake within 5 working days, else it counts as accepted
FOLLOW_UP_DAYS = 15  # a bad rating is followed up and closed within 15 working days
RATINGS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}  # GB/T 39734
RATEABLE = frozenset({State.RESULTS_READY, State.DELIVERED, State.COLLECTED, State.CLOSED})


class CaseRuleError(ValueError):
    """A request the rules refuse; ``code`` is stable, the message is for people."""

    def __init__(self, code: str, message: str, **details):
        self.code, self.details = code, details
        super().__init__(message)


class OwedOutstanding(CaseRuleError):
    """Results cannot go out while a deferred material is owed (neither received nor waived)."""

    def __init__(self, materials: list[str], names: list[str] | None = None):
        super().__init__("owed_materials_outstanding",
                         f"容缺材料尚未补齐：{'、'.join(names or materials)}。须补交，或经督查人员说明理由免于补交后，才能出件。",
                         materials=materials)
        self.materials = materials


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
    problems: list[str] = field(default_factory=list)  # 审查中补正: what the reviewer asked for
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
    waived_by: str | None = None  # a supervisor let the results go out without it, for waived_reason
    waived_reason: str = ""
    waived_on: date | None = None

    @property
    def outstanding(self) -> bool:
        return not self.received and self.waived_by is None


@dataclass
class Case:
    thing: Thing
    state: State = State.DRAFT
    tasks: list[Task] = field(default_factory=list)
    owed: list[Owed] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    intake_due_on: date | None = None
    submitted_on: date | None = None  # the day the intake clock started (the last submission)
    expected_on: date | None = None  # the completion date the applicant was last given (schedule.py)
    suspended_since: date | None = None
    blacklisted: bool = False
    events: list[Event] = field(default_factory=list)
    notices: list[tuple[str, dict]] = field(default_factory=list)

    # -- the applicant's moves ---------------------------------------------------------------
    def submit(self, now: datetime, calendar: WorkCalendar) -> None:
        self._move("submit")
        self.submitted_on = local_date(now)
        self.intake_due_on = calendar.add_working_days(self.submitted_on, INTAKE_LIMIT)
        self._say_if_provisional(calendar, self.intake_due_on, "受理期限")

    def resubmit(self, now: datetime, calendar: WorkCalendar) -> None:
        # The intake clock starts again from the day the corrections arrive.
        self._move("resubmit")
        self.problems = []
        self.submitted_on = local_date(now)
        self.intake_due_on = calendar.add_working_days(self.submitted_on, INTAKE_LIMIT)
        self._say_if_provisional(calendar, self.intake_due_on, "受理期限")

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
        problems = _problem_list(problems)
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
        self._settle()

    def reject(self, item: str, reason: str) -> None:
        """One refusal does not sink the case: only the later stages that need this result end."""
        if not reason.strip():
            raise CaseRuleError("reason_required", "不予许可须说明理由。")
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
        problems = _problem_list(problems)
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
            raise CaseRuleError("not_returned", "该事项没有退回补正，无需重新提交。")
        days = self._resume_task(task, today, calendar)  # the applicant's time does not count
        task.problems = []
        self.events.append(Event("resubmit_item", self.state, self.state,
                                 f"已补正，暂停{days}个工作日，办理期限顺延至{task.due_on.isoformat()}", item))
        if self.suspended_since:  # still waiting on an overdue deferred material: the clock stays stopped
            self._pause_task(task, APPLICANT_WAIT, today)

    def pause(self, item: str, kind: str, today: date, note: str = "") -> None:
        if kind not in EXCLUDED_PERIODS:
            raise CaseRuleError("bad_pause_kind", "只有听证、现场核查、检验检测、专家评审的时间不计入办理期限。")
        task = self._reviewable(item)
        self._pause_task(task, kind, today)
        self.events.append(Event("pause_item", self.state, self.state, f"{EXCLUDED_PERIODS[kind]}：{note}".rstrip("："), item))

    def resume(self, item: str, today: date, calendar: WorkCalendar) -> None:
        task = self.task(item)
        if task.state != TaskState.PAUSED or task.pause_kind in APPLICANT_PAUSES:
            raise CaseRuleError("not_paused", "该事项没有处于可由审批人员结束的暂停计时中。")
        days = self._resume_task(task, today, calendar)
        self.events.append(Event("resume_item", self.state, self.state,
                                 f"暂停{days}个工作日，办理期限顺延至{task.due_on.isoformat()}", item))

    # -- results --------------------------------------------------------------------------
    def results_ready(self) -> None:
        self._check_owed()
        self._move("results_ready")
        self.notices.append(("results_ready", {}))

    def hand_over(self, how: str, note: str = "") -> None:
        """``how`` is "collect" (at the window) or "deliver" (by post, confirmed by the recipient)."""
        self._check_owed()
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
        owed = self._owed(material)
        owed.received = True
        self.events.append(Event("owed_received", self.state, self.state, material))
        self._owed_settled(today, calendar)

    def waive_owed(self, material: str, by: str, reason: str, today: date, calendar: WorkCalendar) -> None:
        """A supervisor lets the results go out without an owed material, saying why."""
        if not reason.strip():
            raise CaseRuleError("reason_required", "免于补交容缺材料须说明理由。")
        owed = self._owed(material)
        owed.waived_by, owed.waived_reason, owed.waived_on = by, reason.strip(), today
        self.events.append(Event("owed_waived", self.state, self.state, f"{material}：{reason.strip()}"))
        self.notices.append(("owed_waived", {"material": material, "reason": reason.strip()}))
        self._owed_settled(today, calendar)

    def outstanding_owed(self) -> list[str]:
        return [o.material for o in self.owed if o.outstanding]

    def _check_owed(self) -> None:
        if missing := self.outstanding_owed():
            raise OwedOutstanding(missing)

    def _owed(self, material: str) -> Owed:
        owed = next((o for o in self.owed if o.material == material and o.outstanding), None)
        if owed is None:
            raise CaseRuleError("not_owed", "本件没有待补交的这项材料。")
        return owed

    def _owed_settled(self, today: date, calendar: WorkCalendar) -> None:
        if self.suspended_since and not any(o.outstanding and o.due_on < today for o in self.owed):
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


def _problem_list(problems: list[str]) -> list[str]:
    """Correction is one complete list (at intake and during review alike): at least one problem."""
    problems = [p.strip() for p in problems if isinstance(p, str) and p.strip()]
    if not problems:
        raise CaseRuleError("problems_required", "退回补正须一次性列明全部问题。")
    return problems


def _stages_needing(thing: Thing, stage: str) -> set[str]:
    """The stages that wait, directly or through others, for ``stage``'s results."""
    needing: set[str] = set()
    for later in thing.stages:  # in dependency order: one pass finds the transitive ones
        if any(dep == stage or dep in needing for dep in later.after):
            needing.add(later.code)
    return needing


def legal_due(task: Task, calendar: WorkCalendar) -> date | None:
    """The legal due date: the item's legal limit from the start, moved by the paused days and an
    approved extension. None for a task recorded before legal limits were tracked."""
    if not task.legal_days or task.started_on is None:
        return None
    return calendar.add_working_days(task.started_on, task.legal_days + task.paused_days + task.extension_days)
