"""Projects of an enterprise and their service managers: who may see what, creating, reassigning.

Visibility is one rule applied everywhere: supervisors and admins see every project; a
manager sees the projects they manage now; nobody else sees projects. What a person may not
see does not exist for them (the entrypoints answer 404, never 403, for another's ids).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import jinja2
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from onething.domain.issues import ACTIVE
from onething.domain.refusals import Refused
from onething.domain.projects import LEVELS, STAGES
from onething.services import staff_inbox
from onething.services.staff import StaffSession
from storage.models import Enterprise, Issue, ManagerAssignment, Project, StaffUser

SEE_ALL = ("supervisor", "admin")


class ProjectError(Refused):
    """A project change refused as asked (its words: the message catalogue, by code)."""

    status = 422

    def __init__(self, code: str, field: str | None = None, **details: Any):
        super().__init__(code, details={"field": field, **details} if field else details)
        self.field = field


class EnterpriseNotFound(ProjectError):
    status = 404


def visible(session: StaffSession):
    query = Project.all()
    return query if session.role in SEE_ALL else query.filter(manager_id=session.id)


async def find(session: StaffSession, project_id: int) -> Project | None:
    return await visible(session).filter(id=project_id).select_related("enterprise", "manager").first()


async def listing(session: StaffSession, today: date, enterprise_id: int | None = None) -> list[dict[str, Any]]:
    """The projects this person sees (of one enterprise if given), the most urgent first."""
    query = visible(session)
    if enterprise_id is not None:
        query = query.filter(enterprise_id=enterprise_id)
    rows = await query.select_related("enterprise", "manager").order_by("id").limit(1000)
    figures = await issue_figures([p.id for p in rows], today)
    rows.sort(key=lambda p: urgency(p, figures[p.id]))
    return [project_json(p, figures[p.id]) for p in rows]


async def view(session: StaffSession, project_id: int, today: date) -> dict[str, Any] | None:
    """One project with its issue figures and who has managed it; None if this person may not see it."""
    project = await find(session, project_id)
    if project is None:
        return None
    figures = await issue_figures([project.id], today)
    return {**project_json(project, figures[project.id]), "managers": await history(project.id)}


async def manager_named(username: str | None) -> StaffUser | None:
    if username is None:
        return None
    user = await StaffUser.get_or_none(username=username, active=True)
    if user is None or user.role != "manager":
        raise ProjectError("not_a_manager", "manager", username=username)
    return user


async def create(session: StaffSession, templates: jinja2.Environment, now: datetime, *, enterprise_id: int,
                 name: str, level: str, stage: str, manager: str | None) -> Project:
    """(level and stage as the route declares them: one of LEVELS, STAGES)"""
    enterprise = await Enterprise.get_or_none(id=enterprise_id)
    if enterprise is None or (session.role == "manager" and enterprise.manager_id != session.id):
        raise EnterpriseNotFound("enterprise_not_found")
    if session.role == "manager":
        if manager not in (None, session.username):
            raise ProjectError("forbidden_assignment", "manager")
        assignee = await StaffUser.get(id=session.id)
    else:
        assignee = await manager_named(manager) if manager else (
            await StaffUser.get_or_none(id=enterprise.manager_id) if enterprise.manager_id else None)
    async with in_transaction() as conn:
        project = await Project.create(enterprise=enterprise, name=name.strip(), level=level, stage=stage, manager=assignee,
                                       using_db=conn)
        if assignee is not None:
            await _assigned(templates, project, enterprise, assignee, session, now, "登记项目", conn)
    return project


async def reassign(session: StaffSession, templates: jinja2.Environment, project_id: int, username: str | None,
                   note: str, now: datetime) -> Project | None:
    """None when this person may not see the project."""
    project = await find(session, project_id)
    if project is None:
        return None
    assignee = await manager_named(username.strip() if username is not None else None)
    note = note.strip()
    async with in_transaction() as conn:
        await Project.filter(id=project.id).using_db(conn).update(manager_id=assignee.id if assignee else None,
                                                                  updated_at=now)
        if assignee is None:
            await ManagerAssignment.create(subject="project", subject_id=project.id, manager=None,
                                           assigned_by=f"staff:{session.username}",
                                           note=note, at=now, using_db=conn)
        else:
            await _assigned(templates, project, project.enterprise, assignee, session, now, note, conn)
    return project


async def _assigned(templates, project: Project, enterprise: Enterprise, assignee: StaffUser,
                    session: StaffSession, now: datetime, note: str, conn) -> None:
    """The assignment's history row and, for someone other than the assigner, a notice."""
    await ManagerAssignment.create(subject="project", subject_id=project.id, manager=assignee,
                                   assigned_by=f"staff:{session.username}", note=note, at=now, using_db=conn)
    if assignee.id != session.id:
        await staff_inbox.post(templates, "project_assigned", {
            "project": {"name": project.name, "level_name": LEVELS[project.level]},
            "enterprise": {"name": enterprise.name}, "assigned_by": session.username, "note": note,
        }, now, conn, staff_id=assignee.id, payload={"project_id": project.id})


async def set_stage(session: StaffSession, project_id: int, stage: str) -> bool:
    """(stage: one of STAGES, as the route declares it) False when this person may not see the project."""
    return bool(await visible(session).filter(id=project_id).update(stage=stage))


async def history(project_id: int) -> list[dict[str, Any]]:
    rows = await ManagerAssignment.filter(subject="project", subject_id=project_id).order_by("at", "id") \
        .select_related("manager")
    return [{"manager": _person(r.manager), "assigned_by": r.assigned_by, "note": r.note, "at": r.at.isoformat()}
            for r in rows]


async def issue_figures(project_ids: list[int], today: date) -> dict[int, dict[str, Any]]:
    """Per project: active issues, how many are overdue, and the nearest deadline."""
    figures = {pid: {"active": 0, "overdue": 0, "next_due_on": None} for pid in project_ids}
    rows = await Issue.filter(Q(project_id__in=project_ids), Q(state__in=list(ACTIVE))).values("project_id", "due_on")
    for row in rows:
        entry = figures[row["project_id"]]
        entry["active"] += 1
        entry["overdue"] += row["due_on"] < today
        if entry["next_due_on"] is None or row["due_on"] < entry["next_due_on"]:
            entry["next_due_on"] = row["due_on"]
    return figures


def urgency(project: Project, figures: dict[str, Any]) -> tuple:
    """Most overdue issues first, then the nearest deadline, then projects without open issues."""
    due = figures["next_due_on"]
    return (-figures["overdue"], due is None, due or date.max, project.id)


def project_json(project: Project, figures: dict[str, Any]) -> dict[str, Any]:
    due = figures["next_due_on"]
    return {
        "id": project.id, "name": project.name, "level": project.level, "level_name": LEVELS[project.level],
        "stage": project.stage, "stage_name": STAGES[project.stage],
        "enterprise": {"id": project.enterprise.id, "name": project.enterprise.name,
                       "credit_code": project.enterprise.credit_code},
        "manager": _person(project.manager),
        "issues": {**figures, "next_due_on": due.isoformat() if due else None},
        "created_at": project.created_at.isoformat(),
    }


def _person(user: StaffUser | None) -> dict[str, str] | None:
    return {"username": user.username, "display_name": user.display_name} if user else None
