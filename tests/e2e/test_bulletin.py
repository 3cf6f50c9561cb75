"""The monthly bulletin (评估情况通报) over HTTP: November 2026 driven through the back office with a
fixed clock gives the expected figures, grades, ranking and bulletin; the ranking is frozen once
the month is over; the PDF is a PDF in Chinese; only supervisors and admins see any of it."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timezone

import pytest
from pypdf import PdfReader

from onething import tasks
from onething.keys import workflow_key
from onething.services.case_store import Actor
from storage.models import Evaluation, PublishedRanking, ReviewTask, SupervisionCount
from tests.conftest import DATABASES
from tests.support.apps import start_app
from tests.support.cases import draft
from tests.support.databases import fresh_database
from tests.support.staff_api import StaffApi

NOV_2 = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Shanghai
DAY = 86400


@pytest.fixture
async def office(aiohttp_server, aiohttp_client, tmp_path, database_url):
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url, now=NOV_2)
    return running, await aiohttp_client(running.server)


@pytest.fixture(params=DATABASES)
async def own_office(request, aiohttp_server, aiohttp_client, tmp_path):
    """On a database of its own: the session's PostgreSQL holds other tests' cases and rankings,
    which would count in November's figures or stand frozen in its place."""
    async with fresh_database(request.param, tmp_path) as url:
        running = await start_app(aiohttp_server, tmp_path, database_url=url, now=NOV_2)
        yield running, await aiohttp_client(running.server)
        await running.server.close()


def on(running, day: int) -> None:
    """The clock at 10:00 (Shanghai) on November ``day``."""
    running.app[workflow_key].clock.now = NOV_2.replace(day=day)


async def approve_all(client, running, reviewers: dict, case_id: int, leave: str | None = None) -> None:
    """Every item of the case approved by its department's reviewer, stage by stage, but ``leave``."""
    while tasks := [t for t in await ReviewTask.filter(application_id=case_id, state="in_review") if t.item != leave]:
        for task in tasks:
            if task.department not in reviewers:
                reviewers[task.department] = await StaffApi.login(
                    client, f"r-{task.department}-{uuid.uuid4().hex[:6]}", "reviewer", department=task.department)
            await reviewers[task.department].post(f"/tasks/{task.id}/approve", {"result_number": f"R{task.id}"})


async def test_a_month_of_cases_makes_the_bulletin_its_ranking_and_its_pdf(own_office):
    running, client = own_office
    flow = running.app[workflow_key]
    clerk = await StaffApi.login(client, "clerk-nov", "clerk")
    supervisor = await StaffApi.login(client, "supervisor-nov", "supervisor")
    reviewers: dict = {}
    cases = {}
    for name in ("prompt", "late", "refused", "unhappy"):
        row = await draft("business-opening")
        await flow.submit(row.id, Actor(f"citizen:{row.applicant_id}", "citizen"))
        cases[name] = row.id
    await clerk.post(f"/applications/{cases['refused']}/refuse", {"reason": "申请事项不属于本中心受理范围"})
    for name in ("prompt", "late", "unhappy"):
        await clerk.post(f"/applications/{cases[name]}/accept", {})
    for name in ("prompt", "unhappy"):
        await approve_all(client, running, reviewers, cases[name])
        await clerk.post(f"/applications/{cases[name]}/results-ready", {})
        await clerk.post(f"/applications/{cases[name]}/handover", {})
    await flow.evaluate(cases["prompt"], Actor("citizen:a", "citizen"), 5, "")
    await flow.evaluate(cases["unhappy"], Actor("citizen:d", "citizen"), 1, "等了很久")
    # the tax registration of "late" is left to its promised date (Nov 3) and beyond
    await approve_all(client, running, reviewers, cases["late"], leave="tax-registration")
    on(running, 3)
    await flow.sweep()  # its last day: a warning (预警)
    on(running, 4)
    await flow.sweep()  # past it: a yellow card (黄牌)
    follow_up = await Evaluation.get(application_id=cases["unhappy"])
    await supervisor.post(f"/follow-ups/{follow_up.id}/close", {"note": "已电话回访，说明办理情况"})
    on(running, 5)
    await approve_all(client, running, reviewers, cases["late"])
    await clerk.post(f"/applications/{cases['late']}/results-ready", {})
    await clerk.post(f"/applications/{cases['late']}/handover", {})

    running.app[workflow_key].clock.now = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
    await tasks.freeze_rankings({"app": running.app})  # the worker's job: the month and the week just ended
    stored = {(r.kind, r.period, r.scope): r.places for r in await PublishedRanking.all()}
    assert set(stored) == {("month", "2026-11", "department"), ("month", "2026-11", "window"),
                           ("week", "2026-W48", "department"), ("week", "2026-W48", "window")}
    assert [(p["code"], p["rank"]) for p in stored["month", "2026-11", "window"]] == [("staff:clerk-nov", 1)]
    bulletin = await supervisor.get("/supervision/bulletins/2026-11")
    assert bulletin["final"] is True
    assert bulletin["cases"] == {"received": 4, "completed": 3, "decided": 21}  # 7 items x 3 cases
    grades = bulletin["grades"]
    assert (grades["warning"], grades["yellow"], grades["red"]) == (1, 1, 0)
    assert {(g["grade"], g["department_name"], g["item"]) for g in grades["cases"]} == {
        ("warning", "县税务局", "tax-registration"), ("yellow", "县税务局", "tax-registration")}
    by_code = {d["code"]: d for d in bulletin["on_time"]["departments"]}
    assert (by_code["tax"]["decided"], by_code["tax"]["on_time"], by_code["tax"]["rate"]) == (3, 2, 66.7)
    assert by_code["market"]["rate"] == 100.0 and by_code["fire"]["rate"] is None
    assert bulletin["on_time"]["rate"] == round(100 * 20 / 21, 1)
    trend = bulletin["on_time"]["trend"]
    assert [m["month"] for m in trend][::11] == ["2025-12", "2026-11"] and trend[-1]["decided"] == 21
    assert all(m["rate"] is None for m in trend[:-1])
    assert bulletin["dissatisfied"]["count"] == 1
    assert (bulletin["dissatisfied"]["closed"], bulletin["dissatisfied"]["on_time"]) == (1, 1)
    assert [d["code"] for d in bulletin["most_overdue"]] == ["tax"]

    ranking = bulletin["ranking"]
    assert ranking["frozen"] is True
    ranked = [p for p in ranking["places"] if p["rank"] is not None]
    # four departments did all alike and share the first place, listed by code; the market, the lead
    # department that answers for the cases, carries the unhappy rating; tax, late once, comes last
    assert [(p["code"], p["rank"]) for p in ranked] == [
        ("housing-fund", 1), ("hrss", 1), ("medical-insurance", 1), ("public-security", 1), ("market", 5),
        ("tax", 6)]
    market = ranked[4]
    assert market["dimensions"] == {"efficiency": 100.0, "quality": 100.0, "attitude": 65.0}
    assert market["total"] == 89.5
    assert all(p["change"] is None for p in ranked)  # nobody was ranked in October
    assert len(ranking["places"]) == 17
    assert await supervisor.get("/supervision/rankings/month/2026-11") == ranking
    week = await supervisor.get("/supervision/rankings/week/2026-W45?scope=window")  # Nov 2-8
    assert (week["from"], week["frozen"]) == ("2026-11-02", True)
    assert [(p["code"], p["rank"]) for p in week["places"]] == [("staff:clerk-nov", 1)]
    await supervisor.get("/supervision/rankings/week/2026-11", expect=404)

    # published is published: a late correction of the figures does not rewrite November's ranking
    await SupervisionCount.filter(department="tax").delete()
    again = await supervisor.get("/supervision/bulletins/2026-11")
    assert again["most_overdue"] == [] and again["ranking"] == ranking

    headers = {"Authorization": f"Bearer {supervisor.token}"}
    page = await client.get("/staff/api/v1/supervision/bulletins/2026-11/print", headers=headers)
    html = await page.text()
    assert page.status == 200 and page.content_type == "text/html"
    assert html.count("<svg") == 2 and "近12个月按时办结率" in html and "县税务局" in html
    pdf = await client.get("/staff/api/v1/supervision/bulletins/2026-11/pdf", headers=headers)
    assert pdf.status == 200 and pdf.content_type == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(await pdf.read())).pages)
    for name in ("县税务局", "县市场监督管理局", "评估情况通报"):
        assert name in text.replace(" ", "").replace("\n", "")


async def test_only_supervisors_and_admins_see_the_bulletin_and_the_ranking(office):
    running, client = office
    for role, expect in (("supervisor", 200), ("admin", 200), ("clerk", 403), ("reviewer", 403),
                         ("manager", 403)):
        staff = await StaffApi.login(client, f"{role}-{uuid.uuid4().hex[:6]}", role,
                                     department="tax" if role == "reviewer" else None)
        for path in ("bulletins/2026-11", "bulletins/2026-11/print", "bulletins/2026-11/pdf",
                     "rankings/week/2026-W45"):
            response = await client.get(f"/staff/api/v1/supervision/{path}",
                                        headers={"Authorization": f"Bearer {staff.token}"})
            assert response.status == expect, (role, path)
    assert (await client.get("/staff/api/v1/supervision/bulletins/2026-11")).status == 401
    supervisor = await StaffApi.login(client, "supervisor-future", "supervisor")
    refused = await supervisor.get("/supervision/bulletins/2026-12", expect=404)  # not begun on Nov 2
    assert refused["error"]["code"] == "period_not_begun" and "2026-12" in refused["error"]["message"]
    await supervisor.get("/supervision/bulletins/2026-13", expect=404)
