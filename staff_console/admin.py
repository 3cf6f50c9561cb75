"""The admin's pages: staff and courier accounts, the catalog and the working-day calendar.

Accounts are opened with the role, department and carrier chosen from lists; the catalog and
the calendar are read-only here, save the import of a year's State Council notice: read and
shown first (what changes), stored only when the admin applies the same text.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web

from onething.domain.calendar import CalendarError
from onething.domain.refusals import Refused
from onething.domain.shipment import CARRIERS
from onething.keys import calendar_key, catalog_key, redis_key, workflow_key
from onething.services import calendar_import, staff_accounts
from onething.web.errors import message_of
from .framework import ROLE_NAMES, Page, actor, form, me, render

ADMIN = ("admin",)
ROLES = {**ROLE_NAMES, "courier": "快递员"}
WEEKDAYS = "一二三四五六日"


async def _accounts_page(request: web.Request, status: int = 200, **context) -> web.Response:
    context.setdefault("sent", {})
    return render(request, "console/accounts.html.j2", status, accounts=await staff_accounts.listing(), roles=ROLES,
                  departments=request.config_dict[catalog_key].departments, carriers=CARRIERS, **context)


async def accounts(request: web.Request) -> web.Response:
    return await _accounts_page(request, done=request.query.get("done", ""))


async def open_account(request: web.Request) -> web.Response:
    sent = form(request)
    try:
        await staff_accounts.open_account(
            sent.get("username", "")[:64], sent.get("role", ""), sent.get("password", "")[:256],
            department=sent.get("department", ""), carrier=sent.get("carrier", ""),
            departments=set(request.config_dict[catalog_key].departments), by=actor(me(request)).name)
    except Refused as exc:
        kept = {k: v for k, v in sent.items() if k != "password"}
        return await _accounts_page(request, exc.status, refusal=message_of(request, exc), sent=kept)
    raise web.HTTPSeeOther("/staff/accounts?done=opened")


async def disable(request: web.Request) -> web.Response:
    if int(request.match_info["id"]) == me(request).id:
        return await _accounts_page(request, 409, refusal=message_of(request, Refused("account.not_yourself")))
    await staff_accounts.disable(request.config_dict[redis_key], int(request.match_info["id"]), actor(me(request)).name)
    raise web.HTTPSeeOther("/staff/accounts?done=disabled")


async def reset_password(request: web.Request) -> web.Response:
    try:
        await staff_accounts.reset_password(int(request.match_info["id"]), form(request).get("password", "")[:256],
                                            actor(me(request)).name)
    except Refused as exc:
        if exc.status == 404:
            raise
        return await _accounts_page(request, exc.status, refusal=message_of(request, exc))
    raise web.HTTPSeeOther("/staff/accounts?done=reset")


async def catalog(request: web.Request) -> web.Response:
    return render(request, "console/catalog.html.j2", catalog=request.config_dict[catalog_key])


def _year(text: str, fallback: int) -> int:
    return int(text) if text.isdigit() and len(text) == 4 else fallback


async def _calendar_page(request: web.Request, status: int = 200, **context) -> web.Response:
    cal = await request.config_dict[calendar_key].fresh()
    this_year = request.config_dict[workflow_key].clock().year
    year = _year(request.query.get("year", ""), this_year)
    context.setdefault("sent", {"year": str(year + 1)})
    try:
        schedule = cal.schedule(year)
    except CalendarError:  # a year no rule dates: the current one instead
        year, schedule = this_year, cal.schedule(this_year)
    return render(request, "console/calendar.html.j2", status, year=year, schedule=schedule,
                  holidays=sorted(schedule.holidays), workdays=sorted(schedule.workdays), weekday=_weekday,
                  official=sorted(cal.official_years), **context)


def _weekday(day: date) -> str:
    return f"{day.isoformat()}（周{WEEKDAYS[day.weekday()]}）"


async def calendar(request: web.Request) -> web.Response:
    return await _calendar_page(request)


async def import_calendar(request: web.Request) -> web.Response:
    """Preview unless ``apply`` is posted; either way the same text is read again."""
    sent = form(request)
    year, text = _year(sent.get("year", ""), 0), sent.get("notice", "")
    book, flow = request.config_dict[calendar_key], request.config_dict[workflow_key]
    try:
        if sent.get("apply") == "1":
            read, moved, failed = await calendar_import.apply(book, flow, year, text, f"staff:{me(request).username}",
                                                              flow.clock())
            return await _calendar_page(request, read=read, applied=True, moved=moved, failed=failed, sent=dict(sent))
        read = await calendar_import.preview(book, year, text)
    except Refused as exc:
        return await _calendar_page(request, exc.status, refusal=message_of(request, exc), sent=dict(sent))
    return await _calendar_page(request, read=read, applied=False, sent=dict(sent))


PAGES = [
    Page("GET", "/accounts", accounts, ADMIN, nav="账号"),
    Page("POST", "/accounts", open_account, ADMIN),
    Page("POST", "/accounts/{id:\\d+}/disable", disable, ADMIN),
    Page("POST", "/accounts/{id:\\d+}/password", reset_password, ADMIN),
    Page("GET", "/catalog", catalog, ADMIN, nav="事项目录"),
    Page("GET", "/calendar", calendar, ADMIN, nav="工作日历"),
    Page("POST", "/calendar", import_calendar, ADMIN),
]
