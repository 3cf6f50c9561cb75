"""The issue ledger (问题台账, 对号销号): ``/staff/api/v1/projects/{id}/issues`` and ``/issues``.

Managers, supervisors and admins open and work issues; a reviewer reads their department's;
clerks and couriers are refused. An issue this person may not see does not exist for them.
"""

from __future__ import annotations

from aiohttp import web

from onething.domain.calendar import CalendarError, local_date
from onething.domain.issues import ACTIVE, IssueRuleError, IssueState
from onething.keys import issues_key, templates_key, workflow_key
from onething.services import manager_messages, projects
from onething.services.issues import ConcurrentIssueUpdate, IssueDesk
from onething.services.presenters import issue_json
from onething.web.errors import ApiError
from onething.web.routes import Route
from onething.web.http import int_id, iso_date, json_response, read_json, text
from .session import actor, staff
from storage.models import Issue, IssueEvent, Project

WORK = ("manager", "supervisor", "admin")
READ = (*WORK, "reviewer")
CONFLICTS = {"already_closed", "not_closed", "not_startable"}


def _urgency(row: Issue) -> tuple:
    return (row.state not in ACTIVE, row.due_on, row.id)  # open ones first, nearest (or longest past) deadline first


async def _list(request: web.Request, query) -> web.Response:
    desk = request.config_dict[issues_key]
    state = request.query.get("state", "active")
    if state == "active":
        query = query.filter(state__in=list(ACTIVE))
    elif state in {s.value for s in IssueState}:
        query = query.filter(state=state)
    elif state != "all":
        raise ApiError("invalid_state", "state 应为 active、all、open、in_progress、closed 或 reopened。", status=422)
    rows = sorted(await query.limit(1000), key=_urgency)
    today = local_date(desk.clock())
    return json_response({"items": [issue_json(desk, r, today) for r in rows]})


async def issues(request: web.Request) -> web.Response:
    """Every issue this person may see, the most urgent first (``?state=active`` by default)."""
    session = staff(request, *READ)
    query = request.config_dict[issues_key].visible(session)
    if request.query.get("department"):
        query = query.filter(department=request.query["department"])
    return await _list(request, query)


async def project_issues(request: web.Request) -> web.Response:
    session = staff(request, *WORK)
    if await projects.find(session, int_id(request)) is None:
        raise web.HTTPNotFound()
    return await _list(request, Issue.filter(project_id=int_id(request)))


async def open_issue(request: web.Request) -> web.Response:
    session = staff(request, *WORK)
    project = await projects.find(session, int_id(request))
    if project is None:
        raise web.HTTPNotFound()
    body = await read_json(request)
    desk: IssueDesk = request.config_dict[issues_key]
    row = await _rule(desk.open_issue(
        project.id, opened_by=actor(session).name, role=session.role, title=text(body, "title", max_length=200),
        department=text(body, "department", max_length=64), requested_by=iso_date(body.get("requested_by"),
                                                                                 "requested_by"),
        detail=text(body, "detail", required=False, max_length=4000)))
    return await _detail(request, row.id)


async def get_issue(request: web.Request) -> web.Response:
    return await _detail(request, int_id(request))


async def _detail(request: web.Request, issue_id: int) -> web.Response:
    session = staff(request, *READ)
    desk: IssueDesk = request.config_dict[issues_key]
    row = await desk.visible(session).get_or_none(id=issue_id)
    if row is None:
        raise web.HTTPNotFound()
    body = issue_json(desk, row, local_date(desk.clock()))
    body["events"] = [
        {"action": e.action, "actor": e.actor, "role": e.role, "from_state": e.from_state, "to_state": e.to_state,
         "level": desk.ladder[e.level].name, "due_on": e.due_on.isoformat(), "note": e.note, "at": e.at.isoformat()}
        for e in await IssueEvent.filter(issue_id=row.id).order_by("at", "id")]
    return json_response(body)


async def _rule(coroutine):
    try:
        return await coroutine
    except IssueRuleError as exc:
        raise ApiError(exc.code, str(exc), status=409 if exc.code in CONFLICTS else 422) from None
    except ConcurrentIssueUpdate:
        raise ApiError("conflict", "该问题刚被他人处理，请刷新后重试。", status=409) from None
    except CalendarError:
        raise ApiError("calendar_missing", "工作日历尚未更新，暂时无法计算办理期限，请联系系统管理员。", status=503) from None


def _action(name: str, field: str | None):
    async def handler(request: web.Request) -> web.Response:
        session = staff(request, *WORK)
        desk: IssueDesk = request.config_dict[issues_key]
        if not await desk.visible(session).filter(id=int_id(request)).exists():
            raise web.HTTPNotFound()
        body = await read_json(request)
        note = text(body, field, required=False, max_length=4000) if field else ""
        call = getattr(desk, name)
        row = await _rule(call(int_id(request), actor(session), note) if field else call(int_id(request), actor(session)))
        if name == "close":
            await _tell_the_enterprise(request, row, session)
        return await _detail(request, int_id(request))
    return handler


async def _tell_the_enterprise(request: web.Request, row: Issue, session) -> None:
    """An issue an enterprise contact raised is closed: they hear the resolution on WeChat."""
    if not row.opened_by.startswith("contact:"):
        return
    project = await Project.get(id=row.project_id)
    message = request.config_dict[templates_key].get_template("issue_closed.txt.j2").render(issue=row, project=project)
    await manager_messages.post(project.enterprise_id, f"staff:{session.username}", "text", message,
                                request.config_dict[workflow_key].clock(),
                                contact_ids=[int(row.opened_by.split(":", 1)[1])])


STRING = {"type": "string"}
ROUTES = [
    Route("GET", "/issues", issues, "问题台账：本人可见的问题"),
    Route("GET", "/issues/{id}", get_issue, "问题详情及全部处理记录"),
    Route("GET", "/projects/{id}/issues", project_issues, "项目的问题清单"),
    Route("POST", "/projects/{id}/issues", open_issue, "登记项目遇到的问题（对号销号）", {
        "type": "object", "required": ["title", "department", "requested_by"], "properties": {
            "title": STRING, "department": STRING, "requested_by": {"type": "string", "format": "date"},
            "detail": STRING}}),
    Route("POST", "/issues/{id}/start", _action("start", None), "开始办理"),
    Route("POST", "/issues/{id}/close", _action("close", "resolution"), "办结销号（须写明解决结果）", {
        "type": "object", "required": ["resolution"], "properties": {"resolution": STRING}}),
    Route("POST", "/issues/{id}/reopen", _action("reopen", "reason"), "重新打开（须说明原因）", {
        "type": "object", "required": ["reason"], "properties": {"reason": STRING}}),
]
