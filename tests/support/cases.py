"""Helpers to set up cases straight through the services (for tests that start mid-workflow)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from onething.services import case_store
from onething.services.case_store import Actor
from storage.models import Application, Citizen, ReviewTask

MONDAY = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


class Clock:
    def __init__(self, now: datetime = MONDAY):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def citizen(**fields) -> Citizen:
    return await Citizen.create(openid=f"o-{uuid.uuid4().hex}", **fields)


async def draft(thing: str = "business-opening", applicant: Citizen | None = None, now: datetime = MONDAY) -> Application:
    applicant = applicant or await citizen()
    return await case_store.create_draft(thing, applicant, {"company_name": "某县青禾餐饮管理有限公司"}, now)


async def to_results_ready(flow, application_id: int) -> None:
    """Take a draft through submission, acceptance and every approval to results ready (the window's side)."""
    clerk, reviewer = Actor("staff:clerk", "clerk"), Actor("staff:reviewer", "reviewer")
    await flow.act(application_id, Actor("citizen:x", "citizen"), lambda case, now: case.submit(now, flow.calendar))
    await flow.accept(application_id, clerk)
    while open_tasks := await ReviewTask.filter(application_id=application_id, state="in_review"):
        for task in open_tasks:
            await flow.approve(task, reviewer, result_number=f"R{task.id}")
    await flow.results_ready(application_id, clerk)


async def fresh_rate_window(needed_seconds: float = 10, window_seconds: int = 60) -> None:
    """Rate limits count in fixed windows (storage.redis.hit_rate_limit): a test that counts hits
    starts early in one, so the count cannot roll over halfway through."""
    import asyncio
    import time

    left = window_seconds - time.time() % window_seconds
    if left < needed_seconds:
        await asyncio.sleep(left + 0.05)
