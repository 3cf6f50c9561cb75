"""An enterprise's own side of the issue ledger: its projects, and opening an issue on one.

Only a confirmed contact of the enterprise (bound by the manager's code, or confirmed by the
manager) sees its projects; anyone else gets 404 for every project id.
"""

from __future__ import annotations

from aiohttp import web

from onething.domain.calendar import local_date
from onething.domain.issues import IssueRuleError
from onething.keys import issues_key
from onething.web.errors import ApiError
from onething.web.http import int_id, iso_date, json_response, read_json, text
from onething.services.presenters import issue_json
from storage.models import EnterpriseContact, Issue, Project

from .auth import current_citizen


async def _contact_enterprises(request: web.Request) -> dict[int, int]:
    """{enterprise id: contact id} of the enterprises the citizen is a confirmed contact of."""
    citizen = await current_citizen(request)
    contacts = await EnterpriseContact.filter(citizen_id=citizen.id, verified=True)
    return {c.enterprise_id: c.id for c in contacts}


async def mine(request: web.Request) -> web.Response:
    enterprises = await _contact_enterprises(request)
    rows = await Project.filter(enterprise_id__in=list(enterprises)).order_by("id").prefetch_related("enterprise")
    desk = request.config_dict[issues_key]
    today = local_date(desk.clock())
    issues = await Issue.filter(project_id__in=[p.id for p in rows]).order_by("-id")
    return json_response({"items": [
        {"id": p.id, "name": p.name, "level": p.level, "stage": p.stage, "enterprise": p.enterprise.name,
         "issues": [issue_json(desk, i, today) for i in issues if i.project_id == p.id]}
        for p in rows
    ], "departments": desk.departments})


async def open_issue(request: web.Request) -> web.Response:
    enterprises = await _contact_enterprises(request)
    project = await Project.get_or_none(id=int_id(request), enterprise_id__in=list(enterprises))
    if project is None:
        raise web.HTTPNotFound()
    body = await read_json(request)
    desk = request.config_dict[issues_key]
    try:
        issue = await desk.open_issue(
            project.id, opened_by=f"contact:{enterprises[project.enterprise_id]}", role="enterprise",
            title=text(body, "title", max_length=200), department=text(body, "department", max_length=64),
            requested_by=iso_date(body.get("requested_by"), "requested_by"),
            detail=text(body, "detail", required=False, max_length=4000))
    except IssueRuleError as exc:
        raise ApiError(exc.code, str(exc), status=422) from None
    return json_response(issue_json(desk, issue, local_date(desk.clock())), status=201)
