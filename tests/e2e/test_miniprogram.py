"""The mini-program's whole journey over HTTP, against a local fake of WeChat's API."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from onething.keys import workflow_key
from onething.services.case_store import Actor
from tests.support import documents, fake_wechat
from tests.support.cases import Clock, fresh_rate_window
from tests.support.apps import start_app
from tests.support.forms import complete_form
from tests.support.miniapp import JPEG, PDF, PNG, MiniProgram
from tests.support.staff_api import StaffApi
from tests.support.timeline import assert_no_codes

@pytest.fixture
async def service(aiohttp_server, aiohttp_client, tmp_path, wechat, database_url, redis_url):
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url, redis_url=redis_url,
                              mp_appid=fake_wechat.APPID, mp_secret=fake_wechat.SECRET,
                              wechat_api_base=str(wechat.make_url("/")))
    return running, await aiohttp_client(running.server)


async def test_business_opening_from_login_to_rating(service, wechat):
    running, client = service
    clock = running.app[workflow_key].clock = Clock()  # Monday 2026-03-02, 10:00 in Shanghai
    me = await MiniProgram.login(client, f"good-{uuid.uuid4().hex[:8]}")
    calls = wechat.app[fake_wechat.CALLS]
    assert calls[-1][0] == "jscode2session" and calls[-1][1]["js_code"].startswith("good-")
    # the access token comes from stable_token (or the one already shared in Redis), never /cgi-bin/token
    assert {name for name, _ in calls} <= {"stable_token", "jscode2session"}

    thing = await me.get("/things/business-opening")
    notice, schema = thing["notice"], thing["form"]
    draft = await me.post("/applications", {"thing": "business-opening", "form": complete_form(schema)}, expect=201)
    case_id = draft["id"]
    assert draft["state"] == "draft" and draft["number"].startswith("YS")

    missing = await me.post(f"/applications/{case_id}/submit", expect=422)
    assert {m["code"] for m in missing["error"]["details"]["missing_materials"]} == {
        m["code"] for m in notice["materials"] if not m["deferrable"]}

    for index, material in enumerate(notice["materials"]):
        if index % 2:
            await me.upload_direct(case_id, material["code"], PDF, "application/pdf")
        else:
            await me.upload_presigned(case_id, material["code"], PNG, "image/png")
    await me.upload_direct(case_id, notice["materials"][1]["code"], PDF, "application/pdf")  # sent twice: idempotent

    submitted = await me.post(f"/applications/{case_id}/submit")
    assert submitted["state"] == "submitted" and len(submitted["materials"]) == len(notice["materials"])

    clerk = await StaffApi.login(client, f"clerk-{uuid.uuid4().hex[:6]}", "clerk")
    await clerk.post(f"/applications/{case_id}/return", {"problems": ["公司章程未签字"]})
    returned = await me.get(f"/applications/{case_id}")
    assert returned["state"] == "returned" and returned["problems"] == ["公司章程未签字"]
    await me.upload_direct(case_id, "company-articles", documents.pdf("signed"), "application/pdf")
    await me.post(f"/applications/{case_id}/resubmit")

    accepted = await clerk.post(f"/applications/{case_id}/accept")
    first_expected = (await me.get(f"/applications/{case_id}"))["expected_completion_on"]
    assert first_expected
    licence = next(t for t in accepted["tasks"] if t["state"] == "in_review")
    market = await StaffApi.login(client, f"m-{uuid.uuid4().hex[:6]}", "reviewer", department=licence["department"])
    clock.now += timedelta(days=1)
    await market.post(f"/tasks/{licence['id']}/approve", {"result_number": "91330100MA2KXXXX0A"})

    progress = await me.get(f"/applications/{case_id}")
    # the critical path was told at intake (licence, then stage two): an approval on time keeps it
    assert progress["expected_completion_on"] == first_expected == "2026-03-04"
    stage_two = [t for t in progress["tasks"] if t["state"] == "in_review"]
    reviewers = {t["department"]: await StaffApi.login(client, f"r-{uuid.uuid4().hex[:6]}", "reviewer",
                                                       department=t["department"]) for t in stage_two}
    await asyncio.gather(*(reviewers[t["department"]].post(f"/tasks/{t['id']}/approve", {"result_number": "R1"})
                           for t in stage_two))
    assert (await me.get(f"/applications/{case_id}"))["state"] == "approved"

    await me.put(f"/applications/{case_id}/delivery", {
        "method": "post", "recipient": "王青禾", "phone": "13812345678",
        "address": {"province": "浙江省", "city": "杭州市", "district": "某县", "detail": "城关镇解放路18号"}})
    await clerk.post(f"/applications/{case_id}/results-ready")
    await me.post(f"/applications/{case_id}/evaluation", {"score": 5, "comment": "一次都没跑"}, expect=201)
    again = await me.post(f"/applications/{case_id}/evaluation", {"score": 1}, expect=422)
    assert again["error"]["code"] == "already_rated"
    final = await me.get(f"/applications/{case_id}")
    assert final["delivery"]["phone"] == "138****5678" and final["evaluation"]["score"] == 5
    assert all(entry["actor"] in ("申请人", "工作人员", "系统") for entry in final["timeline"])
    said = [entry["text"] for entry in final["timeline"]]
    # citizens' actions are traced too, and each step reads as a sentence, by the catalog's names
    assert {"提交了申请", "补正后重新提交了申请", "窗口退回补正：公司章程未签字", "选择了结果领取方式：邮寄",
            "评价了本次办理：5分（非常满意）", "全部事项审批通过"} <= set(said)
    assert {f"上传了材料《{m['name']}》" for m in notice["materials"]} <= set(said)
    assert_no_codes(final["timeline"], codes={m["code"] for m in notice["materials"]})
    from onething.services.audit import check_case
    assert await check_case(case_id) is None


async def test_login_failures_are_clear(service):
    _, client = service
    for code, status, error in (("used", 401, "invalid_code"), ("nonsense", 401, "invalid_code"),
                                ("busy", 503, "wechat_unavailable")):
        response = await client.post("/api/v1/auth/login", json={"code": code})
        assert response.status == status and (await response.json())["error"]["code"] == error


async def test_another_citizens_case_does_not_exist_for_me(service):
    _, client = service
    owner = await MiniProgram.login(client, f"good-{uuid.uuid4().hex[:8]}")
    other = await MiniProgram.login(client, f"good-{uuid.uuid4().hex[:8]}")
    case = await owner.post("/applications", {"thing": "newborn"}, expect=201)
    for method, path in (("GET", ""), ("POST", "/submit"), ("POST", "/withdraw"), ("PUT", "/delivery"),
                         ("POST", "/evaluation"), ("POST", "/materials/applicant-id-card/upload-url")):
        body = await other.call(method, f"/applications/{case['id']}{path}", expect=404, json={})
        assert body["error"]["code"] == "not_found"
    assert (await other.get("/applications"))["total"] == 0
    too_long = await owner.post(f"/applications/{case['id']}/evaluation", {"score": 5, "comment": "好" * 501}, expect=422)
    assert too_long["error"]["details"]["fields"][0]["field"] == "comment"
    await MiniProgram(client, "forged").get("/applications", expect=401)


async def test_a_form_failing_its_schema_names_every_field(service):
    _, client = service
    me = await MiniProgram.login(client, f"good-{uuid.uuid4().hex[:8]}")
    body = await me.post("/applications", {"thing": "business-opening", "form": {
        "company_name": "x", "legal_rep_phone": "12", "registered_capital": -1}}, expect=422)
    assert set(body["error"]["details"]["fields"]) == {"company_name", "legal_rep_phone", "registered_capital"}


async def test_wrong_type_and_oversize_uploads_leave_nothing(service):
    running, client = service
    me = await MiniProgram.login(client, f"good-{uuid.uuid4().hex[:8]}")
    case = await me.post("/applications", {"thing": "business-opening"}, expect=201)
    path = f"/applications/{case['id']}/materials/company-articles"
    fake_pdf = await me.upload_direct(case["id"], "company-articles", b"MZ\x90\x00 not a pdf", "application/pdf", expect=415)
    assert fake_pdf["error"]["code"] == "type_mismatch"
    exe = await me.call("PUT", path, 415, data=b"x", headers={"Content-Type": "application/x-msdownload"})
    assert exe["error"]["message"] == "只能上传 JPG、PNG 图片或 PDF 文件。"
    big = await me.post(path + "/upload-url", {"filename": "a.pdf", "content_type": "application/pdf",
                                               "size": 200 * 1024 * 1024}, expect=413)
    assert big["error"]["code"] == "material_too_large"
    liar = await me.upload_presigned(case["id"], "company-articles", JPEG, "image/png", expect=415)
    assert liar["error"]["code"] == "type_mismatch"
    assert (await me.get(f"/applications/{case['id']}"))["materials"] == []
    leftovers = [p for p in (running.settings.data_dir / "objects" / "objects").rglob("*") if p.is_file()]
    assert leftovers == []


async def test_verified_documents_are_reused_from_the_wallet(service):
    running, client = service
    me = await MiniProgram.login(client, f"good-{uuid.uuid4().hex[:8]}")
    first = await me.post("/applications", {"thing": "newborn"}, expect=201)
    material = "applicant-id-card"
    await me.upload_direct(first["id"], material, PDF, "application/pdf")
    assert (await me.get("/me/wallet"))["items"] == []  # not verified until a window accepts it
    flow = running.app[workflow_key]
    await flow.act(first["id"], Actor("staff:x", "clerk"), lambda case, now: case.submit(now, flow.calendar))
    await flow.accept(first["id"], Actor("staff:x", "clerk"))
    wallet = (await me.get("/me/wallet"))["items"]
    assert [w["material"] for w in wallet] == [material]
    second = await me.post("/applications", {"thing": "newborn"}, expect=201)
    reused = await me.post(f"/applications/{second['id']}/materials/{material}", {"file": wallet[0]["id"]})
    assert [m["material"] for m in reused["materials"]] == [material]


async def test_identity_is_validated_stored_encrypted_and_masked(service):
    _, client = service
    me = await MiniProgram.login(client, f"good-{uuid.uuid4().hex[:8]}")
    bad = await me.put("/me/identity", {"real_name": "王", "id_number": "110101199003074578", "mobile": "123"},
                       expect=422)
    assert set(bad["error"]["details"]["fields"]) == {"real_name", "id_number", "mobile"}
    good = await me.put("/me/identity", {"real_name": "王青禾", "id_number": "110101199003074573",
                                         "mobile": "13812345678"})
    assert good["id_number"] == "110***********4573" and good["mobile"] == "138****5678"
    from storage.models import Citizen
    stored = await Citizen.get(id=good["id"])
    assert "110101199003074573" not in (stored.id_number_cipher or "")
    bind = await me.put("/me/enterprise", {"credit_code": "91350100M000100Y44"}, expect=422)
    assert bind["error"]["code"] == "invalid_credit_code"


async def test_the_api_describes_itself(service):
    _, client = service
    spec = await (await client.get("/api/v1/openapi.json")).json()
    assert "/api/v1/applications/{id}/materials/{material}/upload-url" in spec["paths"]
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            success = next(code for code in op["responses"] if code.startswith("2"))
            assert "schema" in op["responses"][success]["content"]["application/json"], (method, path)
            named = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert named == {part[1:-1] for part in path.split("/") if part.startswith("{")}, (method, path)
    listing = spec["paths"]["/api/v1/applications"]["get"]["parameters"]
    assert [(p["name"], p["schema"]["maximum"]) for p in listing] == [("page", 2**31 - 1)]
    rating = spec["paths"]["/api/v1/applications/{id}/evaluation"]["post"]["requestBody"]
    assert rating["content"]["application/json"]["schema"]["properties"]["comment"]["maxLength"] == 500
    upload = spec["paths"]["/api/v1/applications/{id}/materials/{material}"]["put"]
    assert set(upload["requestBody"]["content"]) == {"image/jpeg", "image/png", "application/pdf"}
    assert [p["name"] for p in upload["parameters"] if p["in"] == "query"] == ["filename"]
    page = await client.get("/api/v1/docs")
    assert page.status == 200 and "小程序接口" in await page.text()


async def test_too_many_requests_get_429_with_retry_after(aiohttp_server, aiohttp_client, tmp_path):
    running = await start_app(aiohttp_server, tmp_path, rate_limit_per_user="3")
    client = await aiohttp_client(running.server)
    me = await MiniProgram.login(client, f"sandbox-{uuid.uuid4().hex[:8]}")
    await fresh_rate_window()
    for _ in range(3):
        await me.get("/me")
    response = await client.get("/api/v1/me", headers=me.headers)
    assert response.status == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert (await response.json())["error"]["message"] == "操作过于频繁，请稍后再试。"


async def test_staff_download_materials_and_attach_certificates_through_short_lived_links(service):
    running, client = service
    me = await MiniProgram.login(client, f"good-{uuid.uuid4().hex[:8]}")
    case = await me.post("/applications", {"thing": "business-opening"}, expect=201)
    await me.upload_direct(case["id"], "company-articles", PDF, "application/pdf")
    await running.app[workflow_key].act(case["id"], Actor("citizen:x", "citizen"),
                                        lambda c, now: c.submit(now, running.app[workflow_key].calendar))
    clerk = await StaffApi.login(client, f"c-{uuid.uuid4().hex[:6]}", "clerk")
    detail = await clerk.post(f"/applications/{case['id']}/accept")
    [document] = detail["materials"]
    assert "exp=" in document["download_url"] or "X-Amz-Expires=300" in document["download_url"]
    async with client.session.get(document["download_url"]) as response:
        assert response.status == 200 and await response.read() == PDF
    licence = next(t for t in detail["tasks"] if t["state"] == "in_review")
    reviewer = await StaffApi.login(client, f"r-{uuid.uuid4().hex[:6]}", "reviewer", department=licence["department"])
    not_pdf = await reviewer.call("PUT", f"/tasks/{licence['id']}/certificate", 415, data=PNG,
                                  headers={"Content-Type": "application/pdf"})
    assert not_pdf["error"]["code"] == "type_mismatch"
    page = await reviewer.call("PUT", f"/tasks/{licence['id']}/certificate", 422, data=b"%PDF-1.7\n<html></html>",
                               headers={"Content-Type": "application/pdf"})
    assert page["error"]["code"] == "unreadable_file"
    await reviewer.call("PUT", f"/tasks/{licence['id']}/certificate", 200, data=PDF,
                        headers={"Content-Type": "application/pdf"})
    after = await clerk.get(f"/applications/{case['id']}")
    assert next(t for t in after["tasks"] if t["id"] == licence["id"])["certificate_url"]


async def test_documents_go_straight_to_s3_and_are_checked_on_confirm(aiohttp_server, aiohttp_client, tmp_path, s3_url):
    running = await start_app(aiohttp_server, tmp_path, object_store_url=s3_url)
    client = await aiohttp_client(running.server)
    me = await MiniProgram.login(client, f"sandbox-{uuid.uuid4().hex[:8]}")
    case = await me.post("/applications", {"thing": "business-opening"}, expect=201)
    recorded = await me.upload_presigned(case["id"], "company-articles", PDF, "application/pdf")
    assert recorded["materials"][0]["content_type"] == "application/pdf"
    again = await me.post(f"/applications/{case['id']}/materials/company-articles/confirm")
    assert len(again["materials"]) == 1  # a confirm sent twice records once
    liar = await me.upload_presigned(case["id"], "legal-rep-id-card", PDF, "image/png", expect=415)
    assert liar["error"]["code"] == "type_mismatch"
    keys = [o async for o in _s3_keys(running)]
    assert not any("legal-rep-id-card" in key for key in keys), "a refused upload leaves nothing behind"


async def _s3_keys(running):
    import asyncio as _asyncio

    store = running.store
    objects = await _asyncio.to_thread(lambda: list(store._client.list_objects(store.bucket, recursive=True)))
    for item in objects:
        yield item.object_name
