"""Checking every hash-chained trail (cases, enterprises, issues) against its chain and its head."""

from __future__ import annotations

from dataclasses import dataclass

from onething.domain.audit import Break, Head, check
from onething.services import trails
from onething.services.trails import Trail


@dataclass(frozen=True)
class Broken:
    kind: str  # case | enterprise | issue
    owner: str  # the case number, the credit code, the issue id
    seq: int
    reason: str


async def check_trail(trail: Trail, owner_id: int) -> Break | None:
    rows = await trail.owner.filter(id=owner_id).values_list("trail_count", "trail_head")
    if not rows:
        return None
    count, head = rows[0]
    return check(await trails.read(trail, owner_id), Head(count, head))


async def check_case(application_id: int) -> int | None:
    """The number of the first event of a case's trail that does not check out, or None."""
    broken = await check_trail(trails.CASE, application_id)
    return broken.seq if broken else None


async def check_all() -> list[Broken]:
    """Every trail that does not check out, with its first bad event: cases, then enterprises, then issues."""
    broken = []
    for trail in trails.TRAILS:
        for owner_id, label in await trail.owner.all().order_by("id").values_list("id", trail.label):
            found = await check_trail(trail, owner_id)
            if found is not None:
                broken.append(Broken(trail.kind, str(label), found.seq, found.reason))
    return broken
