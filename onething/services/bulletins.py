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
from tortoise.functions import Sum

from onething.domain import ranking
from onething.domain.calendar import local_date
from onething.domain.catalog import Catalog
from onething.domain.figures import Figures, Period, share
from onething.domain.grades import GradeRules
from onething.domain.ranking import Rules, UnitFigures
from onething.services import figures, rankings
from storage.models import Evaluation, SupervisionCount

TREND_MONTHS = 12
MOST_OVERDUE = 5
LISTED = 200  # cases listed under each grade; the count says how many there were in all
GRADES = ("warning", "yellow", "red")


class Desk:
    """What the bulletin needs at hand: the departments' names and the grading and ranking rules."""

    def __init__(self, catalog: Catalog, grades: GradeRules, rules: Rules):
        self.grades, self.rules = grades, rules
        self.names = {code: d.name for code, d in catalog.departments.items()}

    async def figures_for(self, kind: str, key: str, scope: str) -> list[UnitFigures]:
        """The ranking's figures: every department (listed even without a case), or every window with one."""
        period = Period(kind, *ranking.period_bounds(kind, key))
        rows = await figures.figures_by(period, scope, rules=self.grades)
        names = self.names if scope == "department" else {code: code for code in rows if code}
        return [unit_figures(code, name, rows.get(code), self.grades) for code, name in names.items()]

    async def bulletin(self, month: str, today: date, now: datetime) -> dict:
        rankings.check_period("month", month, today)
        period = Period("month", *ranking.period_bounds("month", month))
        total = await figures.figures(period, rules=self.grades)
        rows = await figures.figures_by(period, "department", rules=self.grades)
        departments = [_department(code, name, rows.get(code)) for code, name in self.names.items()]
        overdue = sorted((d for d in departments if d["yellow"] + d["red"]),
                         key=lambda d: (-(d["yellow"] + d["red"]), -d["red"], d["code"]))[:MOST_OVERDUE]
        return {
            "month": month, "from": period.start.isoformat(), "to": period.end.isoformat(),
            "final": period.end < today,
            "cases": {"received": total.received, "completed": total.completed, "decided": total.decided},
            "grades": {"warning": total.warnings, "yellow": total.yellow_cards, "red": total.red_cards,
                       "cases": await self._graded(period)},
            "on_time": {"rate": total.on_time_pct, "departments": departments, "trend": await self._trend(period)},
            "ranking": await rankings.ranking_of(self.rules, self.figures_for, "month", month, "department",
                                                 today, now),
            "dissatisfied": await self._dissatisfied(period, total),
            "most_overdue": overdue,
        }

    async def _graded(self, period: Period) -> list[dict]:
        listed = []
        for grade in GRADES:
            rows, _ = await figures.cases_behind(period, grade, limit=LISTED)
            listed += [{"grade": grade, "number": r["number"], "department": r["department"],
                        "department_name": self.names.get(r["department"], r["department"]), "item": r["item"],
                        "on": r["day"]} for r in rows]
        return sorted(listed, key=lambda g: (g["on"], g["number"], g["item"]))

    async def _dissatisfied(self, period: Period, total: Figures) -> dict:
        """The month's dissatisfied ratings (效能告诫), each with where its follow-up stands."""
        rows, _ = await figures.cases_behind(period, "dissatisfied", limit=LISTED)
        ratings = {e.application_id: e for e in await Evaluation.filter(
            application_id__in=[r["application_id"] for r in rows])}
        listed = []
        for r in rows:
            rating = ratings.get(r["application_id"])
            closed = rating.follow_up_closed_at if rating else None
            due = rating.follow_up_due_on if rating else None
            listed.append({"number": r["number"], "score": rating.score if rating else None,
                           "department": r["department"],
                           "department_name": self.names.get(r["department"], r["department"]),
                           "due_on": due.isoformat() if due else None,
                           "closed_on": local_date(closed).isoformat() if closed else None,
                           "on_time": bool(closed and due and local_date(closed) <= due)})
        return {"count": total.dissatisfied, "closed": sum(r["closed_on"] is not None for r in listed),
                "on_time": sum(r["on_time"] for r in listed), "ratings": listed}

    async def _trend(self, period: Period) -> list[dict]:
        """The on-time rate of the last 12 months, in one query over their days' counters."""
        months = [period]
        while len(months) < TREND_MONTHS:
            months.insert(0, months[0].previous())
        rows = await SupervisionCount.filter(day__gte=months[0].start, day__lte=period.end,
                                             fact__in=("decided", "on_time")).annotate(
            total=Sum("n")).group_by("day", "fact").values("day", "fact", "total")
        counted = {(m.label(), fact): 0 for m in months for fact in ("decided", "on_time")}
        for r in rows:
            counted[f"{r['day']:%Y-%m}", r["fact"]] += int(r["total"] or 0)
        return [{"month": m.label(), "decided": counted[m.label(), "decided"],
                 "rate": share(counted[m.label(), "on_time"], counted[m.label(), "decided"])} for m in months]


def unit_figures(code: str, name: str, f: Figures | None, grades: GradeRules) -> UnitFigures:
    """The ranking's reading of a unit's figures (a mean times its count gives back the sum)."""
    if f is None:
        return UnitFigures(code, name)
    satisfied = sum(f.rating_distribution.get(str(score), 0) for score in grades.satisfied_scores)
    return UnitFigures(
        code, name, decided=f.decided, on_time=f.on_time,
        days_taken=round((f.avg_days or 0) * f.decided), days_promised=round((f.avg_promised_days or 0) * f.decided),
        cases=f.received, corrections=f.returned, refusals=f.refused + f.rejected, overturned=f.overturned,
        ratings=f.ratings, satisfied=satisfied,
        follow_ups=f.follow_ups_closed,
        follow_ups_on_time=round((f.follow_ups_on_time_pct or 0) * f.follow_ups_closed / 100))


def _department(code: str, name: str, f: Figures | None) -> dict:
    f = f or Figures("", "", "")
    return {"code": code, "name": name, "decided": f.decided, "on_time": f.on_time, "rate": f.on_time_pct,
            "warning": f.warnings, "yellow": f.yellow_cards, "red": f.red_cards}


def render_html(templates: Environment, bulletin: dict, county: str = "") -> str:
    return templates.get_template("bulletin.html.j2").render(bulletin=bulletin, county=county)


async def render_pdf(html: str) -> bytes:
    """The same page as PDF (weasyprint, in a CJK font from the system); drawn off the event loop."""
    def draw() -> bytes:
        from weasyprint import HTML  # heavy: loaded with the first bulletin, not at startup

        return HTML(string=html).write_pdf()
    return await asyncio.to_thread(draw)
