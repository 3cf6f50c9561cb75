"""The monthly issue ledger (``/staff/api/v1/ledger?month=2026-11&by=manager|department``), JSON or CSV.

Supervisors and admins see every row; a manager only their own issues (by manager: their own
row), a reviewer only their department's. CSV with ``Accept: text/csv`` or at ``/ledger.csv``.
"""

from __future__ import annotations

import re

from aiohttp import web

from onething.web.routes import Route
from onething.web.http import json_response

from onething.domain.calendar import local_date
from onething.keys import issues_key
from onething.services import ledger
from onething.web.errors import ApiError
from .session import staff

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


async def monthly(request: web.Request) -> web.Response:
    session = staff(request, "manager", "supervisor", "admin", "reviewer")
    desk = request.config_dict[issues_key]
    now = desk.clock()
    month = request.query.get("month") or local_date(now).strftime("%Y-%m")
    found = MONTH.match(month)
    if not found:
        raise ApiError("invalid_month", "month 应为年月，如 2026-11。", status=422, details={"field": "month"})
    by = request.query.get("by", "manager")
    if by not in ledger.HEADERS:
        raise ApiError("invalid_field", "by 应为 manager 或 department。", status=422, details={"field": "by"})
    rows = await ledger.monthly(session, int(found.group(1)), int(found.group(2)), by, now, desk.departments)
    wants_csv = request.path.endswith(".csv") or "text/csv" in request.headers.get("Accept", "")
    if wants_csv:
        return web.Response(body=ledger.to_csv(rows, month, by), content_type="text/csv", charset="utf-8",
                            headers={"Content-Disposition": f'attachment; filename="ledger-{month}-{by}.csv"'})
    totals = {f: sum(getattr(r, f) for r in rows) for f in ledger.FIGURES}
    return json_response({"month": month, "by": by, "rows": [ledger.row_json(r) for r in rows],
                              "totals": totals})


ROUTES = [
    Route("GET", "/ledger", monthly, "月度台账（?month=2026-11&by=manager|department；Accept: text/csv 得 CSV）"),
    Route("GET", "/ledger.csv", monthly, "月度台账 CSV（Excel 可直接打开）"),
]
