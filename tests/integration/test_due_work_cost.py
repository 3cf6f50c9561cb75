"""What keeps a county's queues and deadline sweep cheap: a department's queue is read a page at a
time in due order across both open states, and a tick writes only what it changed."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from onething.services import review_tasks
from onething.services.audit import check_case
from onething.domain.clock import tick
from onething.services.case_store import SYSTEM, Actor
from onething.services.reference import load_calendar, load_catalog
from onething.services.workflow import Workflow
from storage import db
from storage.models import ReviewTask
from tests.conftest import DATABASES
from tests.support.apps import migrated
from tests.support.databases import own_workflow
from tests.support.builders import d
from tests.support.cases import MONDAY, Clock, draft
from tests.support.queries import counted

CLERK = Actor("staff:clerk", "clerk")


@pytest.fixture
async def flow(database_url):
    await migrated(database_url)
    async with db.database(database_url):
        yield Workflow(load_catalog(), load_calendar(), clock=Clock())


async def licence_in_review(flow: Workflow) -> ReviewTask:
    row = await draft()
    await flow.submit(row.id, CLERK)
    await flow.accept(row.id, CLERK)
    return await ReviewTask.get(application_id=row.id, item="business-licence")


async def test_the_queue_pages_paused_and_running_tasks_together_nearest_due_first(flow, monkeypatch):
    monkeypatch.setattr(review_tasks, "PAGE_SIZE", 2)
    due = {"2026-03-09": "in_review", "2026-03-05": "paused", "2026-03-06": "in_review", "2026-03-04": "in_review",
           "2026-03-07": "paused"}
    department = f"queue-{uuid.uuid4().hex[:8]}"  # a department of its own: the database may hold other tests' tasks
    for day, state in due.items():
        task = await licence_in_review(flow)
        await ReviewTask.filter(id=task.id).update(due_on=d(day), state=state, department=department)
    reviewer = type("Session", (), {"role": "reviewer", "department": department})()
    pages = [await review_tasks.queue(flow.catalog, reviewer, None, page) for page in (1, 2, 3)]
    assert [[t["due_on"] for t in p["items"]] for p in pages] == [
        ["2026-03-04", "2026-03-05"], ["2026-03-06", "2026-03-07"], ["2026-03-09"]]
    assert [p["next"] for p in pages] == [2, 3, None]
    assert pages[0]["items"][1]["state"] == "paused"


async def test_a_tick_that_warns_one_item_updates_that_task_alone_and_keeps_the_trail_whole(flow):
    licence = await licence_in_review(flow)  # promised in 1 working day: warned on Tuesday
    others = await ReviewTask.filter(application_id=licence.application_id).exclude(id=licence.id).count()
    assert others >= 4  # the later stages' tasks, untouched by the tick
    flow.clock.now = MONDAY + timedelta(days=1)
    with counted() as sent:  # the sweep's work on one case (the database may hold other tests' due cases)
        loaded = await flow.act(licence.application_id, SYSTEM,
                                lambda case, now: tick(case, now, flow.calendar, flow.supervision.rules), ticked=True)
    assert loaded.saved
    assert len([q for q in sent if q.lstrip().upper().startswith('UPDATE "REVIEW_TASK"')]) == 1, sent
    await licence.refresh_from_db()
    assert licence.warned
    assert await check_case(licence.application_id) is None  # the head written with the case's own update


@pytest.fixture(params=DATABASES)
async def county(request, tmp_path):
    """A database of the test's own: the whole county's queue is every open task in it."""
    async with own_workflow(request.param, tmp_path) as flow:
        yield flow


async def test_the_county_queue_pages_every_departments_open_tasks_nearest_due_first(county, monkeypatch):
    monkeypatch.setattr(review_tasks, "PAGE_SIZE", 2)
    due = {"2026-03-09": ("in_review", "market"), "2026-03-05": ("paused", "tax"),
           "2026-03-06": ("in_review", "public-security"), "2026-03-04": ("in_review", "tax"),
           "2026-03-07": ("paused", "market")}
    for day, (state, department) in due.items():
        task = await licence_in_review(county)
        await ReviewTask.filter(application_id=task.application_id).exclude(id=task.id).update(state="waiting")
        await ReviewTask.filter(id=task.id).update(due_on=d(day), state=state, department=department)
    supervisor = type("Session", (), {"role": "supervisor", "department": None})()
    pages = [await review_tasks.queue(county.catalog, supervisor, None, page) for page in (1, 2, 3)]
    assert [[(t["due_on"], t["department"]) for t in p["items"]] for p in pages] == [
        [("2026-03-04", "tax"), ("2026-03-05", "tax")], [("2026-03-06", "public-security"), ("2026-03-07", "market")],
        [("2026-03-09", "market")]]
    assert [p["next"] for p in pages] == [2, 3, None]
