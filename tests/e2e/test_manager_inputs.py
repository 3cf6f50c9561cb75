"""What a manager's routes refuse, and how: ids past 32 bits and filters longer than their column
are the client's mistake (422), never a 500; a refusal of the ledger's rules says the same, with
the same status, in the back office and in the mini-program."""

from __future__ import annotations

import pytest

from tests.e2e.test_service_managers import enterprise_with_contact, name
from tests.support.apps import drain_jobs
from tests.support.people import Person
from tests.support.projects import enterprise, login
from tests.support.staff_api import StaffApi

HUGE = 10**20


@pytest.fixture
def service(wired):
    return wired


def failing_fields(refused: dict) -> list[str]:
    assert refused["error"]["code"] == "invalid_field", refused
    return [f["field"] for f in refused["error"]["details"]["fields"]]


async def test_ids_past_32_bits_and_overlong_filters_are_refused_as_invalid(service):
    _, client = service
    manager, sup = await login(client, "manager"), await login(client, "supervisor")
    firm = await enterprise(manager=manager.username)
    project = await sup.post("/projects", {"enterprise_id": firm.id, "name": "冷链仓储", "level": "city",
                                           "stage": "approval"})
    for who in (manager, sup):
        assert failing_fields(await who.get(f"/projects?enterprise={HUGE}", expect=422)) == ["enterprise"]
        assert failing_fields(await who.get(f"/issues?department={'d' * 65}", expect=422)) == ["department"]
    assert failing_fields(await sup.get(f"/projects/{project['id']}/issues?state={'x' * 17}", expect=422)) == ["state"]
    assert failing_fields(await sup.post("/projects", {"enterprise_id": HUGE, "name": "x", "level": "city",
                                                       "stage": "approval"}, expect=422)) == ["enterprise_id"]
    for path in (f"/enterprises/{firm.id}/messages", f"/conversations/{firm.id}/messages"):
        assert failing_fields(await manager.post(path, {"application": HUGE}, expect=422)) == ["application"]
        assert failing_fields(await manager.post(path, {"text": "您好", "contacts": [HUGE]}, expect=422)) == ["contacts.0"]
    assert failing_fields(await manager.post("/broadcasts", {"enterprises": [HUGE], "text": "通知"},
                                             expect=422)) == ["enterprises.0"]
    # within range, what does not exist is simply not there
    assert (await sup.get("/projects?enterprise=2147483647"))["items"] == []
    await manager.get("/enterprises/2147483647", expect=404)
    await manager.get(f"/enterprises/{HUGE}", expect=404)


async def test_the_ledgers_refusals_read_alike_in_the_back_office_and_the_mini_program(service):
    running, client = service
    manager = await StaffApi.login(client, name("manager"), "manager")
    person = await Person.login(client)
    firm = await enterprise_with_contact(client, manager, person)
    await drain_jobs(running.app)  # WeChat says the follower is the mini-program's citizen
    project = await manager.post("/projects", {"enterprise_id": firm["id"], "name": "物流园二期", "level": "county",
                                               "stage": "approval"})
    late = {"title": "用地指标未落实", "department": "housing", "requested_by": "2020-01-01"}
    nowhere = {**late, "department": "no-such-department", "requested_by": "2099-12-31"}
    for body, code, message in ((late, "requested_by_past", "期望解决日期不能早于今天。"),
                                (nowhere, "unknown_department", "请选择负责解决该问题的部门。")):
        staff_side = await manager.post(f"/projects/{project['id']}/issues", body, expect=422)
        citizen_side = await person.mini.post(f"/me/projects/{project['id']}/issues", body, expect=422)
        assert staff_side["error"]["code"] == citizen_side["error"]["code"] == code
        assert staff_side["error"]["message"] == citizen_side["error"]["message"] == message
    opened = await person.mini.post(f"/me/projects/{project['id']}/issues", {**late, "requested_by": "2099-12-31"},
                                    expect=201)
    await manager.post(f"/issues/{opened['id']}/start")
    again = await manager.post(f"/issues/{opened['id']}/start", expect=409)  # its state is in the way
    assert (again["error"]["code"], again["error"]["message"]) == ("not_startable", "问题当前为“处理中”，不能再受理。")
    assert again["error"]["details"]["state"] == "in_progress"
