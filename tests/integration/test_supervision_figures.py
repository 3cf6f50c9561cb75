"""The supervision counters kept as cases change equal a recount from the cases themselves, on
SQLite and PostgreSQL; and the deadline sweep reads only the cases whose next check has come."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from onething.domain.figures import Period
from onething.services import case_store, figures, follow_ups, overturns
from onething.services.case_store import Actor
from onething.services.recount import recount
from onething.services.reference import load_calendar, load_catalog
from onething.services.staff import create_staff
from onething.services.workflow import Workflow
from onething.templating import make_environment
from storage import db
from storage.models import Application, Evaluation, ReviewTask, StaffNotice, StaffUser
from tests.conftest import DATABASES
from tests.support.apps import migrated
from tests.support.cases import Clock, draft, to_results_ready
from tests.support.databases import fresh_database

CLERK_A, CLERK_B = Actor("staff:clerk-a", "clerk"), Actor("staff:clerk-b", "clerk")
REVIEWER, SUPERVISOR = Actor("staff:reviewer", "reviewer"), Actor("staff:supervisor", "supervisor")


@pytest.fixture(params=DATABASES)
async def own_database(request, tmp_path):
    """A database of the test's own: the session's PostgreSQL holds other tests' cases, which the
    sweep would move on and count in these figures."""
    async with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
async def flow(own_database):
    await migrated(own_database)
    async with db.database(own_database):
        yield Workflow(load_catalog(), load_calendar(), clock=Clock())  # Monday 2026-03-02, 10:00 Shanghai


@pytest.fixture
async def early_flow(database_url):
    """On the session's database, in September 2025: before any other test's deadline, so nothing
    of theirs is due."""
    await migrated(database_url)
    async with db.database(database_url):
        yield Workflow(load_catalog(), load_calendar(), clock=Clock(datetime(2025, 9, 8, 2, 0, tzinfo=timezone.utc)))


def citizen(row) -> Actor:
    return Actor(f"citizen:{row.applicant_id}", "citizen")


async def days_pass(flow: Workflow, days: int) -> None:
    for _ in range(days):
        flow.clock.now += timedelta(days=1)
        await flow.sweep()


async def a_month(flow: Workflow) -> dict[str, int]:
    """Five cases of 企业开办 through most of what supervision counts, a sweep each day."""
    await create_staff("police-reviewer", "reviewer", "correct-horse-battery", department="public-security")
    late, happy, refused, silent, unhappy = [await draft() for _ in range(5)]
    for row in (late, happy, refused, silent):  # unhappy: submitted on the way to its results
        await flow.submit(row.id, citizen(row))
    await flow.accept(late.id, CLERK_A)
    licence = await ReviewTask.get(application_id=late.id, item="business-licence")
    await flow.approve(licence, REVIEWER, result_number="R-1")  # on its first day: on time
    await flow.return_for_correction(happy.id, CLERK_B, ["公司章程未签字"])
    await flow.refuse(refused.id, CLERK_A, "不属于本中心受理范围")
    await days_pass(flow, 1)
    await flow.resubmit(happy.id, citizen(happy))
    await to_results_ready(flow, unhappy.id)
    await flow.hand_over(unhappy.id, CLERK_A, "collect")
    await flow.evaluate(unhappy.id, citizen(unhappy), 2, "等了很久")
    await flow.accept(happy.id, CLERK_B)
    while open_tasks := await ReviewTask.filter(application_id=happy.id, state="in_review"):
        for task in open_tasks:
            await flow.approve(task, REVIEWER, result_number=f"R{task.id}")
    await flow.results_ready(happy.id, CLERK_B)
    await flow.hand_over(happy.id, CLERK_B, "deliver")
    await flow.evaluate(happy.id, citizen(happy), 5, "")
    await days_pass(flow, 12)  # late's second stage goes warned, yellow, red; silent is deemed accepted
    late_tasks = await ReviewTask.filter(application_id=late.id, state="in_review")
    for task in late_tasks[:2]:
        await flow.approve(task, REVIEWER, result_number=f"R{task.id}")  # long after their promised day
    await flow.reject(late_tasks[2], REVIEWER, "前置审批未取得")
    # both refusals overturned: the window's on review, the department's on a complaint
    await overturns.overturn(flow, make_environment(), refused.id, None, "review", "县政复决字〔2026〕12号", SUPERVISOR)
    await overturns.overturn(flow, make_environment(), late.id, late_tasks[2].item, "complaint", "", SUPERVISOR)
    evaluation = await Evaluation.get(application_id=unhappy.id)
    await follow_ups.close(flow, evaluation.id, SUPERVISOR, "已电话回访，申请人表示理解")
    return {"late": late.id, "happy": happy.id, "silent": silent.id}


FILTERS = [{}, {"department": "market"}, {"department": "public-security"}, {"window": "staff:clerk-a"},
           {"window": "system"}, {"item": "business-licence"}, {"item": "seal-filing"}, {"thing": "business-opening"},
           {"thing": "newborn"}]


async def test_the_counters_equal_a_recount_from_the_cases(flow):
    ids = await a_month(flow)
    march = Period.of("month", date(2026, 3, 2))
    periods = [march, Period.of("week", date(2026, 3, 2)), Period.of("day", date(2026, 3, 3)),
               Period.between(date(2026, 3, 5), date(2026, 3, 20)), Period.of("month", date(2026, 2, 1))]
    for period in periods:
        for asked in FILTERS:
            kept = await figures.figures(period, **asked)
            assert kept == await recount(period, flow.catalog, flow.calendar, **asked), (period, asked)

    month = await figures.figures(march)
    assert (month.received, month.returned, month.refused, month.accepted, month.deemed_accepted) == (6, 1, 1, 4, 1)
    assert (month.rejected, month.overturned) == (1, 2)
    assert (month.completed, month.zero_trips, month.zero_trip_pct) == (2, 1, 50.0)
    assert (month.ratings, month.dissatisfied, month.satisfaction_pct) == (2, 1, 50.0)
    assert month.rating_distribution == {"5": 1, "4": 0, "3": 0, "2": 1, "1": 0}
    assert (month.follow_ups_closed, month.follow_ups_on_time_pct) == (1, 100.0)
    assert month.tacit_approvals >= 1 and month.warnings >= 1 and month.yellow_cards >= 1 and month.red_cards >= 1
    assert 0 < month.on_time < month.decided and month.p90_days >= month.avg_days > 0
    assert month.compression_ratio < 1  # promised limits are shorter than the legal ones
    february = await figures.figures(Period.of("month", date(2026, 2, 1)))
    assert february.received == 0 and february.on_time_pct is None and february.p90_days is None

    by_window = await figures.figures_by(march, "window")
    assert by_window["system"].deemed_accepted == 1 and by_window["staff:clerk-b"].returned == 1
    behind, total = await figures.cases_behind(march, "red")
    assert total == len(behind) >= 1 and {c["application_id"] for c in behind} == {ids["late"], ids["silent"]}
    assert all(c["grade"] == "red" for c in behind)
    late = await Application.get(id=ids["late"])
    assert late.grade == 3  # its worst current grade
    told = await StaffNotice.filter(kind="grade", role="supervisor").values_list("payload", flat=True)
    assert {"warning", "yellow", "red"} <= {i["grade"] for p in told if p["application_id"] == late.id
                                            for i in p["items"]}
    police = await StaffUser.get(username="police-reviewer")
    theirs = await StaffNotice.filter(kind="grade", staff_id=police.id)
    assert theirs and all(i["department"] == "public-security" for n in theirs for i in n.payload["items"])
    assert any("《公章刻制（首套印章政府购买服务免费刻制）》（县公安局）" in n.text for n in theirs), [n.text for n in theirs]


async def test_the_sweep_reads_only_the_cases_whose_next_check_has_come(early_flow, monkeypatch):
    flow = early_flow  # Monday 2025-09-08
    row = await draft()
    await flow.submit(row.id, citizen(row))
    await flow.accept(row.id, CLERK_A)  # Monday: the licence is due Tuesday, warned on Tuesday
    assert (await Application.get(id=row.id)).next_check_on == date(2025, 9, 9)
    loads = []
    real_load = case_store.load_many

    async def counted(catalog, ids):
        loads.extend(ids)
        return await real_load(catalog, ids)

    monkeypatch.setattr(case_store, "load_many", counted)
    assert await flow.sweep() == 0 and loads == []  # nothing is due on Monday
    flow.clock.now += timedelta(days=1)
    assert await flow.sweep(budget=-1) == 0 and loads == []  # out of time: left for the next sweep
    assert await flow.sweep() == 1 and loads == [row.id]  # Tuesday: warned
    assert (await ReviewTask.get(application_id=row.id, item="business-licence")).warned
    assert (await Application.get(id=row.id)).next_check_on == date(2025, 9, 10)  # Wednesday: overdue
    loads.clear()
    assert await flow.sweep() == 0 and loads == []  # warned already: not read again today
