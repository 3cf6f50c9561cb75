"""A monthly bulletin as the bulletin service hands it to its page (for rendering the template)."""

from __future__ import annotations


def place(rank, change, code, name, total, efficiency, quality, attitude):
    return {"rank": rank, "change": change, "code": code, "name": name, "total": total, "components": {},
            "dimensions": {"efficiency": efficiency, "quality": quality, "attitude": attitude}}


def department(code, name, decided, on_time, rate, warning=0, yellow=0, red=0):
    return {"code": code, "name": name, "decided": decided, "on_time": on_time, "rate": rate, "warning": warning,
            "yellow": yellow, "red": red}


def sample(*, quiet: bool = False) -> dict:
    """November 2026; ``quiet``: a month with nothing at all, not even a ranked department."""
    tax = department("tax", "县税务局", 3, 2, 66.7, warning=1, yellow=1, red=1)
    market = department("market", "县市场监督管理局<script>", 3, 3, 100.0)
    trend = [{"month": f"2025-{m:02d}", "decided": 0, "rate": None} for m in (12,)] + [
        {"month": f"2026-{m:02d}", "decided": 10 * m, "rate": 80.0 + m} for m in range(1, 12)]
    return {
        "month": "2026-11", "from": "2026-11-01", "to": "2026-11-30", "final": not quiet,
        "cases": {"received": 0 if quiet else 4, "completed": 0 if quiet else 3, "decided": 0 if quiet else 6},
        "grades": {"warning": 0 if quiet else 1, "yellow": 0 if quiet else 1, "red": 0 if quiet else 1, "cases": [] if quiet else [
            {"grade": "warning", "number": "YS20261102-0002", "department": "tax", "department_name": "县税务局",
             "item": "tax-registration", "on": "2026-11-03"},
            {"grade": "red", "number": "YS20261102-0002", "department": "tax", "department_name": "县税务局",
             "item": "tax-registration", "on": "2026-11-20"}]},
        "on_time": {"rate": None if quiet else 83.3, "departments": [] if quiet else [market, tax],
                    "trend": [{**m, "rate": None} for m in trend] if quiet else trend},
        "ranking": {"kind": "month", "period": "2026-11", "scope": "department", "from": "2026-11-01",
                    "to": "2026-11-30", "frozen": not quiet, "places": [] if quiet else [
                        place(1, 2, "market", "县市场监督管理局<script>", 92.5, 100.0, 80.0, None),
                        place(2, None, "tax", "县税务局", 61.25, 55.0, 70.0, 60.0),
                        place(2, -1, "hrss", "县人力资源和社会保障局", 61.25, 55.0, 70.0, 60.0),
                        place(None, None, "fire", "县消防救援大队", None, None, None, None)]},
        "dissatisfied": {"count": 0 if quiet else 1, "closed": 0 if quiet else 1, "on_time": 0, "ratings": [] if quiet else [
            {"number": "YS20261102-0004", "score": 1, "department": "market", "department_name": "县市场监督管理局",
             "due_on": "2026-11-23", "closed_on": "2026-11-25", "on_time": False}]},
        "most_overdue": [] if quiet else [tax],
    }
