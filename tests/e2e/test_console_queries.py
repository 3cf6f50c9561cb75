"""The console's list pages send the same few queries however many rows they show (no N+1)."""

from __future__ import annotations

from onething.keys import workflow_key
from onething.services.case_store import Actor
from storage.models import ReviewTask
from tests.support.console import ONE_BACKEND, Desk, submitted
from tests.support.queries import counted

pytestmark = ONE_BACKEND


async def _queries(desk: Desk, path: str) -> list[str]:
    with counted() as sent:
        await desk.get(path)
    return sent


async def test_the_intake_queue_costs_two_queries_for_two_cases_or_eight(wired):
    running, client = wired
    clerk = await Desk.sign_in(client, "clerk", "clerk")
    for _ in range(2):
        await submitted(running)
    few = await _queries(clerk, "/staff/intake")
    for _ in range(6):
        await submitted(running)
    many = await _queries(clerk, "/staff/intake")
    assert len(few) == len(many) == 2, many  # the page of rows, and the count


async def test_the_department_queue_costs_three_queries_however_long(wired):
    running, client = wired
    market = await Desk.sign_in(client, "market", "reviewer", "market")
    flow, clerk = running.app[workflow_key], Actor("staff:clerk", "clerk")
    await flow.accept(await submitted(running), clerk)
    few = await _queries(market, "/staff/tasks")
    for _ in range(5):
        await flow.accept(await submitted(running), clerk)
    many = await _queries(market, "/staff/tasks")
    assert len(few) == len(many) == 3, many  # each open state's tasks joined with their cases, and the count
    assert await ReviewTask.filter(department="market", state="in_review").count() >= 6
