"""The monthly bulletin (评估情况通报) and the efficiency ranking (效能排行榜) in the back office
(``/staff/api/v1``): supervisors and admins.

The same bulletin three ways: JSON for the console, a printable page, and that page as PDF.
"""

from __future__ import annotations

from aiohttp import web

from onething.domain.calendar import local_date
from onething.keys import catalog_key, grades_key, ranking_rules_key, templates_key, workflow_key
from onething.domain.ranking import KINDS, SCOPES
from onething.services import bulletins, rankings
from onething.web.http import json_response
from onething.web.routes import Route
from onething.web.schemas import enum
from onething.web.validation import query

READ = ("supervisor", "admin")
MONTH = {"type": "string", "pattern": r"^20[0-9]{2}-(0[1-9]|1[0-2])$", "description": "月份，如 2026-11"}
PERIOD = {"type": "string", "pattern": r"^20[0-9]{2}-(0[1-9]|1[0-2]|W(0[1-9]|[1-4][0-9]|5[0-3]))$",
          "description": "月份 2026-11，或 ISO 周 2026-W47"}
RATE = {"type": ["number", "null"]}
_COUNT = {"type": "integer", "minimum": 0}
RANKING = {
    "type": "object", "required": ["kind", "period", "scope", "from", "to", "frozen", "places"],
    "properties": {"kind": {"enum": list(KINDS)}, "scope": {"enum": list(SCOPES)}, "frozen": {"type": "boolean"},
                   "places": {"type": "array", "items": {"type": "object", "required": [
                       "rank", "change", "code", "name", "total", "dimensions"],
                       "properties": {"rank": {"type": ["integer", "null"]}, "change": {"type": ["integer", "null"]},
                                      "total": RATE}}}},
}
BULLETIN = {
    "type": "object",
    "required": ["month", "from", "to", "final", "cases", "grades", "on_time", "ranking", "dissatisfied",
                 "most_overdue"],
    "properties": {
        "month": {"type": "string"}, "from": {"type": "string", "format": "date"},
        "to": {"type": "string", "format": "date"}, "final": {"type": "boolean"},
        "cases": {"type": "object", "required": ["received", "completed", "decided"],
                  "properties": {k: _COUNT for k in ("received", "completed", "decided")}},
        "grades": {"type": "object", "required": ["warning", "yellow", "red", "cases"],
                   "properties": {"warning": _COUNT, "yellow": _COUNT, "red": _COUNT,
                                  "cases": {"type": "array", "items": {"type": "object"}}}},
        "on_time": {"type": "object", "required": ["rate", "departments", "trend"],
                    "properties": {"rate": RATE, "departments": {"type": "array", "items": {"type": "object"}},
                                   "trend": {"type": "array", "maxItems": 12, "items": {
                                       "type": "object", "required": ["month", "decided", "rate"],
                                       "properties": {"month": {"type": "string"}, "decided": _COUNT,
                                                      "rate": RATE}}}}},
        "ranking": RANKING,
        "dissatisfied": {"type": "object", "required": ["count", "closed", "on_time", "ratings"]},
        "most_overdue": {"type": "array", "maxItems": bulletins.MOST_OVERDUE, "items": {"type": "object"}},
    },
}


def _desk(request: web.Request) -> bulletins.Desk:
    config = request.config_dict
    return bulletins.Desk(config[catalog_key], config[grades_key], config[ranking_rules_key])


async def _bulletin(request: web.Request) -> dict:
    now = request.config_dict[workflow_key].clock()
    return await _desk(request).bulletin(request.match_info["month"], local_date(now), now)


async def ranking(request: web.Request) -> web.Response:
    """A week's or a month's ranking; frozen as published once the period is over."""
    now, desk = request.config_dict[workflow_key].clock(), _desk(request)
    return json_response(await rankings.ranking_of(desk.rules, desk.figures_for, request.match_info["kind"],
                                                   request.match_info["period"], query(request)["scope"],
                                                   local_date(now), now))


def _html(request: web.Request, bulletin: dict) -> str:
    return bulletins.render_html(request.config_dict[templates_key], bulletin)


async def bulletin_json(request: web.Request) -> web.Response:
    return json_response(await _bulletin(request))


async def bulletin_page(request: web.Request) -> web.Response:
    return web.Response(text=_html(request, await _bulletin(request)), content_type="text/html")


async def bulletin_pdf(request: web.Request) -> web.Response:
    bulletin = await _bulletin(request)
    pdf = await bulletins.render_pdf(_html(request, bulletin))
    return web.Response(body=pdf, content_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="bulletin-{bulletin["month"]}.pdf"'})


ROUTES = [
    Route("GET", "/supervision/rankings/{kind}/{period}", ranking,
          "审批服务效能排行榜：周排名或月排名（按部门或窗口；期间结束后固定不变）",
          params={"kind": enum(KINDS, "周或月"), "period": PERIOD},
          query={"scope": enum(SCOPES, "按部门或窗口", default="department")}, roles=READ, response=RANKING),
    Route("GET", "/supervision/bulletins/{month}", bulletin_json, "电子监察月度评估情况通报（数据）",
          params={"month": MONTH}, roles=READ, response=BULLETIN),
    Route("GET", "/supervision/bulletins/{month}/print", bulletin_page, "评估情况通报：打印页（含图表）",
          params={"month": MONTH}, roles=READ, response={"type": "string"}, content="text/html"),
    Route("GET", "/supervision/bulletins/{month}/pdf", bulletin_pdf, "评估情况通报：PDF",
          params={"month": MONTH}, roles=READ, response={"type": "string", "format": "binary"},
          content="application/pdf"),
]
