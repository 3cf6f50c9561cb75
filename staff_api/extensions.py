"""Extending a legal limit (行政许可法 §42) from the back office (``/staff/api/v1``).

A reviewer asks for their own department's item; supervisors and admins (the head of the office
who approves under §42) see the pending requests and approve or refuse them. One request at a
time per item, so the request is the task's: ``/tasks/{id}/extension``.
"""

from __future__ import annotations

from aiohttp import web

from onething.domain.extensions import APPROVED, PENDING, REFUSED
from onething.keys import catalog_key, workflow_key
from onething.services import review_tasks
from onething.web.http import run_rule
from onething.web.provisional import dated_json
from onething.web.routes import Route
from onething.web.schemas import enum, items_of, obj, required_text, text
from onething.web.validation import body, query
from .session import actor, staff
from .shapes import EXTENSION_REQUEST, TASK

DECIDERS = ("supervisor", "admin")
STATES = (PENDING, APPROVED, REFUSED)


async def ask(request: web.Request) -> web.Response:
    return await _act(request, lambda flow, task, who, given: flow.request_extension(task, who, given["reason"].strip()),
                      own_department=True)


async def pending(request: web.Request) -> web.Response:
    """Requests in one state (pending by default), oldest legal due date first: the most urgent."""
    items = await review_tasks.extension_requests(request.config_dict[catalog_key], query(request)["state"])
    return dated_json(request, {"items": items})


async def approve(request: web.Request) -> web.Response:
    return await _act(request, lambda flow, task, who, given: flow.approve_extension(
        task, who, given.get("note", "").strip()), own_department=False)


async def refuse(request: web.Request) -> web.Response:
    return await _act(request, lambda flow, task, who, given: flow.refuse_extension(
        task, who, given["note"].strip()), own_department=False)


async def _act(request: web.Request, decide, *, own_department: bool) -> web.Response:
    session, flow, given = staff(request), request.config_dict[workflow_key], body(request)
    shown = await run_rule(review_tasks.act(flow, session, int(request.match_info["id"]),
                                            lambda task: decide(flow, task, actor(session), given),
                                            own_department=own_department))
    return dated_json(request, shown)


REASON = obj({"reason": required_text(1000, "延期理由")}, required=("reason",))
NOTE = obj({"note": text(1000, "审批意见")})
ROUTES = [
    Route("POST", "/tasks/{id}/extension", ask, "申请延长法定办理期限（本部门审批人员，须说明理由）", REASON,
          roles=("reviewer",), response=TASK),
    Route("GET", "/extensions", pending, "延期申请（?state=pending|approved|refused），法定期限近的在前",
          query={"state": enum(STATES, "状态", default=PENDING)}, roles=DECIDERS, response=items_of(EXTENSION_REQUEST)),
    Route("POST", "/tasks/{id}/extension/approve", approve, "批准延期（法定期限延长10或15个工作日，告知申请人理由）",
          NOTE, roles=DECIDERS, response=TASK),
    Route("POST", "/tasks/{id}/extension/refuse", refuse, "不予批准延期（须说明理由）",
          obj({"note": required_text(1000, "审批意见")}, required=("note",)), roles=DECIDERS, response=TASK),
]
