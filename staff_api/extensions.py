"""Extending a legal limit (行政许可法 §42) from the back office (``/staff/api/v1``).

A reviewer asks for their own department's item; supervisors and admins (the head of the office
who approves under §42) see the pending requests and approve or refuse them. One request at a
time per item, so the request is the task's: ``/tasks/{id}/extension``.
"""

from __future__ import annotations

from aiohttp import web

from onething.domain.extensions import APPROVED, PENDING, REFUSED
from onething.domain.states import TaskState
from onething.keys import catalog_key, workflow_key
from onething.web.errors import ApiError
from onething.web.http import int_id, read_json, run_rule, text
from onething.web.routes import Route
from onething.services.presenters import task_json
from onething.web.provisional import dated_json
from .session import actor, staff
from storage.models import ReviewTask

DECIDERS = ("supervisor", "admin")
STATES = (PENDING, APPROVED, REFUSED)


async def ask(request: web.Request) -> web.Response:
    session = staff(request, "reviewer")
    task = await ReviewTask.get_or_none(id=int_id(request))
    if task is None or task.department != session.department:
        raise web.HTTPNotFound()  # another department's task does not exist for this reviewer
    reason = text(await read_json(request), "reason", max_length=1000)
    await run_rule(request.config_dict[workflow_key].request_extension(task, actor(session), reason))
    return await _task(request, task)


async def pending(request: web.Request) -> web.Response:
    """Requests in one state (pending by default), oldest legal due date first: the most urgent."""
    staff(request, *DECIDERS)
    state = request.query.get("state", PENDING)
    if state not in STATES:
        raise ApiError("invalid_field", "state 应为 pending、approved 或 refused。", status=422,
                       details={"field": "state"})
    query = ReviewTask.filter(extension_state=state)
    if state == PENDING:  # a request on an item decided meanwhile has nothing left to extend
        query = query.filter(state__in=[TaskState.IN_REVIEW.value, TaskState.PAUSED.value])
    rows = await query.order_by("legal_due_on", "id").limit(500).select_related("application")
    catalog = request.config_dict[catalog_key]
    return dated_json(request, {"items": [{**task_json(catalog, r), "number": r.application.number}
                                          for r in rows]})


async def approve(request: web.Request) -> web.Response:
    return await _decide(request, lambda flow, task, who, note: flow.approve_extension(task, who, note), required=False)


async def refuse(request: web.Request) -> web.Response:
    return await _decide(request, lambda flow, task, who, note: flow.refuse_extension(task, who, note), required=True)


async def _decide(request: web.Request, decide, *, required: bool) -> web.Response:
    session = staff(request, *DECIDERS)
    task = await ReviewTask.get_or_none(id=int_id(request))
    if task is None:
        raise web.HTTPNotFound()
    note = text(await read_json(request), "note", required=required, max_length=1000)
    await run_rule(decide(request.config_dict[workflow_key], task, actor(session), note))
    return await _task(request, task)


async def _task(request: web.Request, task: ReviewTask) -> web.Response:
    await task.refresh_from_db()
    return dated_json(request, task_json(request.config_dict[catalog_key], task))


REASON = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}
NOTE = {"type": "object", "properties": {"note": {"type": "string"}}}
ROUTES = [
    Route("POST", "/tasks/{id}/extension", ask, "申请延长法定办理期限（本部门审批人员，须说明理由）", REASON),
    Route("GET", "/extensions", pending, "延期申请（?state=pending|approved|refused），法定期限近的在前"),
    Route("POST", "/tasks/{id}/extension/approve", approve, "批准延期（法定期限延长10或15个工作日，告知申请人理由）", NOTE),
    Route("POST", "/tasks/{id}/extension/refuse", refuse, "不予批准延期（须说明理由）", {**NOTE, "required": ["note"]}),
]
