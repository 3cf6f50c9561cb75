"""The back office over HTTP: a 企业开办 case from submission to every item approved, and who may do what."""

from __future__ import annotations

import uuid

import pytest

from onething.keys import workflow_key
from onething.services.case_store import Actor
from storage.models import ReviewTask
from tests.support.apps import start_app
from tests.support.cases import draft, fresh_rate_window
from tests.support.staff_api import StaffApi


def name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def office(aiohttp_server, aiohttp_client, tmp_path, database_url):
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url)
    return running, await aiohttp_client(running.server)


async def submitted_case(running) -> int:
    row = await draft("business-opening")
    await running.app[workflow_key].submit(row.id, Actor(f"citizen:{row.applicant_id}", "citizen"))
    return row.id


async def test_business_opening_from_submission_to_all_items_approved(office):
    running, client = office
    case_id = await submitted_case(running)
    clerk = await StaffApi.login(client, name("clerk"), "clerk")
    market = await StaffApi.login(client, name("market"), "reviewer", department="market")

    queue = await clerk.get("/applications")
    assert case_id in [c["id"] for c in queue["items"]]

    returned = await clerk.post(f"/applications/{case_id}/return", {"problems": ["公司章程未签字", "股东身份证明不清晰"]})
    assert returned["state"] == "returned" and returned["problems"] == ["公司章程未签字", "股东身份证明不清晰"]
    await running.app[workflow_key].resubmit(case_id, Actor("citizen:x", "citizen"))

    accepted = await clerk.post(f"/applications/{case_id}/accept", {"note": "材料齐全"})
    assert accepted["state"] == "in_review" and accepted["expected_completion_on"]
    licence = next(t for t in accepted["tasks"] if t["item"] == "business-licence")
    assert licence["state"] == "in_review" and licence["department_name"] == "县市场监督管理局"

    assert licence["id"] in [t["id"] for t in await market.queue()]
    await market.post(f"/tasks/{licence['id']}/approve", {"result_number": "91330100MA2KXXXX0A"})

    detail = await clerk.get(f"/applications/{case_id}")
    stage_two = [t for t in detail["tasks"] if t["state"] == "in_review"]
    assert len(stage_two) == len(detail["tasks"]) - 1  # every department of stage two at once
    reviewers = {}
    for task in stage_two:
        dept = task["department"]
        reviewers.setdefault(dept, await StaffApi.login(client, name(dept), "reviewer", department=dept))
        await reviewers[dept].post(f"/tasks/{task['id']}/approve", {"result_number": f"R{task['id']}"})

    final = await clerk.get(f"/applications/{case_id}")
    assert final["state"] == "approved"
    actions = [e["action"] for e in final["timeline"]]
    assert actions[:5] == ["submit", "return", "resubmit", "accept", "start_review"]
    assert actions[-1] == "approve" and actions.count("approve_item") == len(final["tasks"])
    assert final["timeline"][3]["role"] == "clerk" and final["timeline"][3]["note"] == "材料齐全"


async def test_a_reviewer_cannot_touch_another_departments_task(office):
    running, client = office
    case_id = await submitted_case(running)
    clerk = await StaffApi.login(client, name("clerk"), "clerk")
    police = await StaffApi.login(client, name("police"), "reviewer", department="public-security")
    detail = await clerk.post(f"/applications/{case_id}/accept")
    licence = next(t for t in detail["tasks"] if t["item"] == "business-licence")
    body = await police.post(f"/tasks/{licence['id']}/approve", {}, expect=404)
    assert body["error"]["code"] == "not_found"
    assert licence["id"] not in [t["id"] for t in await police.queue()]
    await police.get(f"/applications/{case_id}", expect=200)  # police review a stage-two item of this case


@pytest.mark.parametrize("role", ["reviewer", "supervisor", "admin", "manager"])
async def test_only_the_window_decides_intake(office, role):
    running, client = office
    case_id = await submitted_case(running)
    someone = await StaffApi.login(client, name(role), role, department="market" if role == "reviewer" else None)
    body = await someone.post(f"/applications/{case_id}/accept", expect=403)
    assert body["error"]["message"] == "您的岗位无权进行此操作。"


@pytest.mark.parametrize("role", ["clerk", "supervisor", "admin"])
async def test_only_reviewers_decide_items(office, role):
    running, client = office
    case_id = await submitted_case(running)
    clerk = await StaffApi.login(client, name("clerk"), "clerk")
    task = (await clerk.post(f"/applications/{case_id}/accept"))["tasks"][0]
    someone = clerk if role == "clerk" else await StaffApi.login(client, name(role), role)
    await someone.post(f"/tasks/{task['id']}/approve", {}, expect=403)


async def test_without_a_valid_token_nothing_is_shown(office):
    _, client = office
    for headers in ({}, {"Authorization": "Bearer forged-token"}):
        response = await client.get("/staff/api/v1/applications", headers=headers)
        assert response.status == 401
        assert (await response.json())["error"]["code"] == "unauthorized"
    bad = await client.post("/staff/api/v1/auth/login", json={"username": "nobody", "password": "wrong-password"})
    assert bad.status == 401 and (await bad.json())["error"]["message"] == "用户名或密码不正确。"


async def test_rule_errors_read_clearly(office):
    running, client = office
    case_id = await submitted_case(running)
    clerk = await StaffApi.login(client, name("clerk"), "clerk")
    empty = await clerk.post(f"/applications/{case_id}/return", {"problems": []}, expect=422)
    assert empty["error"]["message"] == "退回补正须一次性列明全部问题。"
    not_deferrable = await clerk.post(f"/applications/{case_id}/accept", {"owed": {"legal-rep-id-card": "2026-12-01"}},
                                      expect=422)
    assert not_deferrable["error"]["code"] == "not_deferrable"
    await clerk.post(f"/applications/{case_id}/refuse", {"reason": "不属于本县管辖"})
    again = await clerk.post(f"/applications/{case_id}/accept", expect=409)
    assert again["error"]["message"] == "办件当前为“不予受理”状态，不能进行此操作。"
    await clerk.get("/applications/999999", expect=404)
    await clerk.get("/applications/abc", expect=404)


async def test_staff_read_the_notice_as_json_and_as_a_printable_page(office):
    _, client = office
    clerk = await StaffApi.login(client, name("clerk"), "clerk")
    notice = await clerk.get("/things/business-opening/notice")
    assert notice["name"] == "企业开办" and notice["materials"] and notice["steps"][0]["order"] == 1
    page = await client.get("/staff/api/v1/things/business-opening/notice.html",
                            headers={"Authorization": f"Bearer {clerk.token}"})
    assert page.status == 200 and "一次性告知" in await page.text()
    await clerk.get("/things/no-such-thing/notice", expect=404)


async def test_a_bad_rating_is_followed_up_by_a_supervisor_within_15_working_days(office):
    running, client = office
    flow = running.app[workflow_key]
    case_id = await submitted_case(running)
    clerk = await StaffApi.login(client, name("clerk"), "clerk")
    await clerk.post(f"/applications/{case_id}/accept")
    while (open_tasks := await ReviewTask.filter(application_id=case_id, state="in_review")):
        for task in open_tasks:
            await flow.approve(task, Actor("staff:r", "reviewer"))
    await clerk.post(f"/applications/{case_id}/results-ready")
    await flow.evaluate(case_id, Actor("citizen:x", "citizen"), 1, "等了很久")

    supervisor = await StaffApi.login(client, name("sup"), "supervisor")
    [follow_up] = [f for f in (await supervisor.get("/follow-ups"))["items"] if f["application_id"] == case_id]
    assert follow_up["score"] == 1 and follow_up["overdue"] is False
    await clerk.post(f"/follow-ups/{follow_up['id']}/close", {"note": "已回访"}, expect=403)
    await supervisor.post(f"/follow-ups/{follow_up['id']}/close", {"note": "已电话回访，申请人表示理解"})
    again = await supervisor.post(f"/follow-ups/{follow_up['id']}/close", {"note": "x"}, expect=409)
    assert again["error"]["message"] == "该差评回访已办结。"
    timeline = (await clerk.get(f"/applications/{case_id}"))["timeline"]
    assert timeline[-1]["action"] == "close_follow_up" and timeline[-1]["role"] == "supervisor"


async def test_password_guessing_is_slowed_down(office):
    _, client = office
    username = name("target")
    await fresh_rate_window()
    statuses = []
    for _ in range(12):
        response = await client.post("/staff/api/v1/auth/login", json={"username": username, "password": "guess-123456"})
        statuses.append(response.status)
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]
    assert "Retry-After" in response.headers
