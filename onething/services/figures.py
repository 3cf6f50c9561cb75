"""Supervision figures (电子监察, issue #15 §2): counted as they happen, summed per period.

Every save of a case counts its facts (``onething.domain.facts``) in its own transaction: one
row per fact in ``supervision_fact`` (what a figure drills down to) and one counter per day,
department, window, thing, item, fact and bucket in ``supervision_count`` (what figures read).
A month's figures for a department are a sum over at most a few thousand counters, whatever
the number of cases. ``onething.services.recount`` counts the same figures from the cases
themselves, to check the counters.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from tortoise.functions import Sum

from onething.domain.facts import Fact
from onething.domain.figures import FACTS, Figures, Period, fold
from onething.domain.grades import DEFAULT_RULES, Grade, GradeRules
from storage import updates
from storage.models import SupervisionCount, SupervisionFact

BY = ("department", "window", "thing", "item")
PAGE = 100


def _filters(period: Period, department: str | None, window: str | None, item: str | None,
             thing: str | None) -> dict:
    asked = {"department": department, "window": window, "item": item, "thing": thing}
    return {"day__gte": period.start, "day__lte": period.end, **{k: v for k, v in asked.items() if v is not None}}


async def figures(period: Period, *, department: str | None = None, window: str | None = None,
                  item: str | None = None, thing: str | None = None, rules: GradeRules = DEFAULT_RULES) -> Figures:
    """Every figure of §2 for ``period`` (Shanghai days), narrowed by any of the filters.

    Case facts (received … completed, ratings, zero trips) count under the thing's lead department
    and no item, so filtering by ``item`` leaves only the item facts (timeliness, tacit approvals,
    grades). An empty period gives zero counts and None for every share and average."""
    rows = await SupervisionCount.filter(**_filters(period, department, window, item, thing)).annotate(
        total=Sum("n")).group_by("fact", "bucket").values("fact", "bucket", "total")
    return fold(period, {(r["fact"], r["bucket"]): int(r["total"] or 0) for r in rows}, rules.satisfied_scores)


async def figures_by(period: Period, by: str, *, department: str | None = None, window: str | None = None,
                     item: str | None = None, thing: str | None = None,
                     rules: GradeRules = DEFAULT_RULES) -> dict[str, Figures]:
    """The figures of ``period`` for every department (or window, thing, item) with a fact in it,
    in one query: what a ranking or a bulletin table needs. Keys are codes ("" for no window/item)."""
    if by not in BY:
        raise ValueError(f"figures by {by!r}: one of {', '.join(BY)}")
    rows = await SupervisionCount.filter(**_filters(period, department, window, item, thing)).annotate(
        total=Sum("n")).group_by(by, "fact", "bucket").values(by, "fact", "bucket", "total")
    counts: dict[str, dict[tuple[str, int], int]] = {}
    for r in rows:
        counts.setdefault(r[by], {})[(r["fact"], r["bucket"])] = int(r["total"] or 0)
    return {key: fold(period, c, rules.satisfied_scores) for key, c in sorted(counts.items())}


async def cases_behind(period: Period, fact: str, *, department: str | None = None, window: str | None = None,
                       item: str | None = None, thing: str | None = None, bucket: int | None = None,
                       offset: int = 0, limit: int = PAGE) -> tuple[list[dict], int]:
    """The cases behind one figure (drill-down): each counted fact with its case, oldest first,
    and how many there are in all. ``fact`` is a key of ``FACTS``."""
    if fact not in FACTS:
        raise ValueError(f"unknown fact {fact!r}")
    query = SupervisionFact.filter(fact=fact, **_filters(period, department, window, item, thing))
    if bucket is not None:
        query = query.filter(bucket=bucket)
    total = await query.count()
    rows = await query.order_by("day", "id").offset(offset).limit(limit).select_related("application")
    return [_behind(r) for r in rows], total


def _behind(row: SupervisionFact) -> dict:
    case = row.application
    return {"application_id": case.id, "number": case.number, "thing": row.thing, "state": case.state,
            "grade": Grade(case.grade).code, "day": row.day.isoformat(), "department": row.department,
            "window": row.window, "item": row.item, "fact": row.fact, "bucket": row.bucket}


async def count(application_id: int, day: date, facts: list[Fact], conn) -> None:
    """Count ``facts`` of one case on ``day``, in the caller's transaction (that of the change)."""
    await count_many([(application_id, day, facts)], conn)


async def count_many(counted: list[tuple[int, date, list[Fact]]], conn) -> None:
    """Count each case's facts on its day, in the caller's transaction: one INSERT of the facts and
    one statement adding to the counters, however many cases."""
    rows = [{"application_id": application_id, "day": day, "department": f.department, "window": f.window,
             "thing": f.thing, "item": f.item, "fact": f.fact, "bucket": f.bucket}
            for application_id, day, facts in counted for f in facts]
    if not rows:
        return
    await updates.insert_many(conn, SupervisionFact, rows)
    merged: dict[tuple, int] = {}
    for f in rows:
        key = (f["day"], f["department"], f["window"], f["thing"], f["item"], f["fact"], f["bucket"])
        merged[key] = merged.get(key, 0) + 1
    # one order for every writer: two saves never wait on each other in a cycle (None, no window, first)
    ordered = sorted(merged.items(), key=lambda kv: tuple((v is not None, v) for v in kv[0]))
    postgres = conn.capabilities.dialect == "postgres"
    values, params = [], []
    for key, n in ordered:
        first = len(params)
        values.append("(" + ", ".join(f"${first + i}" if postgres else "?" for i in range(1, 9)) + ")")
        params.extend([*key, n])
    columns = '"day", "department", "window", "thing", "item", "fact", "bucket"'  # WINDOW is reserved in SQL
    # One statement adding to each counter that exists: two saves counting the same counter at once
    # both count (the second waits on the first's row lock), never a lost update.
    await conn.execute_query(
        f'INSERT INTO "supervision_count" ({columns}, "n") VALUES {", ".join(values)} ON CONFLICT ({columns}) '
        f'DO UPDATE SET "n" = "supervision_count"."n" + excluded."n"', params)


def to_csv(rows: list[tuple[str, Figures]], heading: str) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads the Chinese right), CRLF; a cell that starts
    like a formula is quoted so that it stays text (as the issue ledger's CSV)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    names = [n for n in Figures.__dataclass_fields__ if n not in ("period", "start", "end", "rating_distribution")]
    writer.writerow([heading, "期间", "起", "止", *[CSV_NAMES.get(n, n) for n in names],
                     *[f"{s}分" for s in range(5, 0, -1)]])
    for key, f in rows:
        writer.writerow([_cell(key), f.period, f.start, f.end, *["" if getattr(f, n) is None else getattr(f, n)
                                                                 for n in names],
                         *[f.rating_distribution[str(s)] for s in range(5, 0, -1)]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


CSV_NAMES = {
    "received": "收件", "accepted": "受理", "deemed_accepted": "视为受理", "returned": "退回补正", "refused": "不予受理",
    "rejected": "不予许可", "overturned": "被撤销的不予受理、不予许可决定",
    "completed": "办结", "decided": "事项决定数", "on_time": "按时办结事项", "on_time_pct": "按时办结率%",
    "avg_days": "平均用时（工作日）", "p90_days": "90%用时（工作日）", "avg_promised_days": "平均承诺时限",
    "avg_legal_days": "平均法定时限", "compression_ratio": "承诺时限压缩比", "tacit_approvals": "超时默许",
    "warnings": "预警", "yellow_cards": "黄牌", "red_cards": "红牌", "ratings": "评价数", "satisfaction_pct": "满意率%",
    "dissatisfied": "不满意", "follow_ups_closed": "差评回访办结", "follow_ups_on_time_pct": "回访按期率%",
    "zero_trips": "跑零次", "zero_trip_pct": "跑零次占比%",
}


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
