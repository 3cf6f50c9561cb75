"""The manager's projects and issue ledger in the console, and the monthly ledger with its CSV."""

from __future__ import annotations

from storage.models import Issue
from tests.support.apps import drain_jobs
from tests.support.console import ONE_BACKEND, Desk
from tests.support.console_rest import manager_desk, page_queries
from tests.support.projects import enterprise, login

pytestmark = ONE_BACKEND


async def a_project(client, manager: str, name: str = "年产5万吨食品加工项目") -> dict:
    sup = await login(client, "supervisor")
    firm = await enterprise(manager=manager)
    return await sup.post("/projects", {"enterprise_id": firm.id, "name": name, "level": "county",
                                        "stage": "construction"})


async def test_an_issue_is_opened_started_closed_with_a_resolution_and_reopened_with_a_reason(wired):
    _, client = wired
    manager, _ = await manager_desk(client)
    project = await a_project(client, manager.username)
    assert project["name"] in await manager.get("/staff/projects")
    pid = project["id"]
    html = await manager.post(f"/staff/projects/{pid}/issues", {"title": "施工用电未接入", "department": "power-supply",
                                                                "requested_by": "2026-03-06", "detail": "需要临时用电"})
    assert "问题已登记" in html and "施工用电未接入" in html
    issue = await Issue.get(project_id=pid)
    assert "已开始办理" in await manager.post(f"/staff/issues/{issue.id}/start", {"project": pid})
    refused = await manager.post(f"/staff/issues/{issue.id}/close", {"project": pid, "resolution": " "}, expect=422)
    assert 'class="refusal"' in refused
    html = await manager.post(f"/staff/issues/{issue.id}/close", {"project": pid, "resolution": "供电公司已接入临时电"})
    assert "已办结销号" in html and (await Issue.get(id=issue.id)).state == "closed"
    html = await manager.post(f"/staff/issues/{issue.id}/reopen", {"project": pid, "reason": "电压不稳"})
    assert "已重新打开" in html and (await Issue.get(id=issue.id)).reopened

    other, _ = await manager_desk(client, "other")
    await other.get(f"/staff/projects/{pid}", expect=404)
    await other.post(f"/staff/issues/{issue.id}/start", {"project": pid}, expect=404)
    clerk = await Desk.sign_in(client, "clerk", "clerk")
    await clerk.get("/staff/projects", expect=404)


async def test_the_monthly_ledger_shows_a_managers_figures_and_downloads_as_csv(wired):
    _, client = wired
    manager, _ = await manager_desk(client)
    project = await a_project(client, manager.username)
    await manager.post(f"/staff/projects/{project['id']}/issues", {
        "title": "排水许可", "department": "water-supply", "requested_by": "2026-03-20"})
    html = await manager.get("/staff/ledger?month=2026-03&by=manager")
    assert "2026-03 月度台账" in html and "新增" in html and "合计" in html
    response = await manager.request("GET", "/staff/ledger.csv?month=2026-03&by=manager")
    body = (await response.read()).decode("utf-8-sig")
    assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
    header, row = body.splitlines()[:2]
    assert header.startswith("月份,项目服务经理") and row.startswith("2026-03,") and manager.username in row


async def test_the_project_list_and_a_project_take_the_same_queries_for_one_issue_or_three(wired):
    running, client = wired
    manager, _ = await manager_desk(client)
    project = await a_project(client, manager.username)

    async def counts() -> list[int]:
        await drain_jobs(running.app)  # what opening an issue set going (telling its owner) is not the page's
        found = []
        for path in ("/staff/projects", f"/staff/projects/{project['id']}"):
            found.append(await page_queries(manager, path))
        return found

    async def issue(title: str) -> None:
        await manager.post(f"/staff/projects/{project['id']}/issues", {
            "title": title, "department": "water-supply", "requested_by": "2026-03-20"})

    await issue("排水许可")
    await counts()
    before = await counts()
    await a_project(client, manager.username, "第二个项目")
    await issue("绿化审批")
    await issue("消防验收")
    assert await counts() == before
