"""Projects and their service managers (``/staff/api/v1/projects``).

A manager sees and works the projects they manage; supervisors and admins see all and
(re)assign managers. Another manager's project does not exist for a manager: 404, not 403.
"""

from __future__ import annotations

from aiohttp import web

from onething.domain.calendar import local_date
from onething.domain.projects import LEVELS, STAGES
from onething.keys import templates_key, workflow_key
from onething.services import projects
from onething.services.manager_views import PROJECT, PROJECT_DETAIL
from onething.web.http import json_response
from onething.web.routes import Route
from onething.web.schemas import ID, enum, items_of, obj, required_text, text
from onething.web.validation import body, query
from .session import staff

WORK = ("manager", "supervisor", "admin")
ASSIGN = ("supervisor", "admin")


def _now(request: web.Request):
    return request.config_dict[workflow_key].clock()


def _id(request: web.Request) -> int:
    return int(request.match_info["id"])


async def _detail(request: web.Request, project_id: int) -> web.Response:
    view = await projects.view(staff(request, *WORK), project_id, local_date(_now(request)))
    if view is None:
        raise web.HTTPNotFound()
    return json_response(view)


async def list_projects(request: web.Request) -> web.Response:
    """Mine (a manager) or all (supervisors, admins), the most urgent first."""
    session = staff(request, *WORK)
    return json_response({"items": await projects.listing(session, local_date(_now(request)),
                                                          query(request).get("enterprise"))})


async def create_project(request: web.Request) -> web.Response:
    session = staff(request, *WORK)
    sent = body(request)
    project = await projects.create(
        session, request.config_dict[templates_key], _now(request), enterprise_id=sent["enterprise_id"],
        name=sent["name"], level=sent["level"], stage=sent["stage"], manager=sent.get("manager"))
    return await _detail(request, project.id)


async def get_project(request: web.Request) -> web.Response:
    return await _detail(request, _id(request))


async def update_project(request: web.Request) -> web.Response:
    """The project's stage (前期谋划 → ... → 投产运营) as it moves on."""
    if not await projects.set_stage(staff(request, *WORK), _id(request), body(request)["stage"]):
        raise web.HTTPNotFound()
    return await _detail(request, _id(request))


async def assign_manager(request: web.Request) -> web.Response:
    """Hand the project to another manager (or to none: ``null``); the history is kept."""
    sent = body(request)
    project = await projects.reassign(staff(request, *ASSIGN), request.config_dict[templates_key], _id(request),
                                      sent["manager"], sent.get("note", ""), _now(request))
    if project is None:
        raise web.HTTPNotFound()
    return await _detail(request, project.id)


USERNAME = text(64, "项目服务经理")
STAGE = enum(STAGES, "项目阶段")
ROUTES = [
    Route("GET", "/projects", list_projects, "项目列表（经理：仅本人负责的）", roles=WORK,
          query={"enterprise": {**ID, "title": "企业编号"}}, response=items_of(PROJECT)),
    Route("POST", "/projects", create_project, "登记企业的项目（省、市、县重点项目）", obj({
        "enterprise_id": {**ID, "title": "企业编号"}, "name": required_text(128, "项目名称"),
        "level": enum(LEVELS, "项目级别"), "stage": STAGE, "manager": {**USERNAME, "type": ["string", "null"]}},
        required=("enterprise_id", "name", "level", "stage")), roles=WORK, response=PROJECT_DETAIL),
    Route("GET", "/projects/{id}", get_project, "项目详情", roles=WORK, response=PROJECT_DETAIL),
    Route("PATCH", "/projects/{id}", update_project, "更新项目阶段", obj({"stage": STAGE}, required=("stage",)),
          roles=WORK, response=PROJECT_DETAIL),
    Route("PUT", "/projects/{id}/manager", assign_manager, "指定或更换项目服务经理（保留历史）；null 表示暂不指定", obj({
        "manager": {**USERNAME, "type": ["string", "null"]}, "note": text(500, "说明")}, required=("manager",)),
        roles=ASSIGN, response=PROJECT_DETAIL),
]
