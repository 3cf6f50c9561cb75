"""Rendering cases for the supervision pages of the console (figures, the cases behind a figure,
the ranking, the bulletin), as their handlers fill them: ``tests/unit/test_console_templates.py``
renders each in strict mode."""

from __future__ import annotations

from onething.domain.figures import FACTS, Figures
from staff_console.bulletin import DIMENSION_NAMES, KIND_NAMES, SCOPE_NAMES
from staff_console.figures import BY_NAMES, PERIOD_NAMES, STATES
from tests.support.bulletins import place
from tests.support.console_rest_templates import ADMIN, SUPERVISOR

NAMES = {"department": {"market": "县市场监督管理局", "tax": "县税务局"}, "thing": {"business-opening": "企业开办"},
         "item": {"tax-registration": "企业开办 · 税务登记"}}
LINK = "/staff/figures/cases?period=month&on=2026-03-02&fact="
SHOWN_LINK = LINK.replace("&", "&amp;")  # as the page writes it
FIGURES = Figures("2026-03", "2026-03-01", "2026-03-31", received=4, completed=3, decided=7, on_time=6,
                  on_time_pct=85.7, avg_days=2.5, p90_days=4, compression_ratio=0.25, yellow_cards=1, ratings=2,
                  satisfaction_pct=50.0, rating_distribution={"5": 1, "4": 0, "3": 0, "2": 0, "1": 1}).as_dict()
EMPTY = Figures("2026-03", "2026-03-01", "2026-03-31").as_dict()
REPORT = {"period": "month", "label": "2026-03", "start": "2026-03-01", "end": "2026-03-31", "filters": {},
          "figures": FIGURES, "by": "department",
          "cases": {"received": LINK + "received", "on_time_pct": LINK + "on_time", "ratings": LINK + "rating",
                    "yellow_cards": LINK + "yellow"},
          "rows": [{"key": "tax", "name": "县税务局", "figures": EMPTY, "cases": {"received": LINK + "received&department=tax"}}]}
SHOWN = {"names": NAMES, "periods": PERIOD_NAMES, "by_names": BY_NAMES, "today": "2026-03-02"}
FOUND = {"fact": "yellow", "period": "2026-03", "page": 2, "pages": 3, "total": 120, "previous": LINK + "yellow&page=1",
         "next": LINK + "yellow&page=3", "items": [
             {"application_id": 8, "number": "YS20260302-0002", "thing": "business-opening", "state": "in_review",
              "grade": "yellow", "day": "2026-03-06", "department": "tax", "window": "staff:li",
              "item": "tax-registration", "fact": "yellow", "bucket": 0}]}
BOARD = {"kind": "week", "period": "2026-W10", "scope": "department", "from": "2026-03-02", "to": "2026-03-08",
         "frozen": True, "places": [place(1, 2, "market", "县市场监督管理局", 92.5, 100.0, 80.0, None),
                                    place(2, -1, "tax", "县税务局", 61.25, 55.0, 70.0, 60.0),
                                    place(None, None, "fire", "县消防救援大队", None, None, None, None)]}
RANKING = {"kinds": KIND_NAMES, "scopes": SCOPE_NAMES, "dimensions": DIMENSION_NAMES, "kind": "week",
           "scope": "department", "period": "2026-W10"}

CASES = {
    "figures.html.j2": [
        ({**SUPERVISOR, **SHOWN, "asked": {"department": "tax"}, "report": REPORT, "csv": "/staff/figures.csv?department=tax"},
         ["2026-03-01 至 2026-03-31", "85.7%", SHOWN_LINK + "on_time", SHOWN_LINK + "rating&amp;bucket=1", "1 分：1",
          '<option value="tax" selected>', "/staff/figures.csv?department=tax", "按部门", "县税务局", "2.5 个工作日"]),
        ({**ADMIN, **SHOWN, "asked": {"department": "nowhere"}, "report": None,
          "refusal": "没有编码为“nowhere”的部门，请从列表中选择。"}, ["没有编码为“nowhere”的部门", 'class="refusal"'])],
    "figure_cases.html.j2": [
        ({**SUPERVISOR, "names": NAMES, "back": "/staff/figures?period=month", "found": FOUND, "facts": FACTS,
          "states": STATES}, [FACTS["yellow"], "/staff/cases/8", "YS20260302-0002", "企业开办 · 税务登记", "黄牌",
                              "共 120 件，第 2 / 3 页", SHOWN_LINK + "yellow&amp;page=3", "返回监察数据"]),
        ({**SUPERVISOR, "names": NAMES, "back": "/staff/figures", "found": None, "facts": FACTS, "states": STATES,
          "refusal": "没有这个统计项。"}, ["没有这个统计项"])],
    "ranking.html.j2": [
        ({**SUPERVISOR, **RANKING, "board": BOARD, "published": ["2026-W10", "2026-W09"], "previous": "2026-W09",
          "following": ""}, ["已发布，排名固定不变", "↑2", "↓1", "92.50", "未排名", "period=2026-W09", "上一期（2026-W09）"]),
        ({**ADMIN, **RANKING, "board": None, "published": [], "period": "2026-13",
          "refusal": "期间“2026-13”的写法不对"}, ["期间“2026-13”的写法不对", "尚无已发布的排名"])],
    "bulletin.html.j2": [
        ({**SUPERVISOR, "month": "2026-02"}, ['src="/staff/bulletins/2026-02/print"', "/staff/bulletins/2026-02/pdf",
                                              'data-print-frame="bulletin-frame"']),
        ({**SUPERVISOR, "month": "2026-13", "refusal": "期间“2026-13”的写法不对"}, ["期间“2026-13”的写法不对"])],
}
