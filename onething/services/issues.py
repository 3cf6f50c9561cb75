"""The issue ledger's use cases: open, start, close, reopen, and the escalation sweep.

Each change is one transaction: the issue's row (guarded by its version, so a change made on
stale state, or a second sweep running at the same moment, changes nothing), its trail event
and the notice to whoever owns it next. Who may see which issue is decided here too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Mapping

import jinja2
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from onething.domain import issues as rules
from onething.domain.calendar import CalendarError, WorkCalendar, local_date
from onething.services.calendars import CalendarBook
from onething.domain.issues import ACTIVE, PROJECT_MANAGER, Change, IssueRuleError, IssueState, Ladder
from onething.domain.refusals import Refused
from onething.services import staff_inbox, trails
from onething.services.case_store import SYSTEM, Actor, utcnow
from onething.services.staff import StaffSession
from storage.models import Issue, Project, StaffUser

log = logging.getLogger("onething.issues")
SWEEP_BATCH = 500
FALLBACK_ROLE = "supervisor"  # a level whose owner cannot be found: the service centre's shared inbox


class ConcurrentIssueUpdate(Refused):
    """Someone changed the issue first; nothing was written."""

    status = 409

    def __init__(self, issue_id: int):
        super().__init__("issue_conflict", details={"issue": issue_id})


class CalendarMissing(Refused):
    """The working-day calendar does not reach the date a deadline falls on."""

    status = 503

    def __init__(self) -> None:
        super().__init__("calendar_missing")


@dataclass
class IssueDesk:
    ladder: Ladder
    calendars: CalendarBook | WorkCalendar  # issue deadlines count working days like a case's
    templates: jinja2.Environment
    departments: Mapping[str, str]  # code -> name, from the catalog
    clock: Callable[[], datetime] = utcnow

    def __post_init__(self) -> None:
        if isinstance(self.calendars, WorkCalendar):  # a calendar given outright, never re-read
            self.calendars = CalendarBook.fixed(self.calendars)

    @property
    def calendar(self) -> WorkCalendar:
        return self.calendars.current

    # -- who sees what ------------------------------------------------------------------------
    def visible(self, session: StaffSession):
        """Supervisors and admins: all. Managers: their projects' issues. Reviewers: their
        department's. Anyone: the issues sitting at a ladder level they own."""
        query = Issue.all()
        if session.role in ("supervisor", "admin"):
            return query
        owned = [i for i, level in enumerate(self.ladder.levels)
                 if level.owner in (f"role:{session.role}", f"user:{session.username}")]
        mine = Q(project__manager_id=session.id) if session.role == "manager" else Q(
            department=session.department or "")
        return query.filter(Q(mine, Q(level__in=owned), join_type="OR") if owned else mine)

    # -- changes ------------------------------------------------------------------------------
    async def open_issue(self, project_id: int, *, opened_by: str, title: str, department: str,
                         requested_by: date, detail: str = "", role: str = "enterprise") -> Issue:
        """Raise an issue on a project. ``opened_by`` is an actor name ("staff:zhang", "contact:12"),
        ``role`` the opener's ("enterprise" for an enterprise contact). The project's manager is told."""
        if department not in self.departments:
            raise IssueRuleError("unknown_department", field="department")
        now = self.clock()
        issue = rules.open_issue(title, requested_by, local_date(now))
        project = await Project.get_or_none(id=project_id).select_related("enterprise")
        if project is None:
            raise IssueRuleError("project_not_found")
        async with in_transaction() as conn:
            row = await Issue.create(project_id=project.id, title=title.strip(), detail=detail.strip(),
                                     department=department, requested_by=requested_by, state=issue.state,
                                     level=0, level_code=self.ladder[0].code, due_on=issue.due_on,
                                     opened_by=opened_by, opened_at=now, updated_at=now, using_db=conn)
            await self._event(row, Actor(opened_by, role), Change(issue, "open", issue.state, title.strip()), now, conn)
            await self._notify(row, project, "issue_opened", 0, now, conn, {"opened_by": opened_by},
                               skip_staff=opened_by)
        return row

    async def start(self, issue_id: int, actor: Actor) -> Issue:
        return await self._apply(issue_id, actor, lambda issue, today: rules.start(issue))

    async def close(self, issue_id: int, actor: Actor, resolution: str) -> Issue:
        return await self._apply(issue_id, actor, lambda issue, today: rules.close(issue, resolution))

    async def reopen(self, issue_id: int, actor: Actor, reason: str) -> Issue:
        return await self._apply(issue_id, actor, lambda issue, today: rules.reopen(
            issue, reason, today, self.ladder, self.calendar), notice="issue_reopened")

    async def escalate_due(self) -> int:
        """Escalate every active issue whose level deadline has passed, once per level; return how many.

        Safe to run in several workers at once: each escalation is conditional on the version
        it was computed from, so the same issue climbs one level however many sweeps see it.
        """
        await self.calendars.fresh()
        now = self.clock()
        today = local_date(now)
        rows = await Issue.filter(state__in=list(ACTIVE), due_on__lt=today, level__lt=len(self.ladder) - 1) \
            .order_by("due_on", "id").limit(SWEEP_BATCH)
        escalated = 0
        for row in rows:
            try:
                change = rules.escalate(domain_of(row), today, self.ladder, self.calendar)
                if change is not None:
                    await self._save(row, change, SYSTEM, now, notice="issue_escalated")
                    escalated += 1
            except ConcurrentIssueUpdate:
                continue  # another sweep or a person got there first
            except CalendarError:
                log.error("working-day calendar does not cover this date: add the next year's schedule",
                          extra={"issue": row.id})
                break
        return escalated

    # -- plumbing ------------------------------------------------------------------------------
    async def _apply(self, issue_id: int, actor: Actor, decide, notice: str | None = None) -> Issue:
        row = await Issue.get(id=issue_id)
        await self.calendars.fresh()
        now = self.clock()
        try:
            change = decide(domain_of(row), local_date(now))
        except CalendarError:
            log.error("working-day calendar does not cover this date: add the next year's schedule")
            raise CalendarMissing() from None
        await self._save(row, change, actor, now, notice=notice)
        return await Issue.get(id=issue_id)

    async def _save(self, row: Issue, change: Change, actor: Actor, now: datetime, notice: str | None) -> None:
        issue = change.issue
        fields: dict[str, Any] = {"state": issue.state.value, "level": issue.level,
                                  "level_code": self.ladder[issue.level].code, "due_on": issue.due_on,
                                  "resolution": issue.resolution, "reopened": issue.reopened,
                                  "version": row.version + 1, "updated_at": now}
        if change.action == "close":
            fields["closed_at"] = now
        async with in_transaction() as conn:
            if not await Issue.filter(id=row.id, version=row.version).using_db(conn).update(**fields):
                raise ConcurrentIssueUpdate(row.id)
            await self._event(row, actor, change, now, conn)
            if notice:
                project = await Project.get(id=row.project_id).using_db(conn).select_related("enterprise")
                await self._notify(row, project, notice, issue.level, now, conn,
                                   {"note": change.note, "due_on": issue.due_on.isoformat(),
                                    "from_level": self.ladder[row.level].name}, skip_staff=actor.name)

    async def _event(self, row: Issue, actor: Actor, change: Change, now: datetime, conn) -> None:
        await trails.append(trails.ISSUE, row.id, [{
            "actor": actor.name, "role": actor.role, "action": change.action, "from_state": change.from_state.value,
            "to_state": change.issue.state.value, "level": change.issue.level, "due_on": change.issue.due_on,
            "note": change.note, "at": now}], conn)

    async def _notify(self, row: Issue, project: Project, kind: str, level_index: int, now: datetime, conn,
                      extra: dict[str, Any], skip_staff: str) -> None:
        """Tell the owner of a level: the project's manager, a named person, or a role's shared inbox."""
        level = self.ladder[level_index]
        staff_id, role = None, level.owner_role
        if level.owner == PROJECT_MANAGER:
            staff_id = project.manager_id
        elif level.owner_username:
            user = await StaffUser.get_or_none(username=level.owner_username, active=True).using_db(conn)
            staff_id = user.id if user else None
        if staff_id is None and role is None:
            log.warning("no owner for an issue level: the service centre is told", extra={"level": level.code})
            role = FALLBACK_ROLE
        if staff_id is not None and skip_staff == f"staff:{await _username(staff_id, conn)}":
            return  # nobody needs telling what they just did themselves
        context = {"issue": {"id": row.id, "title": row.title, "department_name": self.departments.get(
            row.department, row.department), "requested_by": row.requested_by.isoformat()},
            "project": {"name": project.name}, "enterprise": {"name": project.enterprise.name},
            "level": {"name": level.name}, **extra}
        await staff_inbox.post(self.templates, kind, context, now, conn, staff_id=staff_id,
                               role=None if staff_id is not None else role,
                               payload={"issue_id": row.id, "project_id": project.id, "level": level.code})


async def _username(staff_id: int, conn) -> str | None:
    user = await StaffUser.get_or_none(id=staff_id).using_db(conn)
    return user.username if user else None


def domain_of(row: Issue) -> rules.Issue:
    return rules.Issue(IssueState(row.state), row.level, row.due_on, row.resolution, row.reopened)
