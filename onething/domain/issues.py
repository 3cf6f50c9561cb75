"""The issue ledger (问题台账, 对号销号): problems that block a project, worked, escalated, closed one by one.

An enterprise or its service manager opens an issue on a project: what blocks it, which
department must act, and the date it is wanted by. The project's manager works it first. If
it is still open when the current level's deadline has passed, it climbs one level of the
escalation ladder (service centre → county leader → county standing meeting, as configured in
``onething/data/escalation.yaml``) and the new level gets a fresh allowance of working days.
It is closed only with a resolution (销号); a closed issue may be reopened, with a reason, at
the level it was closed on and with a fresh allowance of that level.

Deadlines: the first level's deadline is the requested date itself (a calendar date; the
issue is overdue from the day after it); every later level's is the Nth working day after the
day of escalation (N = that level's ``days``), and a reopened issue gets the Nth working day
after the day it was reopened. The last level does not escalate further; it stays overdue.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Protocol

from .refusals import Refused

MAX_TITLE = 200
MAX_DAYS = 60  # no level may sit on an issue for more than about three months


class IssueState(StrEnum):
    OPEN = "open"  # raised, not yet taken up
    IN_PROGRESS = "in_progress"  # the owner is working it
    CLOSED = "closed"  # 销号: closed with a resolution
    REOPENED = "reopened"  # closed too early: back, with the reason


ACTIVE = frozenset({IssueState.OPEN, IssueState.IN_PROGRESS, IssueState.REOPENED})
STATE_NAMES = {IssueState.OPEN: "待处理", IssueState.IN_PROGRESS: "处理中", IssueState.CLOSED: "已销号",
               IssueState.REOPENED: "已重新打开"}


class IssueRuleError(Refused):
    """What was asked of the ledger is not acceptable as given (its words: the message catalogue)."""

    status = 422

    def __init__(self, code: str, **details: Any):
        super().__init__(code, details=details)


class IssueStateConflict(IssueRuleError):
    """The issue's state is in the way (closing a closed one): asking again after a refresh may do."""

    status = 409


class LadderInvalid(ValueError):
    def __init__(self, source: str, errors: list[str]):
        self.errors = errors
        super().__init__(f"{source}: the escalation ladder has errors:\n  - " + "\n  - ".join(errors))


class Calendar(Protocol):
    def add_working_days(self, start: date, days: int) -> date: ...


# -- the ladder -------------------------------------------------------------------------------

PROJECT_MANAGER = "project-manager"
_OWNER = re.compile(r"^(project-manager|role:(supervisor|manager|admin)|user:[A-Za-z0-9_.@-]{1,64})$")
_CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Level:
    code: str
    name: str  # 中文, shown to people
    owner: str  # "project-manager", "role:<role>" or "user:<username>"
    days: int  # working days a level gets when an issue reaches it (or is reopened on it)

    @property
    def owner_role(self) -> str | None:
        return self.owner[5:] if self.owner.startswith("role:") else None

    @property
    def owner_username(self) -> str | None:
        return self.owner[5:] if self.owner.startswith("user:") else None


@dataclass(frozen=True)
class Ladder:
    levels: tuple[Level, ...]

    def __len__(self) -> int:
        return len(self.levels)

    def __getitem__(self, index: int) -> Level:
        return self.levels[index]

    def next(self, index: int) -> Level | None:
        return self.levels[index + 1] if index + 1 < len(self.levels) else None


def build_ladder(raw: Any, source: str = "escalation.yaml") -> Ladder:
    """The ladder from plain data; every problem is listed, naming the file and the entry."""
    errors: list[str] = []
    entries = raw.get("levels") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not entries:
        raise LadderInvalid(source, ["`levels` must be a non-empty list"])
    levels, seen = [], set()
    for i, entry in enumerate(entries):
        where = f"levels[{i}]"
        if not isinstance(entry, dict):
            errors.append(f"{where}: must be a mapping with code, name, owner and days")
            continue
        where = f"{where} {entry.get('code', '?')}"
        code, name, owner, days = (entry.get(k) for k in ("code", "name", "owner", "days"))
        if not isinstance(code, str) or not _CODE.match(code):
            errors.append(f"{where}: code must be lower-case kebab-case")
        elif code in seen:
            errors.append(f"{where}: code appears twice")
        seen.add(code)
        if not isinstance(name, str) or not name.strip():
            errors.append(f"{where}: name is required")
        if not isinstance(owner, str) or not _OWNER.match(owner):
            errors.append(f"{where}: owner must be project-manager, role:supervisor|manager|admin or user:<username>")
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
            errors.append(f"{where}: days must be a whole number of working days from 1 to {MAX_DAYS}")
        unknown = set(entry) - {"code", "name", "owner", "days"}
        if unknown:
            errors.append(f"{where}: unknown keys {', '.join(sorted(unknown))}")
        if not errors:
            levels.append(Level(code, name.strip(), owner, days))
    if not errors and levels[0].owner != PROJECT_MANAGER:
        errors.append(f"levels[0] {levels[0].code}: the first level is the project's own manager "
                      "(owner: project-manager)")
    for i, level in enumerate(levels[1:], start=1):
        if level.owner == PROJECT_MANAGER:
            errors.append(f"levels[{i}] {level.code}: only the first level belongs to the project's manager")
    if errors:
        raise LadderInvalid(source, errors)
    return Ladder(tuple(levels))


# -- an issue and what may happen to it ---------------------------------------------------------

@dataclass(frozen=True)
class Issue:
    state: IssueState
    level: int  # index in the ladder
    due_on: date  # the current level's deadline (inclusive)
    resolution: str = ""
    reopened: int = 0  # how many times

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


@dataclass(frozen=True)
class Change:
    """What an action did: the issue after it, and what the trail records."""

    issue: Issue
    action: str
    from_state: IssueState
    note: str = ""


def open_issue(title: str, requested_by: date, today: date) -> Issue:
    if not title.strip():
        raise IssueRuleError("title_required")
    if len(title.strip()) > MAX_TITLE:
        raise IssueRuleError("title_too_long", limit=MAX_TITLE)
    if requested_by < today:
        raise IssueRuleError("requested_by_past")
    return Issue(IssueState.OPEN, 0, requested_by)


def start(issue: Issue) -> Change:
    if issue.state not in (IssueState.OPEN, IssueState.REOPENED):
        raise IssueStateConflict("not_startable", state=issue.state.value, state_name=STATE_NAMES[issue.state])
    return Change(dataclasses.replace(issue, state=IssueState.IN_PROGRESS), "start", issue.state)


def close(issue: Issue, resolution: str) -> Change:
    """销号: only with a resolution that says how the problem was solved."""
    if not issue.active:
        raise IssueStateConflict("already_closed")
    if not resolution.strip():
        raise IssueRuleError("resolution_required")
    return Change(dataclasses.replace(issue, state=IssueState.CLOSED, resolution=resolution.strip()), "close",
                  issue.state, resolution.strip())


def reopen(issue: Issue, reason: str, today: date, ladder: Ladder, calendar: Calendar) -> Change:
    """Back on the level it was closed on, with that level's fresh allowance."""
    if issue.state != IssueState.CLOSED:
        raise IssueStateConflict("not_closed")
    if not reason.strip():
        raise IssueRuleError("reason_required", action="reopen")
    due = calendar.add_working_days(today, ladder[issue.level].days)
    return Change(dataclasses.replace(issue, state=IssueState.REOPENED, resolution="", due_on=due,
                                      reopened=issue.reopened + 1), "reopen", issue.state, reason.strip())


def is_overdue(issue: Issue, today: date) -> bool:
    return issue.active and today > issue.due_on


def escalate(issue: Issue, today: date, ladder: Ladder, calendar: Calendar) -> Change | None:
    """One level up when the current level's deadline has passed; None when nothing is due."""
    following = ladder.next(issue.level)
    if following is None or not is_overdue(issue, today):
        return None
    due = calendar.add_working_days(today, following.days)
    return Change(dataclasses.replace(issue, level=issue.level + 1, due_on=due), "escalate", issue.state,
                  f"{ladder[issue.level].name} 逾期未解决，升级至 {following.name}")
