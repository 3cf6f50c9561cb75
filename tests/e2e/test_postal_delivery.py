"""Results go home by post: the clerk posts, couriers scan the label, the recipient gives the code.

Everything from results ready to delivered goes through HTTP, as the clerk's back office, the
courier's phone and the mini-program call it.
"""

from __future__ import annotations

import logging
import re
import uuid

import pytest

from onething.keys import workflow_key
from onething.services.audit import check_case
from storage.models import Notification
from tests.support.apps import start_app
from tests.support.cases import to_results_ready
from tests.support.courier import CourierApp, CourierBrowser, decode_qr, token_of
from tests.support.miniapp import MiniProgram
from tests.support.staff_api import StaffApi

ADDRESS = {"province": "浙江省", "city": "杭州市", "district": "某县", "detail": "城关镇解放路18号"}
PIECES = [{"description": "营业执照正副本"}, {"description": "公章一套"}]


def name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def service(aiohttp_server, aiohttp_client, tmp_path, database_url, redis_url):
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url, redis_url=redis_url)
    return running, await aiohttp_client(running.server)


async def ready_case(running, client, method: str = "post") -> tuple[MiniProgram, int]:
    """A citizen's 企业开办 case with the delivery chosen in the mini-program, its results ready."""
    me = await MiniProgram.login(client, f"sandbox-{uuid.uuid4().hex[:8]}")
    case = await me.post("/applications", {"thing": "business-opening"}, expect=201)
    choice = {"method": "post", "recipient": "王青禾", "phone": "13812345678", "address": ADDRESS}
    await me.put(f"/applications/{case['id']}/delivery", choice if method == "post" else {"method": "pickup"})
    await to_results_ready(running.app[workflow_key], case["id"])
    return me, case["id"]


async def kinds(case_id: int) -> list[str]:
    return [n.kind for n in await Notification.filter(application_id=case_id).order_by("id")]


async def test_from_results_ready_to_delivered_over_http(service, caplog):
    running, client = service
    me, case_id = await ready_case(running, client)
    clerk = await StaffApi.login(client, name("clerk"), "clerk")

    posted = await clerk.post(f"/applications/{case_id}/shipments", {"tracking_number": "EA123456789CN",
                                                                     "pieces": PIECES}, expect=201)
    assert (posted["carrier"], posted["state"], posted["recipient"], posted["phone"]) == (
        "ems", "created", "王**", "138****5678")
    assert "pickup_code" not in posted  # the code is the recipient's alone

    # The label: its QR code leads to the courier page and says nothing personal.
    qr = await client.get(posted["links"]["qr_png"], headers={"Authorization": f"Bearer {clerk.token}"})
    assert qr.status == 200 and qr.content_type == "image/png"
    url = decode_qr(await qr.read())
    token = token_of(url)
    assert url == f"{running.settings.public_url}/courier/s/{token}" and len(token) == 38
    svg = await client.get(posted["links"]["qr_svg"], headers={"Authorization": f"Bearer {clerk.token}"})
    assert svg.content_type == "image/svg+xml" and (await svg.text()).startswith("<svg")
    slip = await client.get(posted["links"]["slip"], headers={"Authorization": f"Bearer {clerk.token}"})
    html = await slip.text()
    assert slip.status == 200 and all(s in html for s in ("第1/2件", "第2/2件", "王**", "138****5678",
                                                          "城关镇解放路18号", "data:image/svg+xml"))
    assert "王青禾" not in html and "13812345678" not in html

    mine = await me.get(f"/applications/{case_id}/shipment")
    code = mine["pickup_code"]
    assert len(code) == 6 and code.isdigit() and mine["pieces"] == ["营业执照正副本", "公章一套"]
    [notice] = await Notification.filter(application_id=case_id, kind="shipment_posted")
    assert notice.payload == {"number": mine["number"], "carrier": "中国邮政EMS", "tracking_number": "EA123456789CN",
                              "pickup_code": code}

    ems = await CourierApp.login(client, name("ems"), "ems")
    sf = await CourierApp.login(client, name("sf"), "sf")
    other = await sf.act(token, "pickup", expect=403)
    assert other["error"]["code"] == "other_carrier"
    with caplog.at_level(logging.WARNING, logger="onething.courier"):
        forged = await ems.shipment(token[:-4] + "AAAA", expect=404)
    assert forged["error"]["message"] == "投递二维码无效，请核对面单。"
    assert any(getattr(r, "reason", None) == "forged" for r in caplog.records)
    assert token not in caplog.text

    early = await ems.act(token, "deliver", expect=409, pickup_code=code)
    assert early["error"]["code"] == "out_of_order" and "下一步可以：在服务中心揽收" in early["error"]["message"]

    first = await ems.act(token, "pickup", location={"latitude": 30.27, "longitude": 120.15})
    replay = await ems.act(token, "pickup")
    assert first["recorded"] is True and replay["recorded"] is False
    assert [s["action"] for s in replay["shipment"]["scans"]] == ["pickup"]
    assert replay["shipment"]["scans"][0]["latitude"] == 30.27
    await ems.act(token, "out-for-delivery")

    wrong = "000000" if code != "000000" else "111111"
    refused = await ems.act(token, "deliver", expect=422, pickup_code=wrong)
    assert refused["error"]["code"] == "wrong_code" and refused["error"]["details"]["attempts_left"] == 4
    delivered = await ems.act(token, "deliver", pickup_code=code)
    assert delivered["shipment"]["state"] == "delivered" and delivered["shipment"]["next_actions"] == []
    assert (await ems.act(token, "deliver", pickup_code=code))["recorded"] is False

    final = await me.get(f"/applications/{case_id}")
    assert final["state"] == "closed"
    followed = await me.get(f"/applications/{case_id}/shipment")
    assert [s["action"] for s in followed["scans"]] == ["pickup", "out_for_delivery", "deliver"]
    assert followed["pickup_code"] is None and "actor" not in followed["scans"][0]
    sent = await kinds(case_id)
    assert sent[sent.index("shipment_posted"):] == ["shipment_posted", "shipment_picked_up",
                                                     "shipment_out_for_delivery", "closed", "rate_invitation"]
    said = [e["text"].split("：")[0] for e in final["timeline"]]
    assert said[said.index("办理结果已交寄"):] == [
        "办理结果已交寄", "快递员已揽收", "邮件开始派送", "签收时取件码错误（第1次）", "邮寄送达，收件人已签收", "办件已办结"]
    assert final["timeline"][-2]["actor"] == "快递员"
    await me.post(f"/applications/{case_id}/evaluation", {"score": 5, "comment": "在家就收到了"}, expect=201)
    assert await check_case(case_id) is None


async def test_the_courier_page_in_wechats_browser(service, aiohttp_client, caplog):
    running, client = service
    _, case_id = await ready_case(running, client)
    clerk = await StaffApi.login(client, name("clerk"), "clerk")
    posted = await clerk.post(f"/applications/{case_id}/shipments", {"tracking_number": "EA123456789CN",
                                                                     "pieces": PIECES[:1]}, expect=201)
    qr = await client.get(posted["links"]["qr_png"], headers={"Authorization": f"Bearer {clerk.token}"})
    url = decode_qr(await qr.read())
    username = name("ems")
    await CourierApp.login(client, username, "ems")  # the account exists (made by an admin)
    phone = CourierBrowser(await aiohttp_client(running.server))

    with caplog.at_level(logging.INFO, logger="onething.access"):
        assert "快递员登录" in await phone.open(url)  # first scan: sign in once
    paths = [r.path for r in caplog.records if r.name == "onething.access"]
    assert "/courier/s/{token}" in paths and not any(token_of(url) in p for p in paths)  # logs hold no keys
    page = await phone.login(username, f"/courier/s/{token_of(url)}")
    assert "王**" in page and "王青禾" not in page and "在服务中心揽收" in page
    cookie = next(c for c in phone.client.session.cookie_jar if c.key == "courier_session")
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/courier/"

    page = await phone.submit(page, "pickup")
    assert "已登记：在服务中心揽收。" in page and "开始派送" in page
    forged_form = await phone.client.post(f"/courier/s/{token_of(url)}", data={"action": "out_for_delivery",
                                                                                 "csrf": "0" * 32})
    assert forged_form.status == 403 and "页面已过期" in await forged_form.text()
    page = await phone.submit(page, "out_for_delivery")
    page = await phone.submit(page, "fail", reason="收件人不在")
    assert "投递未成功" in page and "收件人不在" in page
    page = await phone.submit(page, "return")
    assert "已退回服务中心" in page and "本邮件已无需操作" in page
    out_of_order = await phone.client.post(f"/courier/s/{token_of(url)}", data={
        "action": "pickup", "csrf": re.search(r'name="csrf" value="(\w+)"', page).group(1)})
    assert out_of_order.status == 409 and "不能在服务中心揽收" in await out_of_order.text()

    with caplog.at_level(logging.WARNING, logger="onething.courier"):
        bad = await phone.open(url[:-6] + "xxxxxx", expect=404)
    assert "投递二维码无效" in bad and "{" not in bad.split("<body>")[1]  # a plain page, not JSON
    assert any(getattr(r, "reason", None) == "forged" for r in caplog.records)
    assert "王**" not in bad

    # Returned: the window may post the results again, under a new tracking number.
    again = await clerk.post(f"/applications/{case_id}/shipments", {"tracking_number": "EA987654321CN",
                                                                    "pieces": PIECES}, expect=201)
    assert again["state"] == "created" and again["links"]["qr_png"] != posted["links"]["qr_png"]


async def test_the_pickup_code_locks_after_five_wrong_tries(service):
    running, client = service
    me, case_id = await ready_case(running, client)
    clerk = await StaffApi.login(client, name("clerk"), "clerk")
    posted = await clerk.post(f"/applications/{case_id}/shipments", {"carrier": "sf", "tracking_number": "SF1234567890",
                                                                     "pieces": PIECES}, expect=201)
    token = token_of(decode_qr(await (await client.get(
        posted["links"]["qr_png"], headers={"Authorization": f"Bearer {clerk.token}"})).read()))
    code = (await me.get(f"/applications/{case_id}/shipment"))["pickup_code"]
    sf = await CourierApp.login(client, name("sf"), "sf")
    await sf.act(token, "pickup")
    await sf.act(token, "out-for-delivery")
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        assert (await sf.act(token, "deliver", expect=422, pickup_code=wrong))["error"]["details"]["attempts_left"] == left
    assert (await sf.act(token, "deliver", expect=423, pickup_code=wrong))["error"]["code"] == "code_locked"
    locked = await sf.act(token, "deliver", expect=423, pickup_code=code)
    assert locked["error"]["code"] == "code_locked"
    view = await sf.shipment(token)
    assert view["code_locked"] and [a["action"] for a in view["next_actions"]] == ["fail"]
    await sf.act(token, "fail", reason="取件码无法核对")
    assert (await me.get(f"/applications/{case_id}"))["state"] == "results_ready"


async def test_who_may_post_and_see_shipments(service):
    running, client = service
    _, pickup_case = await ready_case(running, client, method="pickup")
    me, case_id = await ready_case(running, client)
    clerk = await StaffApi.login(client, name("clerk"), "clerk")
    body = {"tracking_number": "EA123456789CN", "pieces": PIECES}

    not_postal = await clerk.post(f"/applications/{pickup_case}/shipments", body, expect=422)
    assert not_postal["error"]["code"] == "not_postal"
    staff = {role: await StaffApi.login(client, name(role), role, department="market" if role == "reviewer" else None)
             for role in ("reviewer", "supervisor", "admin", "manager")}
    for someone in staff.values():
        await someone.post(f"/applications/{case_id}/shipments", body, expect=403)
    for bad, code in (({**body, "pieces": []}, "invalid_pieces"), ({**body, "tracking_number": "x"},
                      "invalid_tracking_number"), ({**body, "carrier": "dhl"}, "unknown_carrier")):
        assert (await clerk.post(f"/applications/{case_id}/shipments", bad, expect=422))["error"]["code"] == code
    await clerk.post("/applications/999999/shipments", body, expect=404)
    posted = await clerk.post(f"/applications/{case_id}/shipments", body, expect=201)
    twice = await clerk.post(f"/applications/{case_id}/shipments", body, expect=409)
    assert twice["error"]["code"] == "shipment_open"
    listed = await clerk.get(f"/applications/{case_id}/shipments")
    assert [s["id"] for s in listed["items"]] == [posted["id"]]
    for role, someone in staff.items():
        for path in ("", "/slip", "/qr.png", "/qr.svg"):
            expect = 403 if role in ("reviewer", "manager") else 200
            response = await client.get(f"/staff/api/v1/shipments/{posted['id']}{path}",
                                        headers={"Authorization": f"Bearer {someone.token}"})
            assert response.status == expect, (role, path)
    await clerk.get("/shipments/999999", expect=404)

    courier = await CourierApp.login(client, name("ems"), "ems")
    response = await client.get(f"/staff/api/v1/shipments/{posted['id']}",
                                headers={"Authorization": f"Bearer {courier.token}"})
    assert response.status == 401  # a courier's session opens no back office
    refused = await client.post("/staff/api/v1/auth/login", json={"username": "x", "password": "y"})
    assert refused.status == 401
    await CourierApp(client, "").shipment("A" * 38, expect=401)  # no probing codes without signing in

    stranger = await MiniProgram.login(client, f"sandbox-{uuid.uuid4().hex[:8]}")
    await stranger.get(f"/applications/{case_id}/shipment", expect=404)
    assert (await me.get(f"/applications/{pickup_case}/shipment", expect=404))["error"]["code"] == "not_found"

    admin = await StaffApi.login(client, name("admin"), "admin")
    made = await admin.post("/couriers", {"username": name("sf"), "carrier": "sf", "password": "long-enough-pw"},
                            expect=201)
    assert made["role"] == "courier" and made["carrier"] == "sf"
    await clerk.post("/couriers", {"username": name("x"), "carrier": "sf", "password": "long-enough-pw"}, expect=403)
    bad = await admin.post("/couriers", {"username": name("x"), "carrier": "dhl", "password": "long-enough-pw"},
                           expect=422)
    assert bad["error"]["code"] == "invalid_courier"
    spec = await (await client.get("/api/v1/openapi.json")).json()
    assert "get" in spec["paths"]["/api/v1/applications/{id}/shipment"]
