"""The issue ledger (问题台账, 对号销号): ``/staff/api/v1/projects/{id}/issues`` and ``/issues``.

Managers, supervisors and admins open and work issues; a reviewer reads their department's;
clerks and couriers are refused. An issue this person may not see does not exist for them.
What the ledger's rules refuse (409 when the issue's state is in the way, 422 for what was
sent) is raised by the domain and answered by the error middleware.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web

from onething.domain.calendar import local_date
from onething.domain.issues import IssueState
from onething.keys import issues_key
from onething.services import issue_ledger
from onething.services.issues import IssueDesk
from onething.services.manager_views import ISSUE, ISSUE_DETAIL
from onething.services.presenters import issue_json
from onething.web.http import json_response
from onething.web.routes import Route
from onething.web.schemas import DATE, enum, items_of, obj, text
from onething.web.validation import body, query
from .session import actor, staff

WORK = ("manager", "supervisor", "admin")
READ = (*WORK, "reviewer")
STATES = ("active", "all", *(s.value for s in IssueState))


def _desk(request: web.Request) -> IssueDesk:
    return request.config_dict[issues_key]


def _items(request: web.Request, rows) -> web.Response:
    desk = _desk(request)
    today = local_date(desk.clock())
    return json_response({"items": [issue_json(desk, r, today) for r in rows]})


async def issues(request: web.Request) -> web.Response:
    """Every issue this person may see, the most urgent first (``?state=active`` by default)."""
    session = staff(request, *READ)
    asked = query(request)
    return _items(request, await issue_ledger.visible_issues(_desk(request), session, state=asked["state"],
                                                             department=asked.get("department")))


async def project_issues(request: web.Request) -> web.Response:
    session = staff(request, *WORK)
    rows = await issue_ledger.project_issues(session, int(request.match_info["id"]),
                                             state=query(request)["state"])
    if rows is None:
        raise web.HTTPNotFound()
    return _items(request, rows)


async def open_issue(request: web.Request) -> web.Response:
    session = staff(request, *WORK)
    sent = body(request)
    row = await issue_ledger.open_on_project(
        _desk(request), session, int(request.match_info["id"]), actor(session).name, title=sent["title"],
        department=sent["department"], requested_by=date.fromisoformat(sent["requested_by"]),
        detail=sent.get("detail", ""))
    if row is None:
        raise web.HTTPNotFound()
    return await _detail(request, row.id)


async def get_issue(request: web.Request) -> web.Response:
    return await _detail(request, int(request.match_info["id"]))


async def _detail(request: web.Request, issue_id: int) -> web.Response:
    session = staff(request, *READ)
    desk = _desk(request)
    found = await issue_ledger.with_trail(desk, session, issue_id)
    if found is None:
        raise web.HTTPNotFound()
    row, events = found
    return json_response({**issue_json(desk, row, local_date(desk.clock())),
                          "events": [issue_ledger.event_json(desk, e) for e in events]})


def _action(name: str):
    async def handler(request: web.Request) -> web.Response:
        session = staff(request, *WORK)
        field = issue_ledger.ACTIONS[name]
        issue_id = int(request.match_info["id"])
        row = await issue_ledger.act(_desk(request), session, issue_id, name, actor(session),
                                     body(request).get(field, "") if field else "")
        if row is None:
            raise web.HTTPNotFound()
        return await _detail(request, issue_id)
    handler.__name__ = name
    return handler


LIST_QUERY = {"state": enum(STATES, "状态", default="active")}
# the blank checks are the ledger's own rule (resolution_required...), so the texts may be empty here
NOTE = text(4000, "说明")
ROUTES = [
    Route("GET", "/issues", issues, "问题台账：本人可见的问题", roles=READ,
          query={**LIST_QUERY, "department": text(64, "部门")}, response=items_of(ISSUE)),
    Route("GET", "/issues/{id}", get_issue, "问题详情及全部处理记录", roles=READ, response=ISSUE_DETAIL),
    Route("GET", "/projects/{id}/issues", project_issues, "项目的问题清单", roles=WORK, query=LIST_QUERY,
          response=items_of(ISSUE)),
    Route("POST", "/projects/{id}/issues", open_issue, "登记项目遇到的问题（对号销号）", obj({
        "title": text(200, "问题"), "department": text(64, "负责部门"), "requested_by": {**DATE, "title": "期望解决日期"},
        "detail": text(4000, "详细说明")}, required=("title", "department", "requested_by")),
        roles=WORK, response=ISSUE_DETAIL),
    Route("POST", "/issues/{id}/start", _action("start"), "开始办理", obj({}), roles=WORK, response=ISSUE_DETAIL),
    Route("POST", "/issues/{id}/close", _action("close"), "办结销号（须写明解决结果）",
          obj({"resolution": {**NOTE, "title": "解决结果"}}), roles=WORK, response=ISSUE_DETAIL),
    Route("POST", "/issues/{id}/reopen", _action("reopen"), "重新打开（须说明原因）",
          obj({"reason": {**NOTE, "title": "原因"}}), roles=WORK, response=ISSUE_DETAIL),
]
