"""Cases at the window (``/staff/api/v1/applications``): the intake queue, one case in full, and the
clerks' decisions on it (accept, return for correction, refuse, results ready, hand over)."""

from __future__ import annotations

from datetime import date

from aiohttp import web

from onething.domain.states import State
from onething.keys import catalog_key, id_cipher_key, object_store_key, workflow_key
from onething.services import staff_cases
from onething.services.staff_cases import READ_ALL
from onething.web.http import run_rule
from onething.web.provisional import dated_json
from onething.web.routes import Route
from onething.web.schemas import CODE, DATE, array, enum, items_of, obj, required_text, text
from onething.web.validation import body, query
from .session import actor, staff
from .shapes import DETAIL, SUMMARY

NOTE = text(2000, "备注")
# blank entries are dropped by the rule, which refuses a list with none left (problems_required)
PROBLEMS = array(text(1000, "问题"), max_items=100, title="问题清单")


async def applications(request: web.Request) -> web.Response:
    """The intake queue (submitted cases, oldest deadline first) or any state a clerk asks for."""
    items = await staff_cases.intake_queue(request.config_dict[catalog_key], query(request)["state"])
    return dated_json(request, {"items": items})


async def application(request: web.Request) -> web.Response:
    config = request.config_dict
    return dated_json(request, await staff_cases.detail(config[catalog_key], config[id_cipher_key],
                                                        config[object_store_key], staff(request),
                                                        int(request.match_info["id"])))


async def _decide(request: web.Request, decide) -> web.Response:
    await run_rule(decide(request.config_dict[workflow_key], int(request.match_info["id"]),
                          actor(staff(request)), body(request)))
    return await application(request)


async def accept(request):
    return await _decide(request, lambda flow, case_id, who, given: flow.accept(
        case_id, who, owed={k: date.fromisoformat(v) for k, v in (given.get("owed") or {}).items()},
        note=given.get("note", "").strip()))


async def return_for_correction(request):
    return await _decide(request, lambda flow, case_id, who, given: flow.return_for_correction(
        case_id, who, given["problems"]))


async def refuse(request):
    return await _decide(request, lambda flow, case_id, who, given: flow.refuse(case_id, who, given["reason"].strip()))


async def results_ready(request):
    return await _decide(request, lambda flow, case_id, who, given: flow.results_ready(case_id, who))


async def handover(request):
    return await _decide(request, lambda flow, case_id, who, given: flow.hand_over(case_id, who, "collect"))


async def waive_owed(request: web.Request) -> web.Response:
    """A supervisor (or admin) lets the results go out without an owed deferred material, saying why."""
    return await _decide(request, lambda flow, case_id, who, given: flow.waive_owed(
        case_id, who, request.match_info["material"], given["reason"].strip()))


CLERK = ("clerk",)
OWED = {"type": "object", "title": "容缺材料", "maxProperties": 50, "propertyNames": CODE,
        "additionalProperties": {**DATE, "title": "补交日期"},
        "description": "容缺受理：{材料代码: 承诺补交日期}"}


def _decision(name: str, handler, summary: str, schema: dict | None = None) -> Route:
    return Route("POST", f"/applications/{{id}}/{name}", handler, summary, schema, roles=CLERK, response=DETAIL)


ROUTES = [
    Route("GET", "/applications", applications, "办件队列：默认待受理（受理期限近的在前），?state= 查看其他状态",
          query={"state": enum([s.value for s in State], "状态", default=State.SUBMITTED.value)},
          roles=READ_ALL, response=items_of(SUMMARY)),
    Route("GET", "/applications/{id}", application, "办件详情：表单（个人信息已脱敏）、各事项、轨迹、材料下载、信用",
          roles=(*READ_ALL, "reviewer"), response=DETAIL),
    _decision("accept", accept, "受理（可容缺：owed 列出承诺补交的材料及日期）",
              obj({"owed": OWED, "note": NOTE})),
    _decision("return", return_for_correction, "退回补正：一次性列明全部问题",
              obj({"problems": PROBLEMS}, required=("problems",))),
    _decision("refuse", refuse, "不予受理（须说明理由）", obj({"reason": required_text(2000, "理由")}, required=("reason",))),
    _decision("results-ready", results_ready, "办结，结果待领取或待寄送", obj({})),
    _decision("handover", handover, "窗口领取：结果已交给申请人", obj({})),
    Route("POST", "/applications/{id}/owed/{material}/waive", waive_owed,
          "免于补交容缺材料（科室负责人、管理员；须说明理由）",
          obj({"reason": required_text(500, "理由")}, required=("reason",)), params={"material": CODE},
          roles=("supervisor", "admin"), response=DETAIL),
]
