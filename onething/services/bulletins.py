"""The monthly bulletin (评估情况通报): the month's supervision for the leaders, as data, a printable
page and a PDF of that same page.

Contents: the cases supervised; the warnings (预警), yellow (黄牌) and red cards (红牌) with their
cases; on-time rates per department and their 12-month trend; the month's efficiency ranking;
the dissatisfied ratings and their follow-up; the departments with the most overdue items.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from jinja2 import Environment

from onething.domain import ranking
from onething.domain.calendar import WorkCalendar
from onething.domain.catalog import Catalog
from onething.domain.ranking import Rules
from onething.services import bulletin_figures, rankings
from onething.services.bulletin_figures import Period

TREND_MONTHS = 12
MOST_OVERDUE = 5


class Desk:
    """What the bulletin needs at hand: the catalog's departments, the calendar and the ranking's rules."""

    def __init__(self, catalog: Catalog, calendar: WorkCalendar, rules: Rules):
        self.catalog, self.calendar, self.rules = catalog, calendar, rules
        self.names = {code: d.name for code, d in catalog.departments.items()}

    async def period(self, first: date, last: date) -> Period:
        return await bulletin_figures.period(self.catalog, self.calendar, first, last)

    async def figures_for(self, kind: str, key: str, scope: str) -> list[ranking.UnitFigures]:
        """The ranking's figures: departments only, as windows are not yet told apart in the trail."""
        if scope != "department":
            return []
        return bulletin_figures.unit_figures(await self.period(*ranking.period_bounds(kind, key)), self.names)

    async def bulletin(self, month: str, today: date, now: datetime) -> dict:
        rankings.check_period("month", month, today)
        first, last = ranking.period_bounds("month", month)
        figures = await self.period(first, last)
        ranked = await rankings.ranking_of(self.rules, self.figures_for, "month", month, "department", today, now)
        units = figures.units
        departments = [_department(code, name, units.get(code, {})) for code, name in self.names.items()]
        graded = [dict(g, department_name=self.names.get(g["department"], g["department"])) for g in figures.graded]
        overdue = sorted((d for d in departments if d["yellow"] + d["red"]),
                         key=lambda d: (-(d["yellow"] + d["red"]), -d["red"], d["code"]))[:MOST_OVERDUE]
        bad = [dict(b, department_names=[self.names.get(c, c) for c in b["departments"]])
               for b in figures.bad_ratings]
        totals = {k: sum(d[k] for d in departments) for k in ("decided", "on_time", "warning", "yellow", "red")}
        return {
            "month": month, "from": first.isoformat(), "to": last.isoformat(), "final": last < today,
            "cases": {"received": figures.received, "completed": figures.completed, "decided": totals["decided"]},
            "grades": {"warning": totals["warning"], "yellow": totals["yellow"], "red": totals["red"],
                       "cases": graded},
            "on_time": {"rate": _rate(totals["on_time"], totals["decided"]), "departments": departments,
                        "trend": await self._trend(month)},
            "ranking": ranked,
            "dissatisfied": {"count": len(bad), "closed": sum(b["closed_on"] is not None for b in bad),
                             "on_time": sum(b["on_time"] for b in bad), "ratings": bad},
            "most_overdue": overdue,
        }

    async def _trend(self, month: str) -> list[dict]:
        months = [month]
        while len(months) < TREND_MONTHS:
            months.insert(0, ranking.previous_period("month", months[0]))
        trend = []
        for key in months:
            period = await self.period(*ranking.period_bounds("month", key))
            decided = sum(u.get("decided", 0) for u in period.units.values())
            on_time = sum(u.get("on_time", 0) for u in period.units.values())
            trend.append({"month": key, "decided": decided, "rate": _rate(on_time, decided)})
        return trend


def _department(code: str, name: str, unit: dict) -> dict:
    decided, on_time = int(unit.get("decided", 0)), int(unit.get("on_time", 0))
    return {"code": code, "name": name, "decided": decided, "on_time": on_time, "rate": _rate(on_time, decided),
            "warning": int(unit.get("warning", 0)), "yellow": int(unit.get("yellow", 0)), "red": int(unit.get("red", 0))}


def _rate(part: int, whole: int) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


def render_html(templates: Environment, bulletin: dict, county: str = "") -> str:
    return templates.get_template("bulletin.html.j2").render(bulletin=bulletin, county=county)


async def render_pdf(html: str) -> bytes:
    """The same page as PDF (weasyprint, in a CJK font from the system); drawn off the event loop."""
    def draw() -> bytes:
        from weasyprint import HTML  # heavy: loaded with the first bulletin, not at startup

        return HTML(string=html).write_pdf()
    return await asyncio.to_thread(draw)
