"""Service managers and their enterprises, through the back office and the bot as WeChat calls
it: messages in and out of WeChat's 48-hour window, replies reaching the right manager only,
who sees what, and broadcasts sent at WeChat's pace and resumed after a restart."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from onething.keys import messenger_key, object_store_key, templates_key
from onething.services import sending
from onething.services.case_store import utcnow
from onething.services.manager_messages import Messenger
from storage.models import Follower, ManagerMessage, MessageDelivery
from tests.support import blips, fake_wechat
from tests.support import wechat_messages as wx
from tests.support.apps import drain_jobs, until_idle
from tests.support.builders import credit_code
from tests.support.cases import Clock
from tests.support.people import Person
from tests.support.staff_api import StaffApi


@pytest.fixture
def service(wired):
    return wired


def name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def send_all(running) -> None:
    await until_idle(running.app[messenger_key].run)


def sent_to(wechat, openid: str, channel: str = "oa_text") -> list[dict]:
    return [body for n, body in wechat.app[fake_wechat.SENT] if n == channel and body["touser"] == openid]


async def enterprise_with_contact(client, manager: StaffApi, person: Person) -> dict:
    """The manager registers an enterprise and hands its code to a person, who scans it."""
    enterprise = await manager.post("/enterprises", {"name": name("青禾餐饮有限公司"), "credit_code": credit_code()},
                                    expect=201)
    code = await manager.post(f"/enterprises/{enterprise['id']}/wechat-code")
    welcome = await person.does(client, "subscribe", key=f"qrscene_{code['scene']}")
    assert "已关联您的企业" in welcome.content
    return enterprise


async def test_a_manager_message_reaches_a_contact_in_and_out_of_the_48_hour_window(service, wechat):
    running, client = service
    manager = await StaffApi.login(client, name("manager"), "manager")
    person = await Person.login(client)
    enterprise = await enterprise_with_contact(client, manager, person)

    sent = await manager.post(f"/enterprises/{enterprise['id']}/messages", {"text": "明天上午来现场踏勘"}, expect=201)
    assert [d["state"] for d in sent["deliveries"]] == ["pending"]
    await send_all(running)
    (text,) = sent_to(wechat, person.follower_openid)
    assert "明天上午来现场踏勘" in text["text"]["content"]

    # two days of silence: WeChat no longer takes customer-service messages, so a template invites a reply
    await Follower.filter(openid=person.follower_openid).update(last_message_at=utcnow() - timedelta(days=2))
    held = await manager.post(f"/conversations/{enterprise['id']}/messages", {"thing": "business-opening"}, expect=201)
    await send_all(running)
    (invitation,) = sent_to(wechat, person.follower_openid, "oa_template")
    assert invitation["data"]["phrase3"]["value"] == "待回复"
    assert (await MessageDelivery.get(message_id=held["id"])).state == "invited"

    # their reply reaches the manager, opens the window, and what was held goes out
    assert await person.says(client, "好的，收到") is not None  # acknowledged once
    await send_all(running)
    assert "企业开办" in sent_to(wechat, person.follower_openid)[-1]["text"]["content"]
    thread = await manager.get(f"/conversations/{enterprise['id']}")
    kinds = [(m["direction"], m["kind"]) for m in thread["messages"]]
    assert kinds == [("out", "text"), ("out", "notice"), ("in", "text")]
    assert thread["messages"][0]["deliveries"][0]["read_at"] is not None
    assert thread["messages"][1]["deliveries"][0]["state"] == "sent"


async def test_a_contacts_messages_reach_their_manager_and_no_other(service, wechat):
    running, client = service
    mine, other = [await StaffApi.login(client, name("manager"), "manager") for _ in range(2)]
    person = await Person.login(client)
    enterprise = await enterprise_with_contact(client, mine, person)
    await other.post("/enterprises", {"name": name("另一家公司"), "credit_code": credit_code()}, expect=201)

    assert "已为您接通" in (await person.says(client, "找经理")).content
    assert "已转给" in (await person.says(client, "施工许可卡在哪一步了？")).content
    photo = await wx.WeChatServer(client).post(wx.image_xml("MEDIA-1", sender=person.follower_openid))
    assert await photo.text() == "success"  # a chat: not echoed every time
    await drain_jobs(running.app)  # the photo is fetched from WeChat after answering

    inbox = await mine.get("/conversations")
    assert [(i["id"], i["unseen"]) for i in inbox["items"]] == [(enterprise["id"], 2)]
    assert (await other.get("/conversations"))["items"] == []
    await other.get(f"/conversations/{enterprise['id']}", expect=404)
    thread = await mine.get(f"/conversations/{enterprise['id']}")
    (question, image) = thread["messages"]
    assert question["text"] == "施工许可卡在哪一步了？" and image["kind"] == "image" and image["file_url"]
    stored = (await ManagerMessage.get(id=image["id"])).object_key
    assert b"".join([c async for c in running.app[object_store_key].get(stored)]) == fake_wechat.JPEG
    assert (await mine.get("/conversations"))["items"][0]["unseen"] == 0

    assert "已结束" in (await person.says(client, "退出")).content
    assert "需要准备" in (await person.says(client, "开公司需要什么")).content  # the bot again
    assert len((await mine.get(f"/conversations/{enterprise['id']}"))["messages"]) == 2


async def test_a_manager_sees_and_acts_for_their_enterprises_only(service, wechat):
    running, client = service
    mine, other = [await StaffApi.login(client, name("manager"), "manager") for _ in range(2)]
    admin = await StaffApi.login(client, name("admin"), "admin")
    clerk = await StaffApi.login(client, name("clerk"), "clerk")
    enterprise = await mine.post("/enterprises", {"name": name("公司"), "credit_code": credit_code()}, expect=201)
    await mine.post("/enterprises", {"name": "重复", "credit_code": enterprise["credit_code"]}, expect=409)
    await mine.post("/enterprises", {"name": "错码", "credit_code": "91350100M000100Y44"}, expect=422)

    assert enterprise["id"] in [e["id"] for e in (await mine.get("/enterprises"))["items"]]
    assert enterprise["id"] not in [e["id"] for e in (await other.get("/enterprises"))["items"]]
    for path in (f"/enterprises/{enterprise['id']}", f"/conversations/{enterprise['id']}"):
        await other.get(path, expect=404)
    await other.post(f"/enterprises/{enterprise['id']}/messages", {"text": "x"}, expect=404)
    await other.post(f"/enterprises/{enterprise['id']}/wechat-code", expect=404)
    await clerk.get("/enterprises", expect=403)
    await mine.call("PUT", f"/enterprises/{enterprise['id']}/manager", 403, json={"manager": "x"})

    # reassigned by an admin: the history keeps both, and the new manager takes over
    detail = await admin.call("PUT", f"/enterprises/{enterprise['id']}/manager", 200,
                              json={"manager": other.username, "note": "工作调整"})
    assert [h["manager"] for h in detail["managers"]] == [mine.username, other.username]
    await mine.get(f"/enterprises/{enterprise['id']}", expect=404)
    assert (await other.get(f"/enterprises/{enterprise['id']}"))["manager"] == other.username
    await admin.call("PUT", f"/enterprises/{enterprise['id']}/manager", 422, json={"manager": clerk.username})


async def test_a_broadcast_is_sent_at_wechats_pace_and_resumes_after_a_restart(service, wechat):
    running, client = service
    manager = await StaffApi.login(client, name("manager"), "manager")
    people = [await Person.login(client) for _ in range(3)]
    enterprises = [await enterprise_with_contact(client, manager, p) for p in people]
    created = await manager.post("/broadcasts", {"enterprises": [e["id"] for e in enterprises],
                                                 "thing": "construction-permit"}, expect=201)
    assert (created["enterprises"], created["deliveries"]) == (3, 3)

    app = running.app
    first = Messenger(app[messenger_key].gateway, app[templates_key], app[object_store_key],
                      app[messenger_key].redis, app[messenger_key].templates, per_run=2)
    assert await first.run() == 2  # this run's share, no more
    progress = await manager.get(f"/broadcasts/{created['id']}")
    assert progress["states"] == {"pending": 1, "sent": 2}
    # the worker restarts: a new sender carries on with what is pending, sending nothing twice
    restarted = Messenger(first.gateway, first.env, first.store, first.redis, first.templates, per_run=2)
    assert await restarted.run() == 1 and await restarted.run() == 0
    openids = [body["touser"] for n, body in wechat.app[fake_wechat.SENT] if n == "oa_text"]
    assert sorted(openids) == sorted(p.follower_openid for p in people)
    assert (await manager.get(f"/broadcasts/{created['id']}"))["states"] == {"sent": 3}
    await manager.post("/broadcasts", {"enterprises": [enterprises[0]["id"], 999999], "text": "x"}, expect=404)


async def test_a_dead_workers_deliveries_are_sent_unless_their_call_had_started(service, wechat):
    running, client = service
    manager = await StaffApi.login(client, name("manager"), "manager")
    people = [await Person.login(client) for _ in range(3)]
    enterprises = [await enterprise_with_contact(client, manager, p) for p in people]
    created = await manager.post("/broadcasts", {"enterprises": [e["id"] for e in enterprises], "text": "停水通知"},
                                 expect=201)
    claimed, offered, untouched = await MessageDelivery.filter(message__broadcast_id=created["id"]).order_by(
        "id").prefetch_related("contact__follower")
    lapsed = utcnow() - timedelta(seconds=sending.LEASE_SECONDS + 1)
    # the worker died after claiming two: one of them was already with WeChat
    await MessageDelivery.filter(id=claimed.id).update(state="sending", claimed_by="dead", claimed_at=lapsed)
    await MessageDelivery.filter(id=offered.id).update(state="attempting", claimed_by="dead", claimed_at=lapsed)
    await send_all(running)
    states = {d.id: d.state for d in await MessageDelivery.filter(message__broadcast_id=created["id"])}
    assert states == {claimed.id: "sent", offered.id: "unknown", untouched.id: "sent"}
    mine = {p.follower_openid for p in people}  # on PostgreSQL the outbox holds other tests' rows too
    openids = sorted(body["touser"] for n, body in wechat.app[fake_wechat.SENT] if n == "oa_text"
                     and body["touser"] in mine)
    assert openids == sorted([claimed.contact.follower.openid, untouched.contact.follower.openid])


async def test_a_database_blip_between_a_closed_window_and_the_invitation_retries_the_message(service, wechat,
                                                                                             monkeypatch):
    running, client = service
    running.app[messenger_key].clock = clock = Clock(utcnow())
    manager = await StaffApi.login(client, name("manager"), "manager")
    person = await Person.login(client)
    enterprise = await enterprise_with_contact(client, manager, person)
    fake_wechat.script(wechat.app, "oa_text", person.follower_openid, 45015)  # WeChat's clock says it closed
    posted = await manager.post(f"/enterprises/{enterprise['id']}/messages", {"text": "请补交租赁合同"}, expect=201)
    (delivery,) = await MessageDelivery.filter(message_id=posted["id"])
    # WeChat refused the text for good; the database fails as the invitation is about to go
    failed = blips.fail(monkeypatch, sending.Claims, "attempting", lambda claims, row_id: row_id == delivery.id,
                        skip=1)

    await send_all(running)
    await delivery.refresh_from_db()
    assert failed and delivery.state == "pending"
    clock.now += timedelta(minutes=1)
    await send_all(running)
    await delivery.refresh_from_db()
    assert (delivery.state, delivery.channel) == ("sent", "oa_text")
    (text,) = sent_to(wechat, person.follower_openid)
    assert "请补交租赁合同" in text["text"]["content"] and sent_to(wechat, person.follower_openid, "oa_template") == []


async def test_a_database_blip_recording_a_transient_error_retries_the_broadcast_delivery(service, wechat,
                                                                                          monkeypatch):
    running, client = service
    running.app[messenger_key].clock = clock = Clock(utcnow())
    manager = await StaffApi.login(client, name("manager"), "manager")
    people = [await Person.login(client) for _ in range(2)]
    enterprises = [await enterprise_with_contact(client, manager, p) for p in people]
    busy = people[0].follower_openid
    fake_wechat.script(wechat.app, "oa_text", busy, -1)  # WeChat busy, once
    created = await manager.post("/broadcasts", {"enterprises": [e["id"] for e in enterprises], "text": "停电通知"},
                                 expect=201)
    (retried,) = await MessageDelivery.filter(message__broadcast_id=created["id"], contact__follower__openid=busy)
    failed = blips.fail(monkeypatch, sending.Claims, "finish", lambda claims, row_id, **values: row_id == retried.id)

    await send_all(running)
    assert failed and (await manager.get(f"/broadcasts/{created['id']}"))["states"] == {"pending": 1, "sent": 1}
    clock.now += timedelta(minutes=1)
    await send_all(running)
    assert (await manager.get(f"/broadcasts/{created['id']}"))["states"] == {"sent": 2}
    assert [len(sent_to(wechat, p.follower_openid)) for p in people] == [1, 1]


async def test_the_managers_paths_are_in_the_staff_openapi_document(service):
    _, client = service
    spec = await (await client.get("/staff/api/v1/openapi.json")).json()
    for path in ("/staff/api/v1/enterprises", "/staff/api/v1/enterprises/{id}/manager",
                 "/staff/api/v1/enterprises/{id}/messages", "/staff/api/v1/conversations",
                 "/staff/api/v1/conversations/{id}/messages", "/staff/api/v1/broadcasts", "/staff/api/v1/projects",
                 "/staff/api/v1/projects/{id}/issues", "/staff/api/v1/ledger"):
        assert path in spec["paths"], path
    assert "onething 工作人员接口" in await (await client.get("/staff/api/v1/docs")).text()


async def test_an_enterprise_contact_raises_an_issue_its_manager_works(service, wechat):
    running, client = service
    manager = await StaffApi.login(client, name("manager"), "manager")
    person, stranger = await Person.login(client), await Person.login(client)
    enterprise = await enterprise_with_contact(client, manager, person)
    await drain_jobs(running.app)  # WeChat says the follower is the mini-program's citizen
    project = await manager.post("/projects", {"enterprise_id": enterprise["id"], "name": "年产万吨食品加工项目",
                                               "level": "county", "stage": "approval"})

    (listed,) = (await person.mini.get("/me/projects"))["items"]
    assert listed["id"] == project["id"] and listed["issues"] == []
    issue = await person.mini.post(f"/me/projects/{project['id']}/issues", {
        "title": "排水许可迟迟未批", "department": "water-supply", "requested_by": "2099-12-31"}, expect=201)
    assert issue["opened_by"].startswith("contact:")
    assert [i["id"] for i in (await manager.get(f"/projects/{project['id']}/issues"))["items"]] == [issue["id"]]
    assert any("排水许可迟迟未批" in n["text"] for n in (await manager.get("/inbox"))["items"])
    # closed with its resolution (对号销号): the contact who raised it hears it on WeChat
    await manager.post(f"/issues/{issue['id']}/close", {"resolution": "已于11月20日核发排水许可"})
    await send_all(running)
    assert "已于11月20日核发排水许可" in sent_to(wechat, person.follower_openid)[-1]["text"]["content"]
    # someone who is not a contact of the enterprise sees nothing of it
    assert (await stranger.mini.get("/me/projects"))["items"] == []
    await stranger.mini.post(f"/me/projects/{project['id']}/issues", {
        "title": "x", "department": "water-supply", "requested_by": "2099-12-31"}, expect=404)


async def test_a_claimed_contact_is_confirmed_by_the_manager_and_every_step_is_traced(service, wechat):
    running, client = service
    manager, other = [await StaffApi.login(client, name("manager"), "manager") for _ in range(2)]
    enterprise = await manager.post("/enterprises", {"name": name("公司"), "credit_code": credit_code()}, expect=201)
    person = await Person.login(client)
    await person.mini.put("/me/enterprise", {"credit_code": enterprise["credit_code"]})
    (contact,) = (await manager.get(f"/enterprises/{enterprise['id']}"))["contacts"]
    assert (contact["bound_via"], contact["verified"]) == ("miniprogram", False)

    await other.post(f"/enterprises/{enterprise['id']}/contacts/{contact['id']}/verify", expect=404)
    await manager.post(f"/enterprises/{enterprise['id']}/contacts/{contact['id']}/verify")
    detail = await manager.get(f"/enterprises/{enterprise['id']}")
    assert detail["contacts"][0]["verified"] and (await person.mini.get("/me"))["enterprise"]["verified"]
    assert [(e["action"], e["actor"]) for e in detail["events"]] == [
        ("registered", f"staff:{manager.username}"), ("contact_claimed", f"citizen:{person.citizen.id}"),
        ("contact_confirmed", f"staff:{manager.username}")]
