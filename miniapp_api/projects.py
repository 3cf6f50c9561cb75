"""An enterprise's own side of the issue ledger: its projects, and opening an issue on one.

Only a confirmed contact of the enterprise (bound by the manager's code, or confirmed by the
manager) sees its projects; anyone else gets 404 for every project id. What the ledger's rules
refuse is raised by the domain with its status and answered by the error middleware, in the
same words as in the back office.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web

from onething.domain.calendar import local_date
from onething.keys import issues_key
from onething.services import issue_ledger
from onething.services.manager_views import CONTACT_PROJECT, ISSUE, items_of
from onething.services.presenters import issue_json
from onething.web.http import json_response
from onething.web.routes import Route
from onething.web.schemas import DATE, obj, text
from onething.web.validation import body

from .auth import current_citizen


async def mine(request: web.Request) -> web.Response:
    citizen = await current_citizen(request)
    desk = request.config_dict[issues_key]
    today = local_date(desk.clock())
    return json_response({"items": [
        {"id": p.id, "name": p.name, "level": p.level, "stage": p.stage, "enterprise": p.enterprise.name,
         "issues": [issue_json(desk, i, today) for i in issues]}
        for p, issues in await issue_ledger.contact_projects(citizen.id)
    ], "departments": desk.departments})


async def open_issue(request: web.Request) -> web.Response:
    citizen = await current_citizen(request)
    desk = request.config_dict[issues_key]
    sent = body(request)
    issue = await issue_ledger.open_as_contact(
        desk, citizen.id, int(request.match_info["id"]), title=sent["title"], department=sent["department"],
        requested_by=date.fromisoformat(sent["requested_by"]), detail=sent.get("detail", ""))
    if issue is None:
        raise web.HTTPNotFound()
    return json_response(issue_json(desk, issue, local_date(desk.clock())), status=201)


ISSUE_BODY = obj({"title": text(200, "问题"), "department": text(64, "负责部门"),
                  "requested_by": {**DATE, "title": "期望解决日期"}, "detail": text(4000, "详细说明")},
                 required=("title", "department", "requested_by"))
ROUTES = [
    Route("GET", "/me/projects", mine, "本企业的项目及其问题（限已确认的企业联系人）",
          response=items_of(CONTACT_PROJECT, departments={"type": "object", "additionalProperties": {"type": "string"}})),
    Route("POST", "/me/projects/{id}/issues", open_issue, "企业反映项目遇到的问题，由项目服务经理跟踪销号", ISSUE_BODY,
          response=ISSUE, status=201, responses={"201": "已登记"}),
]
