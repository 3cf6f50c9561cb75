"""The monthly issue ledger (问题台账月报), per service manager or per department, as rows and CSV.

A month is read in Asia/Shanghai time, up to its end or up to now if it is the current one
(the "cut-off"); everything is rebuilt from the issues' trails, so a past month's figures do
not change when issues move on later. For each issue active at some moment of the month:

- ``opened``: opened during the month;
- ``open``: not closed at the cut-off (opened before it, still or again open);
- ``closed``: closed (销号) at least once during the month;
- ``overdue``: past a deadline during the month: escalated during it, closed during it after
  its deadline, or still open at the cut-off with its deadline passed;
- ``escalated``: escalated at least once during the month.

An issue counts once per figure. It belongs to the department it names, and to the manager
assigned to its project at the cut-off (from the assignment history); none: "未指定".
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Mapping

from tortoise.expressions import Q

from onething.domain.calendar import SHANGHAI, local_date
from onething.domain.issues import ACTIVE
from onething.services.staff import StaffSession
from storage.models import Issue, IssueEvent, ManagerAssignment, StaffUser

FIGURES = ("opened", "open", "closed", "overdue", "escalated")
HEADERS = {"manager": ("月份", "项目服务经理", "用户名"), "department": ("月份", "部门", "部门代码")}
FIGURE_NAMES = ("新增", "未销号", "已销号", "逾期", "升级")
UNASSIGNED = "未指定"


@dataclass
class Row:
    key: str | None  # a manager's username or a department code; None: no manager
    name: str
    opened: int = 0
    open: int = 0
    closed: int = 0
    overdue: int = 0
    escalated: int = 0


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = datetime(year, month, 1, tzinfo=SHANGHAI)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=SHANGHAI)
    return start, end


async def monthly(session: StaffSession, year: int, month: int, by: str, now: datetime,
                  departments: Mapping[str, str]) -> list[Row]:
    start, end = month_bounds(year, month)
    cutoff = min(end, now + timedelta(microseconds=1))  # up to the end of the month, or up to and including now
    if cutoff <= start:
        return [Row(session.username, session.username)] if session.role == "manager" and by == "manager" else []
    candidates = await Issue.filter(Q(opened_at__lt=cutoff), Q(Q(state__in=list(ACTIVE)), Q(updated_at__gte=start),
                                                               join_type="OR"))
    if session.role == "reviewer":
        candidates = [i for i in candidates if i.department == session.department]
    managers = await _managers_at(list({i.project_id for i in candidates}), cutoff)
    if session.role == "manager":
        candidates = [i for i in candidates if managers.get(i.project_id) == session.id]
    events = defaultdict(list)
    for event in await IssueEvent.filter(issue_id__in=[i.id for i in candidates], at__lt=cutoff).order_by("at", "id"):
        events[event.issue_id].append(event)
    names = {u.id: u for u in await StaffUser.filter(id__in=[m for m in managers.values() if m])}
    rows: dict[str | None, Row] = {}
    if session.role == "manager" and by == "manager":
        rows[session.username] = Row(session.username, names[session.id].display_name if session.id in names
                                     else session.username)
    cutoff_day = local_date(cutoff - timedelta(microseconds=1))  # the month's last day, or today
    for issue in candidates:
        figures = _figures(events[issue.id], start, cutoff_day)
        if not any(figures.values()):
            continue
        if by == "department":
            key, name = issue.department, departments.get(issue.department, issue.department)
        else:
            user = names.get(managers.get(issue.project_id))
            key, name = (user.username, user.display_name or user.username) if user else (None, UNASSIGNED)
        row = rows.setdefault(key, Row(key, name))
        for figure, count in figures.items():
            setattr(row, figure, getattr(row, figure) + count)
    return sorted(rows.values(), key=lambda r: (r.key is None, r.key or ""))


def _figures(events: list[IssueEvent], start: datetime, cutoff_day: date) -> dict[str, int]:
    """One issue's contribution, from its trail up to the cut-off."""
    if not events:
        return dict.fromkeys(FIGURES, 0)
    during = [e for e in events if e.at >= start]
    last = events[-1]
    still_open = last.to_state != "closed"
    escalated = any(e.action == "escalate" for e in during)
    closed_late = any(e.action == "close" and local_date(e.at) > e.due_on for e in during)
    return {
        "opened": int(any(e.action == "open" for e in during)),
        "open": int(still_open),
        "closed": int(any(e.action == "close" for e in during)),
        "overdue": int(escalated or closed_late or (still_open and cutoff_day > last.due_on)),
        "escalated": int(escalated),
    }


async def _managers_at(project_ids: list[int], cutoff: datetime) -> dict[int, int | None]:
    """Project id -> the manager assigned to it at the cut-off (None: nobody)."""
    managers: dict[int, int | None] = {}
    for row in await ManagerAssignment.filter(subject="project", subject_id__in=project_ids, at__lt=cutoff) \
            .order_by("at", "id"):
        managers[row.subject_id] = row.manager_id  # later rows replace earlier ones
    return managers


def row_json(row: Row) -> dict:
    return asdict(row)


def to_csv(rows: list[Row], month: str, by: str) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads the Chinese right), CRLF, quoted where needed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*HEADERS[by], *FIGURE_NAMES])
    for row in rows:
        writer.writerow([month, _cell(row.name), _cell(row.key or ""), *(getattr(row, f) for f in FIGURES)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value: str) -> str:
    # A name starting like a formula must not run as one when the file is opened in a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
