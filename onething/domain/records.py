"""What a case (办件) is made of, and the refusals of its rules: kept apart so that the case and
its review can share them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .calendar import WorkCalendar
from .refusals import Refused
from .states import State, TaskState


class CaseRuleError(Refused):
    """A request the rules refuse: ``code`` is stable, its words are the catalogue's entry
    (templates/messages/rules.yaml), written from ``details``."""

    status = 422

    def __init__(self, code: str, **details):
        super().__init__(code, details=details)


class OwedOutstanding(CaseRuleError):
    """Results cannot go out while a deferred material is owed (neither received nor waived)."""

    def __init__(self, materials: list[str], names: list[str] | None = None):
        super().__init__("owed_materials_outstanding", materials=materials, names=names or materials)
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
    red_card: bool = False  # 红牌 for staying yellow too long (onething.domain.grades)
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


def problem_list(problems: list[str]) -> list[str]:
    """Correction is one complete list (at intake and during review alike): at least one problem."""
    problems = [p.strip() for p in problems if isinstance(p, str) and p.strip()]
    if not problems:
        raise CaseRuleError("problems_required")
    return problems


def legal_due(task: Task, calendar: WorkCalendar) -> date | None:
    """The legal due date: the item's legal limit from the start, moved by the paused days and an
    approved extension. None for a task recorded before legal limits were tracked."""
    if not task.legal_days or task.started_on is None:
        return None
    return calendar.add_working_days(task.started_on, task.legal_days + task.paused_days + task.extension_days)
