"""Projects and their service managers (``/staff/api/v1/projects``).

A manager sees and works the projects they manage; supervisors and admins see all and
(re)assign managers. Another manager's project does not exist for a manager: 404, not 403.
"""

from __future__ import annotations

from aiohttp import web

from onething.domain.calendar import local_date
from onething.keys import templates_key, workflow_key
from onething.services import projects
from onething.services.projects import ProjectError
from onething.web.errors import ApiError
from onething.web.routes import Route
from onething.web.http import int_id, json_response, read_json, text
from .session import staff

WORK = ("manager", "supervisor", "admin")


def _now(request: web.Request):
    return request.config_dict[workflow_key].clock()


async def _project(request: web.Request, *roles: str):
    session = staff(request, *roles)
    project = await projects.find(session, int_id(request))
    if project is None:
        raise web.HTTPNotFound()
    return session, project


async def _detail(request: web.Request, project_id: int) -> web.Response:
    session = staff(request, *WORK)
    project = await projects.find(session, project_id)
    if project is None:
        raise web.HTTPNotFound()
    figures = await projects.issue_figures([project.id], local_date(_now(request)))
    body = projects.project_json(project, figures[project.id])
    body["managers"] = await projects.history(project.id)
    return json_response(body)


def _error(exc: ProjectError) -> ApiError:
    return ApiError(exc.code, str(exc), status=422, details={"field": exc.field} if exc.field else {})


async def list_projects(request: web.Request) -> web.Response:
    """Mine (a manager) or all (supervisors, admins), the most urgent first."""
    session = staff(request, *WORK)
    query = projects.visible(session)
    if request.query.get("enterprise", "").isdigit():
        query = query.filter(enterprise_id=int(request.query["enterprise"]))
    rows = await query.select_related("enterprise", "manager").order_by("id").limit(1000)
    figures = await projects.issue_figures([p.id for p in rows], local_date(_now(request)))
    rows.sort(key=lambda p: projects.urgency(p, figures[p.id]))
    return json_response({"items": [projects.project_json(p, figures[p.id]) for p in rows]})


async def create_project(request: web.Request) -> web.Response:
    session = staff(request, *WORK)
    body = await read_json(request)
    enterprise_id = body.get("enterprise_id")
    if not isinstance(enterprise_id, int) or isinstance(enterprise_id, bool):
        raise ApiError("invalid_field", "enterprise_id 应为企业编号。", status=422, details={"field": "enterprise_id"})
    manager = body.get("manager")
    if manager is not None and not isinstance(manager, str):
        raise ApiError("invalid_field", "manager 应为项目服务经理的用户名。", status=422, details={"field": "manager"})
    try:
        project = await projects.create(
            session, request.config_dict[templates_key], _now(request), enterprise_id=enterprise_id,
            name=text(body, "name", max_length=128), level=text(body, "level", max_length=16),
            stage=text(body, "stage", max_length=16), manager=manager)
    except ProjectError as exc:
        raise _error(exc) from None
    if project is None:
        raise ApiError("enterprise_not_found", "没有找到该企业。", status=404)
    return await _detail(request, project.id)


async def get_project(request: web.Request) -> web.Response:
    return await _detail(request, int_id(request))


async def update_project(request: web.Request) -> web.Response:
    """The project's stage (前期谋划 → ... → 投产运营) as it moves on."""
    _, project = await _project(request, *WORK)
    body = await read_json(request)
    try:
        await projects.set_stage(project, text(body, "stage", max_length=16))
    except ProjectError as exc:
        raise _error(exc) from None
    return await _detail(request, project.id)


async def assign_manager(request: web.Request) -> web.Response:
    """Hand the project to another manager (or to none: ``null``); the history is kept."""
    session, project = await _project(request, "supervisor", "admin")
    body = await read_json(request)
    if "manager" not in body or not (body["manager"] is None or isinstance(body["manager"], str)):
        raise ApiError("invalid_field", "manager 应为项目服务经理的用户名（或 null 表示暂不指定）。", status=422,
                       details={"field": "manager"})
    try:
        await projects.reassign(session, request.config_dict[templates_key], project, body["manager"],
                                text(body, "note", required=False, max_length=500), _now(request))
    except ProjectError as exc:
        raise _error(exc) from None
    return await _detail(request, project.id)


STRING = {"type": "string"}
ROUTES = [
    Route("GET", "/projects", list_projects, "项目列表（经理：仅本人负责的）"),
    Route("POST", "/projects", create_project, "登记企业的项目（省、市、县重点项目）", {
        "type": "object", "required": ["enterprise_id", "name", "level", "stage"], "properties": {
            "enterprise_id": {"type": "integer"}, "name": STRING, "level": {"enum": ["provincial", "city", "county"]},
            "stage": STRING, "manager": STRING}}),
    Route("GET", "/projects/{id}", get_project, "项目详情"),
    Route("PATCH", "/projects/{id}", update_project, "更新项目阶段", {
        "type": "object", "required": ["stage"], "properties": {"stage": STRING}}),
    Route("PUT", "/projects/{id}/manager", assign_manager, "指定或更换项目服务经理（保留历史）", {
        "type": "object", "required": ["manager"], "properties": {"manager": STRING, "note": STRING}}),
]
