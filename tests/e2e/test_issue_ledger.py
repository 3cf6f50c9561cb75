"""对号销号 over HTTP: an issue escalates when its deadline passes, once, telling the next owner; it
closes only with a resolution, reopens only with a reason; the monthly ledger counts it."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date, timedelta

import pytest

from onething import tasks
from onething.keys import issues_key, workflow_key
from storage.models import IssueEvent
from tests.support.apps import start_app
from tests.support.cases import MONDAY, Clock
from tests.support.projects import enterprise, login


@pytest.fixture
async def office(aiohttp_server, aiohttp_client, tmp_path, database_url):
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url)
    running.app[workflow_key].clock = Clock()  # Monday 2026-03-02, 10:00 in Shanghai
    return running, await aiohttp_client(running.server)


async def a_project(client):
    manager, sup = await login(client, "manager"), await login(client, "supervisor")
    firm = await enterprise(manager=manager.username, name="某县青禾食品有限公司")
    project = await sup.post("/projects", {"enterprise_id": firm.id, "name": "年产5万吨食品加工项目",
                                           "level": "county", "stage": "construction"})
    return manager, sup, project


def test_the_worker_sweeps_for_overdue_issues_every_minute():
    assert tasks.escalate_issues in tasks.job_functions()
    assert tasks.Periodic(tasks.escalate_issues, 60) in tasks.periodic_jobs()


async def sweep(app) -> None:
    await tasks.escalate_issues({"app": app})


async def test_an_issue_escalates_on_time_once_and_closes_with_a_resolution(office):
    running, client = office
    clock, desk = running.app[workflow_key].clock, running.app[issues_key]
    manager, sup, project = await a_project(client)
    # The enterprise raises it through WeChat (the bot calls the service); its manager is told.
    issue = await desk.open_issue(project["id"], opened_by="contact:7", title="施工用电未接入", department="power-supply",
                                  requested_by=date(2026, 3, 6))
    [opened] = [n for n in (await manager.get("/inbox"))["items"] if n["payload"].get("issue_id") == issue.id]
    assert opened["kind"] == "issue_opened" and "施工用电未接入" in opened["text"] and "2026-03-06" in opened["text"]
    started = await manager.post(f"/issues/{issue.id}/start")
    assert started["state"] == "in_progress" and started["overdue"] is False

    clock.now = MONDAY + timedelta(days=4, hours=13)  # Friday 23:00 in Shanghai: still the requested day
    await sweep(running.app)
    assert (await manager.get(f"/issues/{issue.id}"))["level"]["index"] == 0

    clock.now = MONDAY + timedelta(days=5)  # Saturday: the deadline has passed
    assert (await manager.get(f"/issues/{issue.id}"))["overdue"] is True
    results = await asyncio.gather(desk.escalate_due(), desk.escalate_due(), sweep(running.app))  # three at once
    assert sum(r or 0 for r in results) <= 1
    detail = await manager.get(f"/issues/{issue.id}")
    assert detail["level"] == {"index": 1, "code": "service-centre", "name": "县重大项目服务处", "top": False}
    assert detail["due_on"] == "2026-03-13" and detail["overdue"] is False  # 5 working days after Saturday
    assert [e["action"] for e in detail["events"]] == ["open", "start", "escalate"]
    assert detail["events"][2]["actor"] == "system" and "升级至 县重大项目服务处" in detail["events"][2]["note"]
    assert await IssueEvent.filter(issue_id=issue.id, action="escalate").count() == 1
    # The next owner, the service centre (supervisors' shared inbox), is told once.
    notices = [n for n in (await sup.get("/inbox"))["items"] if n["payload"].get("issue_id") == issue.id]
    assert [n["kind"] for n in notices] == ["issue_escalated"] and notices[0]["shared_with"] == "supervisor"
    assert "在项目服务经理逾期未解决，已升级至县重大项目服务处" in notices[0]["text"]
    await sweep(running.app)  # nothing more is due
    assert await IssueEvent.filter(issue_id=issue.id, action="escalate").count() == 1

    refused = await sup.post(f"/issues/{issue.id}/close", {"resolution": "  "}, expect=422)
    assert refused["error"]["code"] == "resolution_required" and refused["error"]["message"] == "销号须写明解决结果。"
    closed = await sup.post(f"/issues/{issue.id}/close", {"resolution": "供电公司已完成临时用电接入"})
    assert closed["state"] == "closed" and closed["state_name"] == "已销号" and closed["closed_at"]
    again = await sup.post(f"/issues/{issue.id}/close", {"resolution": "x"}, expect=409)
    assert again["error"]["code"] == "already_closed"
    clock.now = MONDAY + timedelta(days=30)
    await sweep(running.app)
    assert (await sup.get(f"/issues/{issue.id}"))["level"]["index"] == 1  # closed issues stay where they were

    no_reason = await manager.post(f"/issues/{issue.id}/reopen", {}, expect=422)
    assert no_reason["error"]["code"] == "reason_required"
    reopened = await manager.post(f"/issues/{issue.id}/reopen", {"reason": "企业反映正式用电仍未接入"})
    assert reopened["state"] == "reopened" and reopened["resolution"] == "" and reopened["reopened"] == 1
    # the service centre's 5 working days again, from Wednesday 2026-04-01, over the Qingming holiday (4-6 April)
    assert reopened["due_on"] == "2026-04-09"
    assert [e["action"] for e in reopened["events"]][-2:] == ["close", "reopen"]
    assert reopened["events"][-1]["note"] == "企业反映正式用电仍未接入"
    told = [n for n in (await sup.get("/inbox"))["items"] if n["payload"].get("issue_id") == issue.id]
    assert [n["kind"] for n in told] == ["issue_reopened", "issue_escalated"]  # unread, newest first
    assert "原因：企业反映正式用电仍未接入" in told[0]["text"]


async def test_the_monthly_ledger_counts_each_managers_issues_as_json_and_csv(office):
    running, client = office
    clock, desk = running.app[workflow_key].clock, running.app[issues_key]
    manager, sup, project = await a_project(client)
    other, _, elsewhere = await a_project(client)
    late = await desk.open_issue(project["id"], opened_by=f"staff:{manager.username}", role="manager",
                                 title="环评批复未出", department="housing", requested_by=date(2026, 3, 3))
    done = await desk.open_issue(project["id"], opened_by="contact:1", title="消防验收排期", department="fire",
                                 requested_by=date(2026, 3, 20))
    await desk.open_issue(elsewhere["id"], opened_by="contact:2", title="供水接入", department="water-supply",
                          requested_by=date(2026, 3, 20))
    clock.now = MONDAY + timedelta(days=3)  # Thursday: "late" is past its date
    await sweep(running.app)
    await manager.post(f"/issues/{done.id}/close", {"resolution": "已安排3月10日验收"})

    mine = await manager.get("/ledger?month=2026-03&by=manager")
    assert mine["rows"] == [{"key": manager.username, "name": manager.username, "opened": 2, "open": 1,
                             "closed": 1, "overdue": 1, "escalated": 1}]
    assert mine["totals"]["opened"] == 2
    everyone = await sup.get("/ledger?month=2026-03&by=manager")
    rows = {r["key"]: r for r in everyone["rows"]}
    assert rows[manager.username]["opened"] == 2 and rows[other.username]["opened"] == 1
    by_department = await manager.get("/ledger?month=2026-03&by=department")
    assert {r["key"]: (r["name"], r["open"], r["closed"]) for r in by_department["rows"]} == {
        "housing": ("县住房和城乡建设局", 1, 0), "fire": ("县消防救援大队", 0, 1)}
    assert (await manager.get("/ledger?month=2026-02&by=manager"))["rows"][0]["opened"] == 0

    response = await client.get("/staff/api/v1/ledger?month=2026-03&by=manager",
                                headers={"Authorization": f"Bearer {manager.token}", "Accept": "text/csv"})
    raw = await response.read()
    assert response.status == 200 and response.content_type == "text/csv" and raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table == [["月份", "项目服务经理", "用户名", "新增", "未销号", "已销号", "逾期", "升级"],
                     ["2026-03", manager.username, manager.username, "2", "1", "1", "1", "1"]]
    dotted = await client.get("/staff/api/v1/ledger.csv?month=2026-03&by=department",
                              headers={"Authorization": f"Bearer {manager.token}"})
    assert "attachment" in dotted.headers["Content-Disposition"]
    assert "县住房和城乡建设局" in (await dotted.read()).decode("utf-8-sig")

    for query in ("month=2026-13", "month=march", "by=enterprise"):
        await manager.get(f"/ledger?{query}", expect=422)
    reviewer = await login(client, "reviewer", department="housing")
    assert [r["key"] for r in (await reviewer.get("/ledger?month=2026-03&by=department"))["rows"]] == ["housing"]
    assert late.id
