"""The one-time notice (一次性告知): computed from the catalog, never written by hand.

Every material once, with the items that need it and whether it may come later; the steps
(stages) in order with their departments, limits and fees; the promised time as the critical
path through the stages.
"""

from __future__ import annotations

from dataclasses import dataclass

from .catalog import Catalog, Thing


@dataclass(frozen=True)
class NoticeMaterial:
    code: str
    name: str
    description: str
    needed_by: tuple[str, ...]  # item names
    deferrable: bool
    reusable: bool
    max_size_mb: int


@dataclass(frozen=True)
class NoticeItem:
    code: str
    name: str
    department: str
    promised_days: int
    legal_days: int
    fee: int
    tacit_approval: bool
    result: str


@dataclass(frozen=True)
class NoticeStep:
    order: int
    code: str
    name: str
    after: tuple[str, ...]  # names of the steps it waits for
    items: tuple[NoticeItem, ...]


@dataclass(frozen=True)
class Notice:
    thing: str
    name: str
    summary: str
    audience: str
    lead_department: str
    materials: tuple[NoticeMaterial, ...]
    steps: tuple[NoticeStep, ...]
    total_fee: int
    promised_days: int
    legal_days: int
    trips: int
    postable: bool


def notice_for(catalog: Catalog, thing: Thing) -> Notice:
    deferrable = thing.required_materials()
    needed_by: dict[str, list[str]] = {code: [] for code in deferrable}
    for item in thing.items.values():
        for req in item.materials:
            needed_by[req.material].append(item.name)
    materials = tuple(
        NoticeMaterial(
            code=code, name=catalog.materials[code].name, description=catalog.materials[code].description,
            needed_by=tuple(needed_by[code]), deferrable=deferrable[code],
            reusable=catalog.materials[code].reusable, max_size_mb=catalog.materials[code].max_size_mb,
        )
        for code in deferrable
    )
    names = {stage.code: stage.name for stage in thing.stages}
    steps = tuple(
        NoticeStep(
            order=index, code=stage.code, name=stage.name, after=tuple(names[d] for d in stage.after),
            items=tuple(_item(catalog, thing, code) for code in stage.items),
        )
        for index, stage in enumerate(thing.stages, start=1)
    )
    return Notice(
        thing=thing.code, name=thing.name, summary=thing.summary, audience=thing.audience,
        lead_department=catalog.departments[thing.lead_department].name, materials=materials,
        steps=steps, total_fee=sum(item.fee for item in thing.items.values()),
        promised_days=thing.promised_days(), legal_days=thing.legal_days(), trips=thing.trips,
        postable=thing.postable,
    )


def _item(catalog: Catalog, thing: Thing, code: str) -> NoticeItem:
    item = thing.items[code]
    return NoticeItem(
        code=item.code, name=item.name, department=catalog.departments[item.department].name,
        promised_days=item.promised_limit, legal_days=item.legal_limit, fee=item.fee,
        tacit_approval=item.tacit_approval, result=item.produces.name,
    )
