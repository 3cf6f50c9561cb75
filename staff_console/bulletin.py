"""The supervisor's ranking (效能排行榜) and monthly bulletin (评估情况通报) pages.

The same services and roles as ``staff_api.bulletins``: supervisors and admins. The bulletin is
the API's own printable page (``bulletins.render_html``), shown in a frame of the console page
and printed from it alone, so the console's header never reaches the paper; its PDF is the same
page drawn by weasyprint.
"""

from __future__ import annotations

from datetime import date, timedelta

from aiohttp import web

from onething.domain import ranking
from onething.domain.calendar import local_date
from onething.domain.refusals import Refused
from onething.keys import catalog_key, grades_key, ranking_rules_key, templates_key, workflow_key
from onething.services import bulletins, rankings
from onething.web.errors import message_of
from .framework import Page, render

WATCH = ("supervisor", "admin")
KIND_NAMES = {"week": "周排名", "month": "月排名"}
SCOPE_NAMES = {"department": "按部门", "window": "按窗口"}
DIMENSION_NAMES = {"efficiency": "效率", "quality": "质量", "attitude": "态度"}


def _desk(request: web.Request) -> bulletins.Desk:
    config = request.config_dict
    return bulletins.Desk(config[catalog_key], config[grades_key], config[ranking_rules_key])


def _today(request: web.Request) -> date:
    return local_date(request.config_dict[workflow_key].clock())


def _asked(request: web.Request, name: str, default: str) -> str:
    return request.query.get(name, "").strip()[:20] or default


async def ranking_page(request: web.Request) -> web.Response:
    """A week's or a month's ranking, its neighbours, and the periods already published."""
    now, today, desk = request.config_dict[workflow_key].clock(), _today(request), _desk(request)
    kind = _asked(request, "kind", "week")
    scope = _asked(request, "scope", "department")
    period = _asked(request, "period", ranking.period_of(kind if kind in ranking.KINDS else "week", today))
    shown = {"kind": kind, "scope": scope, "period": period, "kinds": KIND_NAMES, "scopes": SCOPE_NAMES,
             "dimensions": DIMENSION_NAMES}
    try:
        if scope not in ranking.SCOPES:
            raise Refused("console_sup.scope_unknown", status=422)
        board = await rankings.ranking_of(desk.rules, desk.figures_for, kind, period, scope, today, now)
    except Refused as exc:
        return render(request, "console/ranking.html.j2", exc.status, board=None, published=[],
                      refusal=message_of(request, exc), **shown)
    later = ranking.period_of(kind, date.fromisoformat(board["to"]) + timedelta(days=1))
    return render(request, "console/ranking.html.j2", board=board, published=await rankings.published(kind, scope),
                  previous=ranking.previous_period(kind, period),
                  following=later if ranking.period_bounds(kind, later)[0] <= today else "", **shown)


def _last_month(today: date) -> str:
    return ranking.period_of("month", today.replace(day=1) - timedelta(days=1))


async def bulletin(request: web.Request) -> web.Response:
    """Choose a month: its bulletin in a frame, to read, print, or take as PDF."""
    month = _asked(request, "month", _last_month(_today(request)))
    try:
        rankings.check_period("month", month, _today(request))
    except Refused as exc:
        return render(request, "console/bulletin.html.j2", exc.status, month=month, refusal=message_of(request, exc))
    return render(request, "console/bulletin.html.j2", month=month)


async def _bulletin(request: web.Request) -> dict:
    now = request.config_dict[workflow_key].clock()
    return await _desk(request).bulletin(request.match_info["month"], local_date(now), now)


def _html(request: web.Request, data: dict) -> str:
    return bulletins.render_html(request.config_dict[templates_key], data)


async def printable(request: web.Request) -> web.Response:
    response = web.Response(text=_html(request, await _bulletin(request)), content_type="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


async def pdf(request: web.Request) -> web.Response:
    data = await _bulletin(request)
    return web.Response(body=await bulletins.render_pdf(_html(request, data)), content_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="bulletin-{data["month"]}.pdf"',
                                 "Cache-Control": "no-store"})


MONTH = r"{month:[0-9]{4}-[0-9]{2}}"
PAGES = [
    Page("GET", "/ranking", ranking_page, WATCH, nav="效能排行榜"),
    Page("GET", "/bulletin", bulletin, WATCH, nav="评估情况通报"),
    Page("GET", f"/bulletins/{MONTH}/print", printable, WATCH),
    Page("GET", f"/bulletins/{MONTH}/pdf", pdf, WATCH),
]
