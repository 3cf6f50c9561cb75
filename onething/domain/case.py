"""A case (办件) and the rules of its life: one window in, parallel review behind, the law's clock.

The case records what happened as events (for the audit trail) and notices for the applicant
(for the outbox); the service that saves it writes both in the same transaction. Here: the
applicant's moves, the window's intake decision, deferred materials, results and the rating;
the departments' review is ``review.py``, what a case is made of ``records.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from .calendar import WorkCalendar, local_date
from .catalog import Thing
from .records import CaseRuleError, Event, Owed, OwedOutstanding, Task, legal_due, problem_list
from .review import Review
from .states import APPLICANT_WAIT, State, TaskState, next_state

__all__ = ["Case", "CaseRuleError", "Event", "Owed", "OwedOutstanding", "Task", "legal_due", "INTAKE_LIMIT"]

INTAKE_LIMIT = 5  # 行政许可法 §32: decide on intake within 5 working days, else it counts as accepted
FOLLOW_UP_DAYS = 15  # a bad rating is followed up and closed within 15 working days
RATINGS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}  # GB/T 39734
RATEABLE = frozenset({State.RESULTS_READY, State.DELIVERED, State.COLLECTED, State.CLOSED})


@dataclass
class Case(Review):
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
        # the applicant hears at once that it arrived, and by when the window decides
        self.notices.append(("received", {"intake_due_on": self.intake_due_on.isoformat(),
                                          "provisional": calendar.is_provisional(self.intake_due_on)}))

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
            raise CaseRuleError("deferral_not_allowed")
        deferrable = self.thing.required_materials()
        for material, due_on in owed.items():
            if not deferrable.get(material, False):
                raise CaseRuleError("not_deferrable", material=material)
            if due_on <= local_date(now):
                raise CaseRuleError("bad_due_date")
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
        problems = problem_list(problems)
        self._move("return", note="；".join(problems))
        self.problems = problems
        self.notices.append(("returned", {"problems": problems}))

    def refuse(self, reason: str) -> None:
        if not reason.strip():
            raise CaseRuleError("reason_required", action="refuse")
        self._move("refuse", note=reason)
        self.notices.append(("refused", {"reason": reason}))

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
            raise CaseRuleError("not_rateable")
        if score not in RATINGS:
            raise CaseRuleError("bad_score")
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
            raise CaseRuleError("reason_required", action="waive_owed")
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
            raise CaseRuleError("not_owed")
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
