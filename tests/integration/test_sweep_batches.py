"""The deadline sweep writes a batch of due cases in one transaction, and loses nothing doing so:
not a decision saved on one of them meanwhile, not the other cases when one of them fails."""

from __future__ import annotations

from datetime import timedelta

import pytest

from onething.domain.figures import Period
from onething.services import case_store, figures, sweep
from onething.services.audit import check_case
from onething.services.case_store import Actor
from onething.services.recount import recount
from onething.services.staff import create_staff
from onething.services.workflow import Workflow
from storage import updates
from storage.models import Application, AuditEvent, CreditFlag, ReviewTask, StaffNotice
from tests.conftest import DATABASES
from tests.support.cases import MONDAY, citizen, draft
from tests.support.databases import own_workflow
from tests.support.queries import counted

CLERK, REVIEWER = Actor("staff:clerk", "clerk"), Actor("staff:reviewer", "reviewer")
TUESDAY = MONDAY + timedelta(days=1)  # the licence, promised in 1 working day, is warned (预警)


@pytest.fixture(params=DATABASES)
async def flow(request, tmp_path):
    """A database of the test's own: every due case in it is this test's."""
    async with own_workflow(request.param, tmp_path) as flow:
        yield flow


async def accepted(flow: Workflow, n: int) -> list[int]:
    ids = []
    for _ in range(n):
        row = await draft()
        await flow.submit(row.id, CLERK)
        await flow.accept(row.id, CLERK)
        ids.append(row.id)
    return ids


def inserting(inserts: list[tuple[str, int]]):
    """``updates.insert_many``, noting each INSERT it makes: its table and how many rows."""
    real = updates.insert_many

    async def insert_many(conn, model, rows, now=None):
        if rows:
            inserts.append((model._meta.db_table, len(rows)))
        await real(conn, model, rows, now)
    return insert_many


async def warned(application_id: int) -> bool:
    return (await ReviewTask.get(application_id=application_id, item="business-licence")).warned


async def test_a_batch_of_due_cases_is_one_transaction_with_one_insert_of_each_kind(flow, monkeypatch):
    monkeypatch.setattr(sweep, "BATCH", 4)
    await create_staff("market-reviewer", "reviewer", "pw-1234567890", department="market")
    ids = await accepted(flow, 6)
    flow.clock.now = TUESDAY
    inserts = []
    monkeypatch.setattr(updates, "insert_many", inserting(inserts))
    with counted() as sent:
        assert await flow.sweep() == 6
    # 6 cases, 4 a batch: each batch's events, facts and notices in one INSERT of each kind; the two
    # batches run in their own lanes at once, so their statements may interleave
    assert sorted(inserts) == [("audit_event", 2), ("audit_event", 4), ("staff_notice", 4),
                               ("staff_notice", 8), ("supervision_fact", 2), ("supervision_fact", 4)], inserts
    assert len([q for q in sent if 'INTO "supervision_count"' in q]) == 2
    for application_id in ids:
        assert await warned(application_id)
        assert await check_case(application_id) is None  # each trail whole, its head in the case's row
        assert await AuditEvent.filter(application_id=application_id, item="business-licence",
                                       action="warned").count() == 1
        notices = [n for n in await StaffNotice.filter(kind="grade") if n.payload["application_id"] == application_id]
        assert sorted(n.role or "reviewer" for n in notices) == ["reviewer", "supervisor"]
        assert all("预警" in n.text for n in notices), [n.text for n in notices]
    assert await AuditEvent.filter(action="warned").count() == 6
    march = Period.of("month", MONDAY.date())
    for asked in ({}, {"department": "market"}, {"item": "business-licence"}):
        kept = await figures.figures(march, **asked)  # what the batch counted, one statement for 4 cases
        assert kept == await recount(march, flow.catalog, flow.calendar, **asked), asked
    assert (await figures.figures(march)).warnings == 6
    flow.clock.now += timedelta(hours=1)
    assert await flow.sweep() == 0  # dated again: nothing is due until the licence passes its date


async def test_a_decision_saved_while_the_batch_is_ticked_is_kept_and_the_case_swept_afresh(flow, monkeypatch):
    first, second = await accepted(flow, 2)
    flow.clock.now = TUESDAY
    loading = case_store.load_many

    async def meanwhile(catalog, ids):
        loaded = await loading(catalog, ids)
        licence = await ReviewTask.get(application_id=first, item="business-licence")
        await flow.approve(licence, REVIEWER, result_number="91330000MA2J000001")  # a reviewer, at that moment
        return loaded

    monkeypatch.setattr(case_store, "load_many", meanwhile)
    assert await flow.sweep() == 1  # the second warned; the first, approved meanwhile, has nothing to warn
    monkeypatch.setattr(case_store, "load_many", loading)
    licence = await ReviewTask.get(application_id=first, item="business-licence")
    assert licence.state == "approved" and not licence.warned
    assert await warned(second)
    assert await check_case(first) is None and await check_case(second) is None
    assert await AuditEvent.filter(application_id=first, action="approve_item").count() == 1


async def test_one_case_that_cannot_be_swept_does_not_stop_the_others(flow, monkeypatch, caplog):
    broken, fine = await accepted(flow, 2)
    flow.clock.now = TUESDAY
    ticking = sweep.tick

    def tick(case, now, calendar, rules):
        if any(task.id in broken_tasks for task in case.tasks):
            raise RuntimeError("a case the rules cannot read")
        return ticking(case, now, calendar, rules)

    broken_tasks = set(await ReviewTask.filter(application_id=broken).values_list("id", flat=True))
    monkeypatch.setattr(sweep, "tick", tick)
    assert await flow.sweep() == 1
    assert await warned(fine) and not await warned(broken)
    assert any("deadline sweep failed for a case" in r.message for r in caplog.records)
    monkeypatch.setattr(sweep, "tick", ticking)
    assert await flow.sweep() == 1  # mended, it is swept on the next run: it was never dated past today
    assert await warned(broken)


async def test_a_batch_finds_the_credit_flags_a_single_load_finds(flow):
    """规则 5: a blacklisted applicant gets no deferral, so the sweep's batch must see the same
    flags, on the person (their ID number's digest) and on the enterprise, as one case's load."""
    flagged_person = await citizen(id_number_digest="digest-of-a-flagged-number")
    cleared_person = await citizen(id_number_digest="digest-of-a-cleared-number")
    cases = [await draft(applicant=flagged_person), await draft(), await draft(), await draft(applicant=cleared_person)]
    await Application.filter(id=cases[1].id).update(enterprise_code="91330000MA2J00000X")
    for subject, key, active in (("citizen", "digest-of-a-flagged-number", True),
                                 ("enterprise", "91330000MA2J00000X", True),
                                 ("citizen", "digest-of-a-cleared-number", False)):
        await CreditFlag.create(subject=subject, key=key, hint="****", active=active, updated_by="staff:supervisor",
                                updated_at=MONDAY)
    batch = await case_store.load_many(flow.catalog, [c.id for c in cases])
    one_by_one = [await case_store.load(flow.catalog, c.id) for c in cases]
    assert [loaded.case.blacklisted for loaded in batch] == [True, True, False, False]
    assert [loaded.case.blacklisted for loaded in one_by_one] == [True, True, False, False]
