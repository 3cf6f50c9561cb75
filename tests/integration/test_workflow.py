"""The workflow on a real database: atomic saves, no lost updates, the deadline job, the audit trail."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from onething.domain.states import IllegalTransition, State, TaskState
from onething.services.audit import Broken, check_all, check_case
from onething.services.case_store import Actor
from onething.services.reference import load_calendar, load_catalog
from onething.services.workflow import Workflow
from storage import db
from tests.support.apps import migrated
from storage.models import Application, AuditEvent, Notification, ReviewTask
from tests.support.cases import MONDAY, Clock, draft

CLERK = Actor("staff:clerk", "clerk")
REVIEWER = Actor("staff:reviewer", "reviewer")


@pytest.fixture
async def flow(database_url):
    await migrated(database_url)
    async with db.database(database_url):
        yield Workflow(load_catalog(), load_calendar(), clock=Clock())


async def accepted_case(flow: Workflow) -> Application:
    row = await draft()
    await flow.submit(row.id, Actor(f"citizen:{row.applicant_id}", "citizen"))
    await flow.accept(row.id, CLERK)
    return row


async def test_one_intake_creates_every_first_stage_task_and_writes_trail_and_outbox(flow):
    row = await accepted_case(flow)
    tasks = await ReviewTask.filter(application_id=row.id)
    in_review = [t for t in tasks if t.state == TaskState.IN_REVIEW]
    assert [t.item for t in in_review] == ["business-licence"]
    assert len(tasks) == len(flow.catalog.things["business-opening"].items)
    assert [e.action for e in await AuditEvent.filter(application_id=row.id).order_by("seq")] == [
        "submit", "accept", "start_review"]
    assert await Notification.filter(application_id=row.id, kind="accepted").count() == 1


async def test_parallel_approvals_of_one_stage_lose_no_update(flow):
    row = await accepted_case(flow)
    licence = await ReviewTask.get(application_id=row.id, item="business-licence")
    await flow.approve(licence, REVIEWER, result_number="91330000MA2J000001")
    stage_two = await ReviewTask.filter(application_id=row.id, state=TaskState.IN_REVIEW)
    assert len(stage_two) >= 4
    await asyncio.gather(*(flow.approve(task, REVIEWER, result_number=f"R-{task.id}") for task in stage_two))
    await row.refresh_from_db()
    assert row.state == State.APPROVED
    assert await ReviewTask.filter(application_id=row.id).exclude(state=TaskState.APPROVED).count() == 0
    assert await check_case(row.id) is None


async def test_two_clerks_accepting_at_once_accept_once(flow):
    row = await draft()
    await flow.submit(row.id, CLERK)
    results = await asyncio.gather(flow.accept(row.id, CLERK), flow.accept(row.id, CLERK), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["IllegalTransition", "Loaded"]
    assert await AuditEvent.filter(application_id=row.id, action="accept").count() == 1


async def test_the_deadline_job_deems_intake_accepted_once_even_when_two_run(flow):
    row = await draft()
    await flow.submit(row.id, CLERK)
    flow.clock.now = MONDAY + timedelta(days=8)  # past 5 working days
    await asyncio.gather(flow.sweep(), flow.sweep())
    await row.refresh_from_db()
    assert row.state == State.IN_REVIEW
    events = await AuditEvent.filter(application_id=row.id, action="accept")
    assert len(events) == 1 and events[0].actor == "system" and "视为受理" in events[0].note
    assert await AuditEvent.filter(application_id=row.id, action="accept").count() == 1


async def test_tasks_are_warned_on_their_last_day_then_flagged_overdue(flow):
    row = await accepted_case(flow)  # the licence is promised in 1 working day: due Tuesday
    flow.clock.now = MONDAY + timedelta(days=1)
    await flow.sweep()
    licence = await ReviewTask.get(application_id=row.id, item="business-licence")
    assert licence.warned and not licence.overdue
    flow.clock.now = MONDAY + timedelta(days=2)
    await flow.sweep()
    await licence.refresh_from_db()
    assert licence.overdue
    assert [e.action for e in await AuditEvent.filter(application_id=row.id, item="business-licence")] == [
        "warned", "overdue"]


async def test_case_numbers_are_unique_and_sequential_per_day(flow):
    rows = await asyncio.gather(*(draft() for _ in range(8)))
    numbers = sorted(r.number for r in rows)
    assert len(set(numbers)) == 8
    assert all(n.startswith("YS20260302-") for n in numbers)
    seqs = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert seqs == list(range(seqs[0], seqs[0] + 8))


async def test_tampering_with_the_audit_trail_is_detected(flow):
    row = await accepted_case(flow)
    assert await check_case(row.id) is None
    event = await AuditEvent.get(application_id=row.id, seq=2)
    await AuditEvent.filter(id=event.id).update(note="改过的记录")
    assert await check_case(row.id) == 2
    assert Broken("case", row.number, 2, "altered") in await check_all()


async def test_illegal_moves_change_nothing(flow):
    row = await draft()
    with pytest.raises(IllegalTransition):
        await flow.accept(row.id, CLERK)
    await row.refresh_from_db()
    assert row.state == State.DRAFT and row.version == 0
    assert await AuditEvent.filter(application_id=row.id).count() == 0
