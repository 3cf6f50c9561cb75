"""The supervisor's figures (监察数据): a period's figures of #15 §2 with their filters, each figure
linked to the cases behind it, and the same table as CSV.

The same service and roles as ``staff_api.figures`` (``onething.services.supervision_views``):
supervisors and admins. What the API's schema refuses before its handler runs (a period or a
code it does not know) is refused here by the page, beside the form, in Chinese.
"""

from __future__ import annotations

import math
from datetime import date
from urllib.parse import urlencode

from aiohttp import web

from onething.domain.calendar import local_date
from onething.domain.figures import FACTS, PERIODS
from onething.domain.refusals import Refused
from onething.domain.states import STATE_NAMES
from onething.keys import catalog_key, grades_key, workflow_key
from onething.services import supervision_views
from onething.web.errors import message_of
from .framework import Page, render

WATCH = ("supervisor", "admin")
ASKED = ("period", "on", "start", "end", "department", "window", "thing", "item", "by")
DRILL_ASKED = ("fact", "bucket", "page")
CASES_PAGE = 50
API_CASES, CONSOLE_CASES = "/staff/api/v1/supervision/cases?", "/staff/figures/cases?"
PERIOD_NAMES = {"day": "日", "week": "周", "month": "月", "range": "自定义期间"}
BY_NAMES = {"department": "部门", "window": "窗口", "thing": "一件事", "item": "事项"}
STATES = {state.value: name for state, name in STATE_NAMES.items()}


def _today(request: web.Request) -> date:
    return local_date(request.config_dict[workflow_key].clock())


def _names(request: web.Request) -> dict[str, dict[str, str]]:
    catalog = request.config_dict[catalog_key]
    return {"department": {c: d.name for c, d in catalog.departments.items()},
            "thing": {c: t.name for c, t in catalog.things.items()},
            "item": {c: f"{t.name} · {i.name}" for t in catalog.things.values() for c, i in t.items.items()}}


def typed(request: web.Request, fields: tuple[str, ...] = ASKED) -> dict[str, str]:
    """What was asked in the address, as typed (short, trimmed; empty fields left out)."""
    return {k: v for k in fields if (v := request.query.get(k, "").strip()[:80])}


def checked(asked: dict[str, str], names: dict[str, dict[str, str]]) -> dict:
    """The query the service takes, or the refusal of what the API's schema would not let through."""
    if asked.get("period", "month") not in PERIODS:
        raise Refused("console_sup.period_unknown", status=422)
    for field in ("department", "thing", "item"):
        if field in asked and asked[field] not in names[field]:
            raise Refused(f"console_sup.{field}_unknown", status=422, details={"given": asked[field]})
    out: dict = {**asked, "by": asked.get("by") if asked.get("by") in BY_NAMES else "department"}
    if "fact" in asked and asked["fact"] not in FACTS:
        raise Refused("console_sup.fact_unknown", status=422)
    if "bucket" in asked:
        if not asked["bucket"].isdigit() or int(asked["bucket"]) > 10000:
            raise Refused("console_sup.fact_unknown", status=422)
        out["bucket"] = int(asked["bucket"])
    raw = asked.get("page", "1")
    out["page"] = int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1
    return out


def _console(links: dict[str, str]) -> dict[str, str]:
    # the service links each figure to the API's list of cases; the console lists them on its own page
    return {figure: link.replace(API_CASES, CONSOLE_CASES, 1) for figure, link in links.items()}


def _chosen(request: web.Request, names: dict, **context) -> dict:
    return {"names": names, "periods": PERIOD_NAMES, "by_names": BY_NAMES, "today": _today(request).isoformat(),
            **context}


async def dashboard(request: web.Request) -> web.Response:
    names, asked = _names(request), typed(request)
    try:
        report = await supervision_views.report(checked(asked, names), _today(request), names,
                                                request.config_dict[grades_key])
    except Refused as exc:
        return render(request, "console/figures.html.j2", exc.status, **_chosen(
            request, names, asked=asked, report=None, refusal=message_of(request, exc)))
    report["cases"] = _console(report["cases"])
    for row in report["rows"]:
        # a row of no window (or no item) cannot be asked for in an address: an empty field is no filter
        row["cases"] = _console(row["cases"]) if row["key"] else {}
    csv = "/staff/figures.csv?" + urlencode({k: v for k, v in asked.items()})
    return render(request, "console/figures.html.j2", **_chosen(request, names, asked=asked, report=report, csv=csv))


async def export(request: web.Request) -> web.Response:
    names = _names(request)
    name, data = await supervision_views.csv(checked(typed(request), names), _today(request), names,
                                             request.config_dict[grades_key])
    return web.Response(body=data, content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def behind(request: web.Request) -> web.Response:
    """The cases behind one figure, a page at a time, each linking to the case's page."""
    names, asked = _names(request), typed(request, (*ASKED, *DRILL_ASKED))
    back = "/staff/figures?" + urlencode({k: v for k, v in asked.items() if k in ASKED})
    try:
        query = checked(asked, names)
        if "fact" not in query:
            raise Refused("console_sup.fact_unknown", status=422)
        found = await supervision_views.cases(query, _today(request), page_size=CASES_PAGE)
    except Refused as exc:
        return render(request, "console/figure_cases.html.j2", exc.status, names=names, back=back, found=None,
                      refusal=message_of(request, exc), facts=FACTS, states=STATES)
    pages = max(1, math.ceil(found["total"] / CASES_PAGE))
    here = {k: v for k, v in asked.items() if k != "page"}

    def link(page: int) -> str:
        return CONSOLE_CASES + urlencode({**here, "page": page})
    found["previous"] = link(found["page"] - 1) if found["page"] > 1 else ""
    found["next"] = link(found["page"] + 1) if found["page"] < pages else ""
    return render(request, "console/figure_cases.html.j2", names=names, back=back, found={**found, "pages": pages},
                  facts=FACTS, states=STATES)


PAGES = [
    Page("GET", "/figures", dashboard, WATCH, nav="监察数据"),
    Page("GET", "/figures/cases", behind, WATCH),
    Page("GET", "/figures.csv", export, WATCH),
]
