"""A short-lived cache of what an applicant sees of a case, so following progress costs no queries.

Progress is what citizens check most, and it changes only when the case does: every change
(a workflow save, a document, the delivery choice, the form) drops the cached view, and the
TTL bounds what a read racing a write could leave behind. A view also names the working-day
calendar it was dated with (``revision``): once another year's schedule is imported, every
view dated before is a miss, in every process, whichever process imported it.
"""

from __future__ import annotations

import json

import redis.asyncio as aioredis

TTL_SECONDS = 30


def key(application_id: int) -> str:
    return f"case:view:{application_id}"


async def cached(redis: aioredis.Redis, application_id: int, revision: str) -> tuple[int, bytes] | None:
    """``(applicant id, the view as JSON bytes)``: kept serialised, so a hit is sent as it is."""
    return parse(await redis.get(key(application_id)), revision)


def parse(raw: bytes | None, revision: str) -> tuple[int, bytes] | None:
    if not raw:
        return None
    applicant, _, rest = raw.partition(b"\n")
    dated_with, _, view = rest.partition(b"\n")
    if dated_with.decode() != revision:
        return None
    return int(applicant), view


async def remember(redis: aioredis.Redis, application_id: int, applicant_id: int, view: dict,
                   revision: str) -> None:
    payload = f"{applicant_id}\n{revision}\n{json.dumps(view, ensure_ascii=False)}".encode()
    await redis.set(key(application_id), payload, ex=TTL_SECONDS)


async def forget(redis: aioredis.Redis, application_id: int) -> None:
    await redis.delete(key(application_id))
