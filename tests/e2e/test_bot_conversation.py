"""What the bot does for a follower, through the endpoint as WeChat calls it: progress of their
own cases only, codes that bind, menu clicks, picking from a list, consent events."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from onething import cli
from onething.keys import notifier_key, redis_key, workflow_key
from storage.models import Follower, Shipment, SubscribeConsent
from tests.support import fake_wechat
from tests.support import wechat_messages as wx
from tests.support.apps import drain_jobs, until_idle
from tests.support.cases import to_results_ready
from tests.support.people import OA_SUBSCRIBE_TEMPLATE, Person, wechat_env
from tests.support.staff_api import StaffApi


@pytest.fixture
async def service(wired):
    running, client = wired
    clerk = await StaffApi.login(client, f"clerk-{uuid.uuid4().hex[:8]}", "clerk")
    return running, client, clerk


def texts_to(wechat, openid: str) -> list[str]:
    return fake_wechat.texts_to(wechat.app, openid)


async def test_progress_answers_the_followers_own_cases_once_wechat_says_who_they_are(service, wechat):
    running, client, clerk = service
    person = await Person.login(client)
    case_id = await person.submitted_case(running)
    case = await clerk.post(f"/applications/{case_id}/accept")

    # the first time, nobody knows this follower yet: answer fast, ask WeChat, then write back
    wait = await person.says(client, "进度")
    assert "正在为您查询" in wait.content
    await drain_jobs(running.app)
    (later,) = texts_to(wechat, person.follower_openid)
    assert case["number"] in later and "审批中" in later

    again = await person.says(client, "查一下进度")
    assert case["number"] in again.content and "前办结" in again.content and "预计办结" in again.content
    by_number = await person.says(client, f"{case['number']}办到哪了")
    assert case["number"] in by_number.content


async def test_a_case_number_opens_nothing_of_someone_elses(service, wechat):
    running, client, clerk = service
    owner, stranger = await Person.login(client), await Person.login(client)
    case = await clerk.post(f"/applications/{await owner.submitted_case(running)}/accept")
    await stranger.says(client, "你好")
    await drain_jobs(running.app)
    reply = await stranger.says(client, case["number"])
    assert "没有找到您名下" in reply.content and "审批中" not in reply.content


async def test_the_receipt_code_binds_whoever_scans_it_to_that_case(service, wechat):
    running, client, clerk = service
    applicant, family = await Person.login(client), await Person.login(client)
    case_id = await applicant.submitted_case(running)
    case = await clerk.post(f"/applications/{case_id}/accept")
    code = await clerk.post(f"/applications/{case_id}/wechat-code")
    assert code["url"].startswith("http://weixin.qq.com/q/") and code["scene"].startswith(f"a:{case_id}:")

    forged = code["scene"].replace(f"a:{case_id}:", f"a:{case_id + 1}:")
    welcome = await family.does(client, "subscribe", key=f"qrscene_{forged}")
    assert "欢迎关注" in welcome.content and "已关联办件" not in welcome.content
    bound = await family.does(client, "SCAN", key=code["scene"])
    assert f"已关联办件 {case['number']}" in bound.content and "欢迎关注" not in bound.content
    await drain_jobs(running.app)
    assert case["number"] in (await family.says(client, "进度")).content


async def test_menu_clicks(service, wechat):
    running, client, clerk = service
    person = await Person.login(client)
    case = await clerk.post(f"/applications/{await person.submitted_case(running)}/accept")
    await person.says(client, "你好")
    await drain_jobs(running.app)
    assert case["number"] in (await person.does(client, "CLICK", key="MY_CASES")).content
    assert "企业开办" in (await person.does(client, "CLICK", key="GUIDE")).content
    assert "项目服务经理" in (await person.does(client, "CLICK", key="CONTACT_MANAGER")).content


async def test_a_list_to_pick_from_remembers_it_for_the_next_message(service):
    running, client, _ = service
    person = await Person.login(client)
    choose = await person.says(client, "新生儿和退休的事")
    assert "1. 新生儿出生一件事" in choose.content and "2. 退休一件事" in choose.content
    picked = await person.says(client, "2")
    assert "退休一件事" in picked.content and "需要准备" in picked.content
    # the list is answered: a "2" now means nothing
    assert "抱歉" in (await person.says(client, "2")).content


async def test_official_account_consent_events_are_recorded_and_used(service, wechat):
    running, client, clerk = service
    person = await Person.login(client)
    await person.says(client, "你好")
    await drain_jobs(running.app)
    popup = wx.consent_event_xml("subscribe_msg_popup_event", {OA_SUBSCRIBE_TEMPLATE: "accept", "other": "accept"},
                                 sender=person.follower_openid)
    assert await person.does(client, "", xml=popup) is None  # recorded, nothing to say
    consent = await SubscribeConsent.get(openid=person.follower_openid, template_id=OA_SUBSCRIBE_TEMPLATE)
    assert consent.long_term

    await clerk.post(f"/applications/{await person.submitted_case(running)}/accept")
    await until_idle(running.app[notifier_key].run)
    assert [body["touser"] for name, body in wechat.app[fake_wechat.SENT]
            if name == "oa_subscribe" and not fake_wechat.is_receipt(body)] == [person.follower_openid]

    change = wx.consent_event_xml("subscribe_msg_change_event", {OA_SUBSCRIBE_TEMPLATE: "reject"},
                                  sender=person.follower_openid)
    await person.does(client, "", xml=change)
    await consent.refresh_from_db()
    assert not consent.long_term and consent.remaining == 0


async def test_unsubscribing_stops_official_account_messages(service):
    running, client, _ = service
    person = await Person.login(client)
    await person.says(client, "你好")
    await drain_jobs(running.app)
    assert await person.does(client, "unsubscribe") is None
    assert not (await Follower.get(openid=person.follower_openid)).subscribed
    # leaving is not an action that makes them a follower again, even as the first event of the hour
    await running.app[redis_key].delete(f"bot:active:{person.follower_openid}")
    later = wx.event_xml("unsubscribe", sender=person.follower_openid, created=int(time.time()) + 1)  # not a retry
    await person.does(client, "unsubscribe", xml=later)
    assert not (await Follower.get(openid=person.follower_openid)).subscribed


async def test_the_menu_is_published_from_the_command_line(wechat, tmp_path, monkeypatch):
    for key, value in wechat_env(wechat).items():
        monkeypatch.setenv(f"ONETHING_{key.upper()}", value)
    monkeypatch.setenv("ONETHING_DATA_DIR", str(tmp_path))
    assert await asyncio.to_thread(cli.main, ["wechat", "menu"]) == 0
    ((name, menu),) = [(n, b) for n, b in wechat.app[fake_wechat.SENT] if n == "menu"]
    assert [b["name"] for b in menu["button"]] == ["我的办件", "办事指南", "更多服务"]
    assert menu["button"][2]["sub_button"][0]["appid"] == fake_wechat.APPID


async def test_my_parcel_shows_the_pickup_code_to_the_applicant_only(service, wechat):
    running, client, clerk = service
    applicant, family = await Person.login(client), await Person.login(client)
    case = await applicant.mini.post("/applications", {"thing": "business-opening"}, expect=201)
    await applicant.mini.put(f"/applications/{case['id']}/delivery", {
        "method": "post", "recipient": "王青禾", "phone": "13812345678",
        "address": {"province": "浙江省", "city": "杭州市", "district": "某县", "detail": "城关镇解放路18号"}})
    await to_results_ready(running.app[workflow_key], case["id"])
    await clerk.post(f"/applications/{case['id']}/shipments", {"tracking_number": "EA123456789CN",
                                                               "pieces": [{"description": "营业执照正副本"}]}, expect=201)
    code = (await Shipment.get(application_id=case["id"])).pickup_code

    assert "正在为您查询" in (await applicant.says(client, "我的快递到哪了")).content
    await drain_jobs(running.app)
    (answer,) = texts_to(wechat, applicant.follower_openid)
    assert "EA123456789CN" in answer and code in answer
    # whoever scanned the receipt follows progress, but the code that hands the licence over is not theirs
    scene = (await clerk.post(f"/applications/{case['id']}/wechat-code"))["scene"]
    await family.does(client, "subscribe", key=f"qrscene_{scene}")
    await drain_jobs(running.app)
    reply = await family.says(client, "快递")
    assert code not in reply.content and "EA123456789CN" not in reply.content


async def test_posting_and_delivery_reach_the_applicant_on_wechat(service, wechat):
    running, client, clerk = service
    person = await Person.login(client)
    case = await person.mini.post("/applications", {"thing": "business-opening"}, expect=201)
    await person.mini.put(f"/applications/{case['id']}/delivery", {
        "method": "post", "recipient": "王青禾", "phone": "13812345678",
        "address": {"province": "浙江省", "city": "杭州市", "district": "某县", "detail": "城关镇解放路18号"}})
    await to_results_ready(running.app[workflow_key], case["id"])
    await until_idle(running.app[notifier_key].run)  # the earlier news went nowhere: no consent yet
    await person.consent("accept")  # the front end asks before showing "寄出后通知我"
    await clerk.post(f"/applications/{case['id']}/shipments", {"tracking_number": "EA123456789CN",
                                                               "pieces": [{"description": "营业执照正副本"}]}, expect=201)
    await until_idle(running.app[notifier_key].run)
    posted = [body for name, body in wechat.app[fake_wechat.SENT]
              if name == "mp_subscribe" and body["touser"] == person.openid and body["data"]["phrase3"]["value"] == "已寄出"]
    code = (await Shipment.get(application_id=case["id"])).pickup_code
    assert len(posted) == 1 and code in posted[0]["data"]["thing4"]["value"]
