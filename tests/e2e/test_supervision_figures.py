"""Supervision figures over HTTP: supervisors and admins read a month's figures by department,
follow a figure to the cases behind it and take the table as CSV; nobody else may."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from onething.keys import workflow_key
from tests.conftest import PG_URL
from tests.support.people import Person
from tests.support.staff_api import StaffApi

# The counters are written with SQL of their own: PostgreSQL is where it must hold (the integration
# test checks SQLite too); which Redis is in use changes nothing here.
pytestmark = [pytest.mark.parametrize("database_url", ["postgres" if PG_URL else "sqlite"], indirect=True),
              pytest.mark.parametrize("redis_url", ["memory"], indirect=True)]
MONTH = "/supervision/figures?period=month&on=2026-03-02"


def name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def office(wired):
    running, client = wired
    staff = {role: await StaffApi.login(client, name(role), role, department="market" if role == "reviewer" else None)
             for role in ("clerk", "reviewer", "supervisor", "admin", "manager")}
    return running, client, staff


async def a_busy_week(running, client, staff) -> dict[str, dict]:
    """Monday: three cases; one accepted (its licence approved at once), one returned, one refused.
    Then the accepted case's second stage waits past its promised day and goes yellow."""
    clerk, reviewer = staff["clerk"], staff["reviewer"]
    cases = {}
    for kind in ("accepted", "returned", "refused"):
        person = await Person.login(client)
        cases[kind] = {"id": await person.submitted_case(running)}
    accepted = await clerk.post(f"/applications/{cases['accepted']['id']}/accept")
    licence = next(t for t in accepted["tasks"] if t["item"] == "business-licence")
    await reviewer.post(f"/tasks/{licence['id']}/approve", {"result_number": "91330100MA2KXXXX0A"})
    await clerk.post(f"/applications/{cases['returned']['id']}/return", {"problems": ["公司章程未签字"]})
    await clerk.post(f"/applications/{cases['refused']['id']}/refuse", {"reason": "不属于本中心受理范围"})
    flow = running.app[workflow_key]
    for _ in range(3):  # Tuesday to Thursday, the deadline job running each day
        flow.clock.now += timedelta(days=1)
        await flow.sweep()
    for kind in cases:
        cases[kind] = await clerk.get(f"/applications/{cases[kind]['id']}")
    return cases


async def test_a_supervisor_reads_the_month_drills_into_the_cases_and_exports_csv(office):
    running, client, staff = office
    cases = await a_busy_week(running, client, staff)
    supervisor, window = staff["supervisor"], f"staff:{staff['clerk'].username}"
    mine = f"{MONTH}&window={window}"  # the session's database holds other tests' cases of March too

    month = await supervisor.get(f"{mine}&by=department")
    figures = month["figures"]
    assert (month["label"], month["start"], month["end"]) == ("2026-03", "2026-03-01", "2026-03-31")
    assert month["filters"] == {"window": window}
    assert (figures["accepted"], figures["returned"], figures["refused"]) == (1, 1, 1)
    # the licence at once; the seal filing tacitly approved on Wednesday, the day after its promise
    assert (figures["decided"], figures["tacit_approvals"], figures["on_time_pct"]) == (2, 1, 50.0)
    assert (figures["avg_days"], figures["p90_days"]) == (1.0, 2)
    assert figures["yellow_cards"] >= 1 and figures["ratings"] == 0 and figures["satisfaction_pct"] is None
    assert (cases["accepted"]["grade"], cases["returned"]["grade"]) == ("yellow", "none")  # the worst of its items'
    assert {t["grade"] for t in cases["accepted"]["tasks"]} >= {"yellow", "none"}
    market = next(r for r in month["rows"] if r["key"] == "market")
    assert market["name"] == "县市场监督管理局" and market["figures"]["refused"] == 1

    returned = await supervisor.get(month["cases"]["returned"].removeprefix("/staff/api/v1"))
    assert returned["total"] == 1 and [c["number"] for c in returned["items"]] == [cases["returned"]["number"]]
    yellow = await supervisor.get(month["cases"]["yellow_cards"].removeprefix("/staff/api/v1"))
    assert {c["number"] for c in yellow["items"]} == {cases["accepted"]["number"]}
    assert all(c["grade"] in ("yellow", "red") and c["department"] != "market" for c in yellow["items"])
    received = await supervisor.get(f"/supervision/cases?fact=received&period=day&on=2026-03-02&page=1")
    assert received["total"] >= 3  # submissions count under no window: nobody at one had seen them yet

    by_window = await supervisor.get(f"{MONTH}&by=window&department=market")
    assert next(r for r in by_window["rows"] if r["key"] == window)["figures"]["accepted"] == 1
    nothing = await supervisor.get("/supervision/figures?period=month&on=2030-02-02")
    assert nothing["figures"]["received"] == 0 and nothing["figures"]["on_time_pct"] is None and nothing["rows"] == []

    response = await client.get(f"/staff/api/v1/supervision/figures.csv?period=week&on=2026-03-04&window={window}",
                                headers={"Authorization": f"Bearer {staff['admin'].token}"})
    assert response.status == 200 and response.content_type == "text/csv"
    assert "supervision-2026-W10-department.csv" in response.headers["Content-Disposition"]
    body = await response.read()
    assert body.startswith("\ufeff部门,期间".encode("utf-8"))
    lines = body.decode("utf-8-sig").split("\r\n")
    # received (under no window), accepted, deemed accepted, returned, refused
    assert any(line.startswith("县市场监督管理局,2026-W10,2026-03-02,2026-03-08,0,1,0,1,1,") for line in lines), lines
    assert lines[-2].startswith("合计,2026-W10,2026-03-02,2026-03-08,0,1,0,1,1,") and lines[-1] == ""


async def test_only_supervisors_and_admins_see_the_figures(office):
    _, client, staff = office
    for path in (MONTH, "/supervision/cases?fact=received", "/supervision/figures.csv"):
        for role in ("clerk", "reviewer", "manager"):
            response = await client.get(f"/staff/api/v1{path}",
                                        headers={"Authorization": f"Bearer {staff[role].token}"})
            assert response.status == 403, (path, role, await response.text())
        for role in ("supervisor", "admin"):
            response = await client.get(f"/staff/api/v1{path}",
                                        headers={"Authorization": f"Bearer {staff[role].token}"})
            assert response.status == 200, (path, role, await response.text())


async def test_a_period_that_cannot_be_counted_is_refused_in_words(office):
    _, _, staff = office
    refused = await staff["supervisor"].get("/supervision/figures?period=range&start=2026-03-05", expect=422)
    assert refused["error"]["code"] == "period_range_required"
    refused = await staff["supervisor"].get("/supervision/figures?period=range&start=2026-03-05&end=2026-03-01",
                                            expect=422)
    assert refused["error"]["code"] == "bad_period" and "截止日期不能早于起始日期" in refused["error"]["message"]
