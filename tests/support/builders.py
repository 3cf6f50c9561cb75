"""Builders for catalog data and cases, with defaults, so tests state only what matters."""

from __future__ import annotations

import copy
from datetime import date

from onething.domain.calendar import WorkCalendar, YearSchedule
from onething.domain.catalog_rules import build_catalog

DEPARTMENTS = {"departments": [{"code": "market", "name": "县市场监督管理局"},
                               {"code": "police", "name": "县公安局"}]}
MATERIALS = {"materials": [
    {"code": "id-card", "name": "申请人身份证", "max_size_mb": 10, "reusable": True},
    {"code": "articles", "name": "公司章程", "max_size_mb": 10},
    {"code": "lease", "name": "房屋租赁合同", "max_size_mb": 10},
]}


def item(code: str, *, department="market", legal=20, promised=3, fee=0, tacit=False, fields=("name",),
         materials=(("id-card", False),)) -> dict:
    return {
        "code": code, "name": f"事项{code}", "department": department, "legal_limit": legal,
        "promised_limit": promised, "fee": fee, "tacit_approval": tacit, "fields": list(fields),
        "produces": {"name": "证照", "number": True, "handover": "paper", "electronic": False},
        "materials": [{"code": m, "deferrable": d} for m, d in materials],
    }


def thing(code="opening", *, items=None, stages=None, form_fields=("name",)) -> dict:
    items = items or [item("licence"), item("seal", department="police", materials=(("lease", True),))]
    stages = stages or [{"code": "one", "items": ["licence"]}, {"code": "two", "after": ["one"], "items": ["seal"]}]
    return {
        "code": code, "name": "企业开办", "summary": "一次办好", "keywords": ["开公司"], "audience": "enterprise",
        "lead_department": "market", "trips": 0, "postable": True, "items": items, "stages": stages,
        "form": {"type": "object", "properties": {f: {"type": "string", "title": f} for f in form_fields}},
    }


def catalog(*things: dict, materials: dict | None = None, limits: dict | None = None):
    """``limits`` is the catalog's limits.yaml (its default warning rule); None: the built-in default."""
    return build_catalog(("departments.yaml", copy.deepcopy(DEPARTMENTS)),
                         ("materials.yaml", copy.deepcopy(materials or MATERIALS)),
                         [(f"{t['code']}.yaml", t) for t in (things or (thing(),))],
                         None if limits is None else ("limits.yaml", limits))


def plain_calendar(*years: int) -> WorkCalendar:
    """Weekends only: easy to count by hand."""
    return WorkCalendar(tuple(YearSchedule(y, frozenset(), frozenset()) for y in years or (2026,)))


def d(text: str) -> date:
    return date.fromisoformat(text)


def credit_code(seed: str | None = None) -> str:
    """A unified social credit code with a correct GB 32100 check character (random when no seed)."""
    import random
    import uuid

    from onething.domain import identity

    chars, weights = identity._CREDIT_CHARS, identity._CREDIT_WEIGHTS
    rng = random.Random(seed or uuid.uuid4().hex)
    body = "91" + "350100" + "".join(rng.choice(chars) for _ in range(9))
    total = sum(chars.index(c) * w for c, w in zip(body, weights))
    return body + chars[(31 - total % 31) % 31]


def id_number(seed: str | None = None) -> str:
    """A resident ID number with a correct GB 11643 check character (random when no seed)."""
    import random
    import uuid

    from onething.domain import identity

    rng = random.Random(seed or uuid.uuid4().hex)
    body = f"330102{rng.randint(1960, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + identity._ID_CHECK[sum(int(c) * w for c, w in zip(body, identity._ID_WEIGHTS)) % 11]
