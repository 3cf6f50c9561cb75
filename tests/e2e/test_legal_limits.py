"""The law's clock over HTTP: the expected date on the critical path, legal and promised due
dates side by side, and the §42 extension (reviewer asks, supervisor decides, applicant told)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from onething.keys import calendar_key, catalog_key, notifier_key, templates_key, workflow_key
from onething.services import progress
from storage.models import Notification
from tests.support.apps import until_idle
from tests.support.cases import Clock
from tests.support.people import MP_TEMPLATE, Person
from tests.support.staff_api import StaffApi


def name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def office(wired):
    running, client = wired
    clock = running.app[workflow_key].clock = Clock()  # Monday 2026-03-02, 10:00 in Shanghai
    clerk = await StaffApi.login(client, name("clerk"), "clerk")
    market = await StaffApi.login(client, name("market"), "reviewer", department="market")
    supervisor = await StaffApi.login(client, name("supervisor"), "supervisor")
    return running, client, clock, clerk, market, supervisor


async def accepted(running, client, clerk) -> tuple[Person, dict, dict]:
    """A 企业开办 case accepted on Monday: (applicant, staff view of the case, its licence task)."""
    person = await Person.login(client)
    case = await clerk.post(f"/applications/{await person.submitted_case(running)}/accept")
    return person, case, next(t for t in case["tasks"] if t["item"] == "business-licence")


async def test_the_applicant_is_told_the_whole_path_not_the_first_stage(office):
    running, client, clock, clerk, market, _ = office
    person, case, licence = await accepted(running, client, clerk)
    # licence promised in 1 working day (Tue 03-03), then stage two in 1 more (Wed 03-04)
    assert licence["due_on"] == "2026-03-03" and case["expected_completion_on"] == "2026-03-04"
    mine = await person.mini.get(f"/applications/{case['id']}")
    assert mine["expected_completion_on"] == "2026-03-04"
    answer = progress.render(running.app[templates_key], await progress.cases_for_ids(
        running.app[catalog_key], [case["id"]]), linked=True, number=None, public_url="",
        calendar=running.app[calendar_key].current)
    assert "预计办结：2026-03-04" in answer

    clock.now += timedelta(days=1)
    await market.post(f"/tasks/{licence['id']}/approve", {"result_number": "91330100MA2KXXXX0A"})
    assert (await clerk.get(f"/applications/{case['id']}"))["expected_completion_on"] == "2026-03-04"


async def test_reviewer_asks_supervisor_approves_and_the_applicant_is_told_why(office):
    running, client, clock, clerk, market, supervisor = office
    person, case, licence = await accepted(running, client, clerk)
    assert (licence["due_on"], licence["legal_due_on"], licence["extension"]) == ("2026-03-03", "2026-03-05", None)

    await market.post(f"/tasks/{licence['id']}/extension", {"reason": " "}, expect=422)
    asked = await market.post(f"/tasks/{licence['id']}/extension", {"reason": "名称涉及行业限制，需征求主管部门意见"})
    assert asked["extension"]["state"] == "pending" and asked["legal_due_on"] == "2026-03-05"
    again = await market.post(f"/tasks/{licence['id']}/extension", {"reason": "再次申请"}, expect=422)
    assert again["error"]["code"] == "extension_pending"

    pending = await supervisor.get("/extensions")
    mine = next(t for t in pending["items"] if t["id"] == licence["id"])
    assert mine["number"] == case["number"] and mine["extension"]["reason"] == "名称涉及行业限制，需征求主管部门意见"

    await until_idle(running.app[notifier_key].run)  # what came before (accepted) is out of the way
    await person.consent("accept")  # one message allowed: the one telling why
    approved = await supervisor.post(f"/tasks/{licence['id']}/extension/approve", {"note": "同意延期"})
    assert approved["legal_due_on"] == "2026-03-19"  # 03-05 + 10 working days
    assert approved["legal_due_provisional"] is False  # 2026's official schedule is known
    assert approved["due_on"] == "2026-03-03"  # the promise does not move
    assert approved["extension"] == {"state": "approved", "state_name": "已批准延期", "days": 10,
                                     "reason": "名称涉及行业限制，需征求主管部门意见", "note": "同意延期"}
    assert licence["id"] not in [t["id"] for t in (await supervisor.get("/extensions"))["items"]]

    outbox = await supervisor.get(f"/notifications?application={case['id']}")
    told = next(n for n in outbox["items"] if n["kind"] == "extended")
    assert told["payload"]["reason"] == "名称涉及行业限制，需征求主管部门意见"
    assert told["payload"]["legal_due_on"] == "2026-03-19"
    await until_idle(running.app[notifier_key].run)
    notification = await Notification.get(id=told["id"])
    assert (notification.state, notification.channel) == ("sent", "mp_subscribe")

    timeline = (await clerk.get(f"/applications/{case['id']}"))["timeline"]
    steps = [(e["action"], e["role"]) for e in timeline if "extension" in e["action"]]
    assert steps == [("request_extension", "reviewer"), ("approve_extension", "supervisor")]
    assert "延至2026-03-19" in timeline[-1]["note"]
    seen = await person.mini.get(f"/applications/{case['id']}")
    assert any("批准延长" in e["text"] for e in seen["timeline"])

    twice = await market.post(f"/tasks/{licence['id']}/extension", {"reason": "还需延期"}, expect=422)
    assert twice["error"]["code"] == "already_extended"

    # past the promise the task is overdue, extension or not; past the legal date the graver flag
    flow = running.app[workflow_key]
    clock.now += timedelta(days=3)  # Thursday 03-05
    await flow.sweep()
    task = next(t for t in await market.queue() if t["id"] == licence["id"])
    assert task["overdue"] and not task["legal_overdue"]
    clock.now += timedelta(days=15)  # Friday 03-20
    await flow.sweep()
    task = next(t for t in await market.queue() if t["id"] == licence["id"])
    assert task["legal_overdue"]
    actions = [e["action"] for e in (await clerk.get(f"/applications/{case['id']}"))["timeline"]]
    assert actions[-2:] == ["overdue", "legal_overdue"]


async def test_a_refused_request_leaves_the_dates_unchanged(office):
    running, client, _, clerk, market, _ = office
    admin = await StaffApi.login(client, name("admin"), "admin")
    _, case, licence = await accepted(running, client, clerk)
    await market.post(f"/tasks/{licence['id']}/extension", {"reason": "需补充核查"})
    await admin.post(f"/tasks/{licence['id']}/extension/refuse", {}, expect=422)  # a refusal says why
    refused = await admin.post(f"/tasks/{licence['id']}/extension/refuse", {"note": "理由不充分，应按期办结"})
    assert (refused["due_on"], refused["legal_due_on"]) == (licence["due_on"], licence["legal_due_on"])
    assert refused["extension"]["state"] == "refused" and refused["extension"]["note"] == "理由不充分，应按期办结"
    assert not await Notification.filter(application_id=case["id"], kind="extended").exists()
    assert licence["id"] in [t["id"] for t in (await admin.get("/extensions?state=refused"))["items"]]
    await admin.get("/extensions?state=whatever", expect=422)


async def test_only_the_departments_reviewer_asks_and_only_supervisors_decide(office):
    running, client, _, clerk, market, supervisor = office
    police = await StaffApi.login(client, name("police"), "reviewer", department="public-security")
    _, _, licence = await accepted(running, client, clerk)
    path = f"/tasks/{licence['id']}/extension"
    assert (await clerk.post(path, {"reason": "需延期"}, expect=403))["error"]["code"] == "forbidden"
    await supervisor.post(path, {"reason": "需延期"}, expect=403)
    await police.post(path, {"reason": "需延期"}, expect=404)  # another department's task does not exist

    await market.post(path, {"reason": "需补充核查"})
    for someone in (clerk, market, police):
        await someone.post(f"{path}/approve", {}, expect=403)
        await someone.post(f"{path}/refuse", {"note": "不同意"}, expect=403)
        await someone.get("/extensions", expect=403)
    task = next(t for t in await market.queue() if t["id"] == licence["id"])
    assert task["extension"]["state"] == "pending" and task["legal_due_on"] == "2026-03-05"
    await supervisor.post("/tasks/999999999/extension/approve", {}, expect=404)
