"""Supervision figures (``/staff/api/v1/supervision/…``): a period's figures with filters and a
breakdown, the cases behind each figure, and the table as CSV. Supervisors and admins only."""

from __future__ import annotations

from aiohttp import web

from onething.domain.calendar import local_date
from onething.domain.figures import FACTS, PERIODS
from onething.keys import catalog_key, grades_key, workflow_key
from onething.services import supervision_views
from onething.web.http import json_response
from onething.web.routes import Route
from onething.web.schemas import CODE, DATE, PAGE, enum, integer
from onething.web.validation import query
from .shapes import FIGURES, FIGURE_CASES, TEXT

READERS = ("supervisor", "admin")
ASKED = {
    "period": enum(PERIODS, "统计期间", default="month",
                   description="day、week（周一至周日）、month 为 on 所在的日、周、月；range 为 start 至 end"),
    "on": {**DATE, "title": "所在日期", "description": "默认今天（北京时间）"},
    "start": {**DATE, "title": "起始日期"}, "end": {**DATE, "title": "截止日期"},
    "department": {**CODE, "title": "部门"}, "window": {**CODE, "maxLength": 80, "title": "受理窗口（工作人员账号）"},
    "thing": {**CODE, "title": "一件事"}, "item": {**CODE, "title": "事项"},
}
BY = {"by": enum(supervision_views.FILTERS, "分组")}
DRILL = {"fact": enum(FACTS, "统计项"), "bucket": integer(0, 10000, "分桶（用时、时限或评分）"), "page": PAGE}


def _today(request: web.Request):
    return local_date(request.config_dict[workflow_key].clock())


def _names(request: web.Request) -> dict[str, dict[str, str]]:
    catalog = request.config_dict[catalog_key]
    return {"department": {c: d.name for c, d in catalog.departments.items()},
            "thing": {c: t.name for c, t in catalog.things.items()},
            "item": {c: i.name for t in catalog.things.values() for c, i in t.items.items()}}


async def show(request: web.Request) -> web.Response:
    return json_response(await supervision_views.report(query(request), _today(request), _names(request),
                                                        request.config_dict[grades_key]))


async def behind(request: web.Request) -> web.Response:
    return json_response(await supervision_views.cases(query(request), _today(request)))


async def export(request: web.Request) -> web.Response:
    name, data = await supervision_views.csv(query(request), _today(request), _names(request),
                                             request.config_dict[grades_key])
    return web.Response(body=data, content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


ROUTES = [
    Route("GET", "/supervision/figures", show, "电子监察统计：收件、受理、按时办结率、用时、预警与红黄牌、评价、跑零次"
          "（可按部门、窗口、一件事、事项筛选和分组；每项附查看办件的链接）",
          query={**ASKED, **BY}, roles=READERS, response=FIGURES),
    Route("GET", "/supervision/cases", behind, "电子监察统计项背后的办件（与统计相同的筛选条件）",
          query={**ASKED, **DRILL}, required_query=("fact",), roles=READERS, response=FIGURE_CASES),
    Route("GET", "/supervision/figures.csv", export, "电子监察统计 CSV（按部门等分组，含合计；Excel 可直接打开）",
          query={**ASKED, **BY}, roles=READERS, response=TEXT, content="text/csv"),
]
