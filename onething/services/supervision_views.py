"""What the supervision endpoints show (``/staff/api/v1/supervision/figures…``): a period's figures,
broken down by department, window, thing or item, each figure linked to the cases behind it,
and the same table as CSV. Supervisors and admins only (the routes say so)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from onething.domain.figures import Figures, Period
from onething.domain.grades import DEFAULT_RULES, GradeRules
from onething.domain.refusals import Refused
from onething.services import figures

FILTERS = ("department", "window", "thing", "item")
# figure -> the fact whose cases are behind it (a share drills down to its numerator's cases)
DRILL = {
    "received": "received", "accepted": "accepted", "deemed_accepted": "deemed_accepted", "returned": "returned",
    "refused": "refused", "rejected": "rejected", "overturned": "overturned", "completed": "completed",
    "decided": "decided", "on_time": "on_time",
    "on_time_pct": "on_time", "avg_days": "decided", "p90_days": "decided", "tacit_approvals": "tacit",
    "warnings": "warning", "yellow_cards": "yellow", "red_cards": "red", "ratings": "rating",
    "satisfaction_pct": "rating", "dissatisfied": "dissatisfied", "follow_ups_closed": "follow_up_closed",
    "follow_ups_on_time_pct": "follow_up_closed", "zero_trips": "zero_trip", "zero_trip_pct": "zero_trip",
}


def period_from(asked: dict, today: date) -> Period:
    """``period=day|week|month`` holding ``on`` (default today), or ``period=range`` from ``start`` to ``end``."""
    kind = asked.get("period") or "month"
    try:
        if kind == "range":
            if not asked.get("start") or not asked.get("end"):
                raise Refused("period_range_required", status=422)
            return Period.between(date.fromisoformat(asked["start"]), date.fromisoformat(asked["end"]))
        return Period.of(kind, date.fromisoformat(asked["on"]) if asked.get("on") else today)
    except ValueError:
        raise Refused("bad_period", status=422, details={"max_days": 366 * 2}) from None


def _filters(asked: dict) -> dict:
    return {k: asked[k] for k in FILTERS if asked.get(k) is not None}


def _names(by: str, key: str, names: dict[str, dict[str, str]]) -> str:
    if not key:
        return {"window": "（未经窗口）", "item": "（整件）"}.get(by, "")
    return names.get(by, {}).get(key, key)


async def report(asked: dict, today: date, names: dict[str, dict[str, str]],
                 rules: GradeRules = DEFAULT_RULES) -> dict:
    """The figures asked for, their drill-down links, and a row per department (window, thing,
    item) when ``by`` is asked. ``names`` maps each breakdown's codes to their Chinese names."""
    period, filters = period_from(asked, today), _filters(asked)
    total = await figures.figures(period, rules=rules, **filters)
    out = {"period": period.kind, "label": period.label(), "start": period.start.isoformat(),
           "end": period.end.isoformat(), "filters": filters, "figures": total.as_dict(),
           "cases": _links(asked, filters), "rows": []}
    if asked.get("by"):
        rows = await figures.figures_by(period, asked["by"], rules=rules, **filters)
        out["by"] = asked["by"]
        out["rows"] = [{"key": key, "name": _names(asked["by"], key, names), "figures": f.as_dict(),
                        "cases": _links(asked, {**filters, asked["by"]: key})} for key, f in rows.items()]
    return out


def _links(asked: dict, filters: dict) -> dict[str, str]:
    """For each figure, the query of the list of cases behind it (``GET …/supervision/cases?…``)."""
    base = {k: asked[k] for k in ("period", "on", "start", "end") if asked.get(k)}
    return {figure: "/staff/api/v1/supervision/cases?" + urlencode({**base, **filters, "fact": fact})
            for figure, fact in DRILL.items()}


async def cases(asked: dict, today: date, page_size: int = figures.PAGE) -> dict:
    period, page = period_from(asked, today), asked.get("page") or 1
    items, total = await figures.cases_behind(period, asked["fact"], bucket=asked.get("bucket"),
                                              offset=(page - 1) * page_size, limit=page_size, **_filters(asked))
    return {"fact": asked["fact"], "period": period.label(), "page": page, "total": total, "items": items}


async def csv(asked: dict, today: date, names: dict[str, dict[str, str]], rules: GradeRules = DEFAULT_RULES
              ) -> tuple[str, bytes]:
    """The breakdown (by department unless asked otherwise) with a total row, as CSV, and its file name."""
    period, filters, by = period_from(asked, today), _filters(asked), asked.get("by") or "department"
    rows = await figures.figures_by(period, by, rules=rules, **filters)
    table: list[tuple[str, Figures]] = [(_names(by, k, names), f) for k, f in rows.items()]
    table.append(("合计", await figures.figures(period, rules=rules, **filters)))
    heading = {"department": "部门", "window": "窗口", "thing": "一件事", "item": "事项"}[by]
    return f"supervision-{period.label().replace('..', '_')}-{by}.csv", figures.to_csv(table, heading)
