"""The ledger as people read and work it: the issues one may see (the most urgent first), one issue
with its trail, an action on it, and an enterprise contact's side (their projects, and raising an
issue on one).

What a person may not see does not exist for them: these answer None, and the entrypoints 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from onething.domain.issues import ACTIVE
from onething.services import manager_messages, projects
from onething.services.issues import IssueDesk
from onething.services.staff import StaffSession
from storage.models import EnterpriseContact, Issue, IssueEvent, Project

LIMIT = 1000
ACTIONS = {"start": None, "close": "resolution", "reopen": "reason"}  # action: the note it needs


def _urgency(row: Issue) -> tuple:
    return (row.state not in ACTIVE, row.due_on, row.id)  # open ones first, nearest (or longest past) deadline first


def _in_state(query, state: str):
    """``active`` (open, in progress, reopened), ``all``, or one state."""
    if state == "active":
        return query.filter(state__in=list(ACTIVE))
    return query if state == "all" else query.filter(state=state)


async def visible_issues(desk: IssueDesk, session: StaffSession, *, state: str = "active",
                         department: str | None = None) -> list[Issue]:
    query = desk.visible(session)
    if department:
        query = query.filter(department=department)
    return sorted(await _in_state(query, state).limit(LIMIT), key=_urgency)


async def project_issues(session: StaffSession, project_id: int, *, state: str = "active") -> list[Issue] | None:
    if await projects.find(session, project_id) is None:
        return None
    return sorted(await _in_state(Issue.filter(project_id=project_id), state).limit(LIMIT), key=_urgency)


async def with_trail(desk: IssueDesk, session: StaffSession, issue_id: int) -> tuple[Issue, list[IssueEvent]] | None:
    row = await desk.visible(session).get_or_none(id=issue_id)
    if row is None:
        return None
    return row, await IssueEvent.filter(issue_id=row.id).order_by("at", "id")


def event_json(desk: IssueDesk, event: IssueEvent) -> dict[str, Any]:
    return {"action": event.action, "actor": event.actor, "role": event.role, "from_state": event.from_state,
            "to_state": event.to_state, "level": desk.ladder[event.level].name, "due_on": event.due_on.isoformat(),
            "note": event.note, "at": event.at.isoformat()}


async def open_on_project(desk: IssueDesk, session: StaffSession, project_id: int, actor: str, *, title: str,
                          department: str, requested_by: date, detail: str = "") -> Issue | None:
    project = await projects.find(session, project_id)
    if project is None:
        return None
    return await desk.open_issue(project.id, opened_by=actor, role=session.role, title=title, department=department,
                                 requested_by=requested_by, detail=detail)


async def act(desk: IssueDesk, session: StaffSession, issue_id: int, action: str, actor, note: str = "") -> Issue | None:
    """Start, close (with the resolution) or reopen (with the reason) an issue this person may see.
    An issue an enterprise contact raised is closed: they hear the resolution on WeChat."""
    if not await desk.visible(session).filter(id=issue_id).exists():
        return None
    call = getattr(desk, action)
    row = await (call(issue_id, actor, note) if ACTIONS[action] else call(issue_id, actor))
    if action == "close" and row.opened_by.startswith("contact:"):
        project = await Project.get(id=row.project_id)
        message = desk.templates.get_template("issue_closed.txt.j2").render(issue=row, project=project)
        await manager_messages.post(project.enterprise_id, actor.name, "text", message, desk.clock(),
                                    contact_ids=[int(row.opened_by.split(":", 1)[1])])
    return row


# -- an enterprise contact's side -----------------------------------------------------------------
async def _contact_ids(citizen_id: int) -> dict[int, int]:
    """{enterprise id: contact id} of the enterprises the citizen is a confirmed contact of."""
    contacts = await EnterpriseContact.filter(citizen_id=citizen_id, verified=True)
    return {c.enterprise_id: c.id for c in contacts}


async def contact_projects(citizen_id: int) -> list[tuple[Project, list[Issue]]]:
    """The projects of the citizen's enterprises, each with its issues, newest first."""
    enterprises = await _contact_ids(citizen_id)
    rows = await Project.filter(enterprise_id__in=list(enterprises)).order_by("id").prefetch_related("enterprise")
    issues = await Issue.filter(project_id__in=[p.id for p in rows]).order_by("-id")
    return [(p, [i for i in issues if i.project_id == p.id]) for p in rows]


async def open_as_contact(desk: IssueDesk, citizen_id: int, project_id: int, *, title: str, department: str,
                          requested_by: date, detail: str = "") -> Issue | None:
    enterprises = await _contact_ids(citizen_id)
    project = await Project.get_or_none(id=project_id, enterprise_id__in=list(enterprises))
    if project is None:
        return None
    return await desk.open_issue(project.id, opened_by=f"contact:{enterprises[project.enterprise_id]}",
                                 role="enterprise", title=title, department=department, requested_by=requested_by,
                                 detail=detail)
