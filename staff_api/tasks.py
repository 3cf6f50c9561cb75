"""Review tasks (``/staff/api/v1/tasks``): a department's queue and its reviewers' decisions on
their own items (approve, reject, pause and resume the clock, return for correction)."""

from __future__ import annotations

from aiohttp import web

from onething.domain.states import EXCLUDED_PERIODS
from onething.keys import catalog_key, workflow_key
from onething.services import review_tasks
from onething.web.http import run_rule
from onething.web.provisional import dated_json
from onething.web.routes import Route
from onething.web.schemas import PAGE, enum, obj, required_text, text
from onething.web.validation import body, query
from .cases import NOTE, PROBLEMS
from .certificates import certificate
from .session import actor, staff
from .shapes import TASK, TASK_PAGE

REVIEWER = ("reviewer",)


async def tasks(request: web.Request) -> web.Response:
    """A department's queue, nearest deadline first; supervisors may look at any department."""
    asked = query(request)
    return dated_json(request, await review_tasks.queue(request.config_dict[catalog_key], staff(request),
                                                       asked.get("department"), asked["page"]))


async def _review(request: web.Request, review) -> web.Response:
    session, flow, given = staff(request), request.config_dict[workflow_key], body(request)
    shown = await run_rule(review_tasks.act(flow, session, int(request.match_info["id"]),
                                            lambda task: review(flow, task, actor(session), given)))
    return dated_json(request, shown)


async def approve(request):
    return await _review(request, lambda flow, task, who, given: flow.approve(
        task, who, result_number=given.get("result_number", "").strip(), note=given.get("note", "").strip()))


async def reject(request):
    return await _review(request, lambda flow, task, who, given: flow.reject(task, who, given["reason"].strip()))


async def pause(request):
    return await _review(request, lambda flow, task, who, given: flow.pause(
        task, who, given["kind"], note=given.get("note", "").strip()))


async def resume(request):
    return await _review(request, lambda flow, task, who, given: flow.resume(task, who))


async def return_item(request):
    """审查中补正: the reviewer returns their own item with the complete list of problems."""
    return await _review(request, lambda flow, task, who, given: flow.return_item(task, who, given["problems"]))


def _decision(name: str, handler, summary: str, schema: dict | None = None) -> Route:
    return Route("POST", f"/tasks/{{id}}/{name}", handler, summary, schema or obj({}), roles=REVIEWER, response=TASK)


ROUTES = [
    Route("GET", "/tasks", tasks, "审批队列：本部门在办事项，期限近的在前，每页 50 项（科室负责人、管理员可 ?department= 查看任一部门）",
          query={"department": text(64, "部门"), "page": PAGE}, roles=("reviewer", "supervisor", "admin"),
          response=TASK_PAGE),
    Route("PUT", "/tasks/{id}/certificate", certificate, "上传该事项的电子证照（PDF，不超过 20MB）",
          upload=("application/pdf",), roles=REVIEWER, response=TASK),
    _decision("approve", approve, "通过（可填写证照编号）",
              obj({"result_number": text(64, "证照编号"), "note": NOTE})),
    _decision("reject", reject, "不通过（须说明理由）", obj({"reason": required_text(2000, "理由")}, required=("reason",))),
    _decision("pause", pause, "暂停计时：听证、现场核查、检验检测、专家评审（不计入办理期限）",
              obj({"kind": enum(EXCLUDED_PERIODS, "暂停类型"), "note": NOTE}, required=("kind",))),
    _decision("resume", resume, "结束暂停计时，办理期限顺延"),
    _decision("return", return_item, "审查中补正：退回本事项，一次性列明全部问题",
              obj({"problems": PROBLEMS}, required=("problems",))),
]
