"""The manager's projects and their issue ledger (问题台账, 对号销号), and the monthly ledger.

The same services and roles as ``staff_api.projects``, ``staff_api.issues`` and
``staff_api.ledger``: a manager sees the projects they manage; another's project or issue is the
404 page. What the ledger's rules refuse (a close without its resolution, a reopen without its
reason, a start of what is closed) is shown beside the project's forms, with what was typed.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web

from onething.domain.calendar import local_date
from onething.domain.refusals import Refused
from onething.keys import issues_key
from onething.services import issue_ledger, ledger, projects
from onething.services.presenters import issue_json
from onething.web.errors import message_of
from .framework import Page, actor, form, me, render

WORK = ("manager", "supervisor", "admin")
READERS = ("manager", "supervisor", "admin", "reviewer")
BY = {"manager": "按项目服务经理", "department": "按部门"}


def _today(request: web.Request) -> date:
    return local_date(request.config_dict[issues_key].clock())


async def project_list(request: web.Request) -> web.Response:
    return render(request, "console/projects.html.j2", projects=await projects.listing(me(request), _today(request)))


async def _project_page(request: web.Request, project_id: int, status: int = 200, **context) -> web.Response:
    desk, today = request.config_dict[issues_key], _today(request)
    view = await projects.view(me(request), project_id, today)
    rows = await issue_ledger.project_issues(me(request), project_id, state="all")
    if view is None or rows is None:
        raise Refused("not_found", status=404)
    context.setdefault("sent", {})
    return render(request, "console/project.html.j2", status, project=view,
                  issues=[issue_json(desk, r, today) for r in rows], departments=desk.departments, **context)


async def project(request: web.Request) -> web.Response:
    return await _project_page(request, int(request.match_info["id"]), done=request.query.get("done", ""))


async def open_issue(request: web.Request) -> web.Response:
    project_id, sent = int(request.match_info["id"]), form(request)
    try:
        try:
            requested_by = date.fromisoformat(sent.get("requested_by", ""))
        except ValueError:
            raise Refused("invalid_field", details={"field": "requested_by", "fields": [
                {"field": "requested_by", "problem": "format", "label": "期望解决日期"}]}) from None
        row = await issue_ledger.open_on_project(
            request.config_dict[issues_key], me(request), project_id, actor(me(request)).name,
            title=sent.get("title", "")[:200], department=sent.get("department", "")[:64],
            requested_by=requested_by, detail=sent.get("detail", "")[:4000])
    except Refused as exc:
        return await _project_page(request, project_id, exc.status, refusal=message_of(request, exc), sent=dict(sent))
    if row is None:
        raise Refused("not_found", status=404)
    raise web.HTTPSeeOther(f"/staff/projects/{project_id}?done=opened")


def _action(name: str):
    async def handler(request: web.Request) -> web.Response:
        issue_id, sent = int(request.match_info["id"]), form(request)
        field = issue_ledger.ACTIONS[name]
        desk = request.config_dict[issues_key]
        project_id = sent.get("project", "")
        try:
            row = await issue_ledger.act(desk, me(request), issue_id, name, actor(me(request)),
                                         sent.get(field, "")[:4000] if field else "")
        except Refused as exc:
            if not project_id.isdigit():
                raise
            return await _project_page(request, int(project_id), exc.status, refusal=message_of(request, exc),
                                       failed=issue_id, sent=dict(sent))
        if row is None:
            raise Refused("not_found", status=404)
        raise web.HTTPSeeOther(f"/staff/projects/{row.project_id}?done={name}")
    handler.__name__ = name
    return handler


def _month(request: web.Request) -> tuple[str, str]:
    month, by = request.query.get("month", ""), request.query.get("by", "manager")
    valid = len(month) == 7 and month[:2] == "20" and month[2:4].isdigit() and month[4] == "-" \
        and month[5:].isdigit() and 1 <= int(month[5:]) <= 12
    return (month if valid else _today(request).strftime("%Y-%m")), (by if by in BY else "manager")


async def _rows(request: web.Request, month: str, by: str):
    desk = request.config_dict[issues_key]
    return await ledger.monthly(me(request), int(month[:4]), int(month[5:]), by, desk.clock(), desk.departments)


async def monthly(request: web.Request) -> web.Response:
    month, by = _month(request)
    rows = await _rows(request, month, by)
    return render(request, "console/ledger.html.j2", month=month, by=by, kinds=BY, rows=rows,
                  headers=ledger.HEADERS[by], names=ledger.FIGURE_NAMES, figures=ledger.FIGURES,
                  totals={f: sum(getattr(r, f) for r in rows) for f in ledger.FIGURES})


async def monthly_csv(request: web.Request) -> web.Response:
    month, by = _month(request)
    return web.Response(body=ledger.to_csv(await _rows(request, month, by), month, by), content_type="text/csv",
                        charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="ledger-{month}-{by}.csv"'})


PAGES = [
    Page("GET", "/projects", project_list, WORK, nav="项目"),
    Page("GET", "/projects/{id:\\d+}", project, WORK),
    Page("POST", "/projects/{id:\\d+}/issues", open_issue, WORK),
    *(Page("POST", f"/issues/{{id:\\d+}}/{name}", _action(name), WORK) for name in issue_ledger.ACTIONS),
    Page("GET", "/ledger", monthly, READERS, nav="月度台账"),
    Page("GET", "/ledger.csv", monthly_csv, READERS),
]
