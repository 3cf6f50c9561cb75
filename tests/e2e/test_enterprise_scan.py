"""One scan of an enterprise's code is enough: the person becomes its confirmed contact and the
mini-program shows the enterprise and its cases, whether they followed first or the scan made
them follow; a contact of several enterprises is asked which one they mean."""

from __future__ import annotations

import uuid

import pytest

from onething.keys import workflow_key
from onething.services.case_store import Actor
from storage.models import Application, StaffUser
from tests.support.apps import drain_jobs
from tests.support.builders import credit_code
from tests.support.cases import draft
from tests.support.people import Person
from tests.support.staff_api import StaffApi


@pytest.fixture
async def service(wired):
    running, client = wired
    manager = await StaffApi.login(client, f"mgr-{uuid.uuid4().hex[:8]}", "manager")
    return running, client, manager


async def enterprise_and_code(running, manager: StaffApi) -> tuple[dict, str]:
    """An enterprise with a case some colleague submitted, and the code its manager hands out."""
    enterprise = await manager.post("/enterprises", {"name": f"青禾餐饮{uuid.uuid4().hex[:4]}有限公司",
                                                     "credit_code": credit_code()}, expect=201)
    colleague = await Person.login(manager.client)
    row = await draft("business-opening", applicant=colleague.citizen)
    await Application.filter(id=row.id).update(enterprise_code=enterprise["credit_code"])  # the colleague's own
    await running.app[workflow_key].submit(row.id, Actor(f"citizen:{colleague.citizen.id}", "citizen"))
    code = await manager.post(f"/enterprises/{enterprise['id']}/wechat-code")
    return {**enterprise, "case": row.number}, f"qrscene_{code['scene']}"


async def shows_the_enterprise_and_its_cases(person: Person, enterprise: dict) -> None:
    me = await person.mini.get("/me")
    assert me["enterprise"] == {"credit_code": enterprise["credit_code"], "verified": True}
    numbers = [case["number"] for case in (await person.mini.get("/applications"))["items"]]
    assert enterprise["case"] in numbers


async def test_scanning_to_follow_binds_the_enterprise_in_one_scan(service):
    running, client, manager = service
    enterprise, scene = await enterprise_and_code(running, manager)
    person = await Person.login(client)
    welcome = await person.does(client, "subscribe", key=scene)  # the scan is what makes them follow
    assert "已关联您的企业" in welcome.content
    await drain_jobs(running.app)  # WeChat tells who the follower is, after answering
    await shows_the_enterprise_and_its_cases(person, enterprise)


async def test_following_first_then_scanning_binds_the_enterprise_in_one_scan(service):
    running, client, manager = service
    enterprise, scene = await enterprise_and_code(running, manager)
    person = await Person.login(client)
    await person.does(client, "subscribe")
    await drain_jobs(running.app)
    assert "已关联您的企业" in (await person.does(client, "SCAN", key=scene.removeprefix("qrscene_"))).content
    await drain_jobs(running.app)
    await shows_the_enterprise_and_its_cases(person, enterprise)


async def test_the_bot_names_the_manager_as_people_know_them(service):
    running, client, manager = service
    enterprise, scene = await enterprise_and_code(running, manager)
    await StaffUser.filter(username=manager.username).update(display_name="张三")
    person = await Person.login(client)
    await person.does(client, "subscribe", key=scene)
    reply = (await person.says(client, "找经理")).content
    assert "项目服务经理 张三" in reply and manager.username not in reply


async def test_a_contact_of_several_enterprises_says_which_manager_they_mean(service):
    running, client, manager = service
    other = await StaffApi.login(client, f"mgr-{uuid.uuid4().hex[:8]}", "manager")
    first, first_scene = await enterprise_and_code(running, manager)
    second, second_scene = await enterprise_and_code(running, other)
    person = await Person.login(client)
    await person.does(client, "subscribe", key=first_scene)
    await person.does(client, "SCAN", key=second_scene.removeprefix("qrscene_"))

    choose = (await person.says(client, "找经理")).content
    assert f"1. {second['name']}" in choose and f"2. {first['name']}" in choose  # the latest first
    connected = (await person.says(client, "2")).content
    assert f"已为您接通{first['name']}" in connected
    assert "已转给" in (await person.says(client, "施工许可卡在哪一步了？")).content
    assert [i["id"] for i in (await manager.get("/conversations"))["items"]] == [first["id"]]
    assert (await other.get("/conversations"))["items"] == []
