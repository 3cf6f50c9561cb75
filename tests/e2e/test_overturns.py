"""Refusals overturned on review, in court or on a complaint: a supervisor records one, once; it
counts against whoever refused, in the figures and the ranking's quality; the department's
reviewers are told, and the applicant's timeline says so. Nobody else may record one."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from onething.keys import workflow_key
from tests.conftest import PG_URL
from tests.support.people import Person
from tests.support.staff_api import StaffApi

pytestmark = [pytest.mark.parametrize("database_url", ["postgres" if PG_URL else "sqlite"], indirect=True),
              pytest.mark.parametrize("redis_url", ["memory"], indirect=True)]
LICENCE = "business-licence"


@pytest.fixture
async def office(wired):
    running, client = wired
    staff = {role: await StaffApi.login(client, f"{role}-{uuid.uuid4().hex[:8]}", role,
                                        department="market" if role == "reviewer" else None)
             for role in ("clerk", "reviewer", "supervisor", "admin", "manager")}
    return running, client, staff


async def refused_and_rejected(running, client, staff) -> tuple[Person, int, int]:
    """A case refused at the window, and a case whose licence the market department rejected."""
    clerk, reviewer = staff["clerk"], staff["reviewer"]
    person = await Person.login(client)
    refused, rejected = await person.submitted_case(running), await person.submitted_case(running)
    await clerk.post(f"/applications/{refused}/refuse", {"reason": "不属于本中心受理范围"})
    accepted = await clerk.post(f"/applications/{rejected}/accept")
    licence = next(t for t in accepted["tasks"] if t["item"] == LICENCE)
    await reviewer.post(f"/tasks/{licence['id']}/reject", {"reason": "经营范围含前置审批项目"})
    return person, refused, rejected


async def test_an_overturn_counts_against_who_refused_once_and_everyone_concerned_is_told(office):
    running, client, staff = office
    supervisor, window = staff["supervisor"], f"staff:{staff['clerk'].username}"
    person, refused, rejected = await refused_and_rejected(running, client, staff)

    recorded = await supervisor.post(f"/applications/{refused}/overturn",
                                     {"item": None, "basis": "review", "note": "县政府复议决定书（县政复决字〔2026〕12号）"})
    assert recorded == {"application_id": refused, "item": None, "basis": "review", "department": "market"}
    again = await supervisor.post(f"/applications/{refused}/overturn", {"basis": "complaint"}, expect=409)
    assert again["error"]["code"] == "already_overturned" and "已经记录过" in again["error"]["message"]
    running.app[workflow_key].clock.now += timedelta(days=40)  # in April: counted in March, as its refusal
    item = await supervisor.post(f"/applications/{rejected}/overturn", {"item": LICENCE, "basis": "complaint"})
    assert item["item"] == LICENCE and item["department"] == "market"
    april = await supervisor.get(f"/supervision/figures?period=month&on=2026-04-13&window={window}")
    assert april["figures"]["overturned"] == 0

    month = await supervisor.get(f"/supervision/figures?period=month&on=2026-03-02&window={window}&by=department")
    figures = month["figures"]
    assert (figures["refused"], figures["rejected"], figures["overturned"]) == (1, 1, 2)
    overturned = await supervisor.get(month["cases"]["overturned"].removeprefix("/staff/api/v1"))
    assert sorted(c["application_id"] for c in overturned["items"]) == sorted([refused, rejected])

    notices = [n["text"] for n in (await staff["reviewer"].get("/inbox"))["items"] if n["kind"] == "overturned"]
    assert any("的不予许可决定已被撤销（投诉核查）" in text for text in notices)
    assert any("不予受理决定已被撤销（行政复议）" in text and "县政复决字〔2026〕12号" in text for text in notices)
    timeline = [e["text"] for e in (await person.mini.get(f"/applications/{refused}"))["timeline"]]
    assert any(text.startswith("不予受理决定已被撤销：行政复议：") for text in timeline), timeline


async def test_only_what_was_refused_is_overturned_and_bad_input_is_said_in_words(office):
    running, client, staff = office
    supervisor = staff["supervisor"]
    _, refused, rejected = await refused_and_rejected(running, client, staff)
    accepted_item = await supervisor.post(f"/applications/{rejected}/overturn", {"item": "tax-registration",
                                                                                 "basis": "review"}, expect=409)
    assert accepted_item["error"]["code"] == "not_rejected" and "新办纳税人涉税事项办理" in accepted_item["error"]["message"]
    whole = await supervisor.post(f"/applications/{rejected}/overturn", {"basis": "review"}, expect=409)
    assert whole["error"]["code"] == "not_refused"
    no_item = await supervisor.post(f"/applications/{refused}/overturn", {"item": "no-such-item", "basis": "review"},
                                    expect=404)
    assert no_item["error"]["code"] == "no_such_item" and "请不要填写事项" in no_item["error"]["message"]
    assert (await supervisor.post("/applications/2147483000/overturn", {"basis": "review"}, expect=404)
            )["error"]["code"] == "not_found"
    invalid = await supervisor.post(f"/applications/{refused}/overturn", {"basis": "rumour"}, expect=422)
    assert invalid["error"]["details"]["fields"][0]["field"] == "basis"


async def test_only_a_supervisor_records_an_overturn(office):
    running, client, staff = office
    _, refused, _ = await refused_and_rejected(running, client, staff)
    for role in ("clerk", "reviewer", "admin", "manager"):
        refusal = await staff[role].post(f"/applications/{refused}/overturn", {"basis": "review"}, expect=403)
        assert refusal["error"]["code"] == "forbidden", role
