"""The catalog: departments, materials, items and the things (一件事) that bundle them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

# 行政许可法 §42: a legal limit may be extended once, with approval, by 10 working days; for
# joint or concurrent handling (联合办理、集中办理, §26) by 15 on the 45-day joint limit.
EXTENSION_DAYS = 10
JOINT_EXTENSION_DAYS = 15

@dataclass(frozen=True)
class Department:
    code: str
    name: str


@dataclass(frozen=True)
class Material:
    code: str
    name: str
    description: str
    max_size_mb: int
    reusable: bool


@dataclass(frozen=True)
class Requirement:
    material: str
    deferrable: bool


@dataclass(frozen=True)
class Produces:
    name: str
    number: bool
    handover: str  # paper | seal | none
    electronic: bool
    # The materials its certificate (电子证照) stands in for in later cases: never asked for again.
    stands_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class WarningRule:
    """When an item is warned (预警): once the working days left are at most a share of its
    promised limit (rounded down) or a number of days. Never as it starts: the threshold stays
    below the limit, so a 1-day item is warned on its last day, not on its first."""

    share: float | None = None
    days: int | None = None

    def threshold(self, limit: int) -> int:
        wanted = self.days if self.days is not None else math.floor(limit * (self.share or 0) + 1e-9)
        return max(0, min(wanted, limit - 1))


DEFAULT_WARNING = WarningRule(share=0.25)


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    department: str
    legal_limit: int
    promised_limit: int
    fee: int  # fen
    tacit_approval: bool
    fields: tuple[str, ...]
    produces: Produces
    materials: tuple[Requirement, ...]
    joint_handling: bool = False  # handled jointly or concurrently (§26): extended by 15, not 10
    warning: WarningRule = DEFAULT_WARNING

    @property
    def extension_days(self) -> int:
        return JOINT_EXTENSION_DAYS if self.joint_handling else EXTENSION_DAYS


@dataclass(frozen=True)
class Stage:
    code: str
    name: str
    items: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class Thing:
    code: str
    name: str
    summary: str
    keywords: tuple[str, ...]
    audience: str
    lead_department: str
    trips: int
    postable: bool
    items: Mapping[str, Item]
    stages: tuple[Stage, ...]  # in an order where every stage comes after those it depends on
    form: Mapping[str, Any]
    aliases: tuple[str, ...] = ()  # how people name it (生孩子, 上户口): the bot's matching reads these too

    def stage_of(self, item_code: str) -> Stage:
        return next(stage for stage in self.stages if item_code in stage.items)

    def first_stages(self) -> tuple[Stage, ...]:
        return tuple(stage for stage in self.stages if not stage.after)

    def required_materials(self) -> dict[str, bool]:
        """Every material once, with whether it may come later (deferrable for every item needing it)."""
        needed: dict[str, bool] = {}
        for item in self.items.values():
            for req in item.materials:
                needed[req.material] = needed.get(req.material, True) and req.deferrable
        return needed

    def promised_days(self) -> int:
        return self._critical_path(lambda item: item.promised_limit)

    def legal_days(self) -> int:
        return self._critical_path(lambda item: item.legal_limit)

    def _critical_path(self, length) -> int:
        finish: dict[str, int] = {}
        for stage in self.stages:  # already in dependency order
            start = max((finish[dep] for dep in stage.after), default=0)
            finish[stage.code] = start + max(length(self.items[code]) for code in stage.items)
        return max(finish.values(), default=0)


@dataclass(frozen=True)
class Catalog:
    departments: Mapping[str, Department]
    materials: Mapping[str, Material]
    things: Mapping[str, Thing]
    warning: WarningRule = DEFAULT_WARNING  # the catalog's default; an item may set its own

    def item(self, code: str) -> tuple[Thing, Item]:
        for thing in self.things.values():
            if code in thing.items:
                return thing, thing.items[code]
        raise KeyError(code)
