"""The monthly issue ledger (``/staff/api/v1/ledger?month=2026-11&by=manager|department``), JSON or CSV.

Supervisors and admins see every row; a manager only their own issues (by manager: their own
row), a reviewer only their department's. CSV with ``Accept: text/csv`` or at ``/ledger.csv``.
"""

from __future__ import annotations

from aiohttp import web

from onething.domain.calendar import local_date
from onething.keys import issues_key
from onething.services import ledger
from onething.web.http import json_response
from onething.web.routes import Route
from onething.web.schemas import enum
from onething.web.validation import query
from .session import staff
from .shapes import LEDGER, TEXT

# a month of 2000-2099: year 0 has no dates, and after December 9999 no month starts
MONTH = {"type": "string", "pattern": "^20[0-9]{2}-(0[1-9]|1[0-2])$", "maxLength": 7, "title": "月份",
         "description": "年月，如 2026-11（默认本月）"}
QUERY = {"month": MONTH, "by": enum(ledger.HEADERS, "统计口径", default="manager")}
READERS = ("manager", "supervisor", "admin", "reviewer")


async def monthly(request: web.Request) -> web.Response:
    desk, asked = request.config_dict[issues_key], query(request)
    now = desk.clock()
    month, by = asked.get("month") or local_date(now).strftime("%Y-%m"), asked["by"]
    rows = await ledger.monthly(staff(request), int(month[:4]), int(month[5:]), by, now, desk.departments)
    wants_csv = request.path.endswith(".csv") or "text/csv" in request.headers.get("Accept", "")
    if wants_csv:
        return web.Response(body=ledger.to_csv(rows, month, by), content_type="text/csv", charset="utf-8",
                            headers={"Content-Disposition": f'attachment; filename="ledger-{month}-{by}.csv"'})
    totals = {f: sum(getattr(r, f) for r in rows) for f in ledger.FIGURES}
    return json_response({"month": month, "by": by, "rows": [ledger.row_json(r) for r in rows],
                          "totals": totals})


ROUTES = [
    Route("GET", "/ledger", monthly, "月度台账（?month=2026-11&by=manager|department；Accept: text/csv 得 CSV）",
          query=QUERY, roles=READERS, response=LEDGER),
    Route("GET", "/ledger.csv", monthly, "月度台账 CSV（Excel 可直接打开）", query=QUERY, roles=READERS,
          response=TEXT, content="text/csv"),
]
