"""The project service manager's console pages: their enterprises, the inbox, a reply reaching WeChat."""

from __future__ import annotations

from aiohttp import FormData

from storage.models import ManagerMessage
from tests.support import documents, fake_wechat
from tests.support.apps import drain_jobs
from tests.support.console import ONE_BACKEND, Desk
from tests.support.console_rest import enterprise_with_contact, manager_desk, page_queries, send_all

pytestmark = ONE_BACKEND


async def test_a_manager_sees_their_enterprises_only_and_anything_else_is_a_404_page(wired):
    _, client = wired
    mine, mine_api = await manager_desk(client)
    enterprise, _ = await enterprise_with_contact(client, mine_api)
    other, _ = await manager_desk(client, "other")
    listing = await mine.get("/staff/enterprises")
    assert enterprise["name"] in listing and f'href="/staff/enterprises/{enterprise["id"]}"' in listing
    page = await mine.get(f"/staff/enterprises/{enterprise['id']}")
    assert enterprise["credit_code"] in page and "已关注" in page and "历史记录" in page
    assert enterprise["name"] not in await other.get("/staff/enterprises")
    for path in (f"/staff/enterprises/{enterprise['id']}", f"/staff/threads/{enterprise['id']}"):
        assert "未找到" in await other.get(path, expect=404)
    await other.post(f"/staff/threads/{enterprise['id']}", {"kind": "text", "text": "冒名"}, expect=404)
    clerk = await Desk.sign_in(client, "clerk", "clerk")
    await clerk.get("/staff/enterprises", expect=404)


async def test_a_reply_in_a_thread_reaches_wechat_and_shows_its_delivery_state(wired, wechat):
    running, client = wired
    manager, api = await manager_desk(client)
    enterprise, person = await enterprise_with_contact(client, api)
    await person.says(client, "找经理")
    await person.says(client, "营业执照什么时候能领？")
    inbox = await manager.get("/staff/threads")
    assert "1 条未读" in inbox and enterprise["name"] in inbox

    thread = await manager.get(f"/staff/threads/{enterprise['id']}")
    assert "营业执照什么时候能领？" in thread and 'for="text"' in thread
    html = await manager.post(f"/staff/threads/{enterprise['id']}", {"kind": "text", "text": "本周五可领取"})
    assert "消息已排队发送" in html and 'data-state="pending"' in html
    await send_all(running)
    [sent] = [b for n, b in wechat.app[fake_wechat.SENT] if n == "oa_text" and b["touser"] == person.follower_openid
              and "本周五" in b["text"]["content"]]
    assert 'data-state="sent"' in await manager.get(f"/staff/threads/{enterprise['id']}")
    assert "条未读" not in await manager.get("/staff/threads")

    notice = await manager.post(f"/staff/threads/{enterprise['id']}", {"kind": "notice", "thing": "business-opening"})
    assert "一件事告知" in notice


async def test_a_refused_reply_says_why_and_keeps_what_was_chosen(wired):
    _, client = wired
    manager, api = await manager_desk(client)
    enterprise, _ = await enterprise_with_contact(client, api)
    html = await manager.post(f"/staff/threads/{enterprise['id']}", {"kind": "text", "text": "   "}, expect=422)
    assert 'class="refusal"' in html and 'value="text" checked' in html
    html = await manager.post(f"/staff/threads/{enterprise['id']}", {"kind": "status", "application": "999999"},
                              expect=422)
    assert 'class="refusal"' in html and 'value="status" checked' in html


async def test_the_enterprise_list_the_inbox_and_a_thread_take_the_same_queries_for_one_row_or_three(wired):
    running, client = wired
    manager, api = await manager_desk(client)
    first, person = await enterprise_with_contact(client, api)
    await person.says(client, "找经理")
    await person.says(client, "你好")

    async def counts() -> list[int]:
        await drain_jobs(running.app)  # what the setup set going (notifications, sending) is not the page's
        found = []
        for path in ("/staff/enterprises", "/staff/threads", f"/staff/threads/{first['id']}"):
            found.append(await page_queries(manager, path))
        return found

    await counts()  # what a process reads once (the calendar, cached lookups) is not the page's
    before = await counts()
    for _ in range(2):
        more, someone = await enterprise_with_contact(client, api)
        await someone.says(client, "找经理")
        await someone.says(client, "在吗")
        await manager.post(f"/staff/threads/{more['id']}", {"kind": "text", "text": "在"})
        await manager.post(f"/staff/threads/{first['id']}", {"kind": "text", "text": "再说一句"})
    await send_all(running)
    assert await counts() == before


async def test_a_broadcast_goes_to_the_enterprises_ticked_and_shows_its_progress(wired):
    running, client = wired
    manager, api = await manager_desk(client)
    firms = [(await enterprise_with_contact(client, api))[0] for _ in range(2)]
    page = await manager.get("/staff/broadcasts")
    assert all(f'value="{f["id"]}"' in page for f in firms)
    refused = await manager.post("/staff/broadcasts", {"kind": "text", "text": "停水通知"}, expect=422)
    assert "没有可发送的企业" in refused and "停水通知" in refused
    html = await manager.post("/staff/broadcasts", [("enterprise", str(f["id"])) for f in firms] + [
        ("kind", "text"), ("text", "明日上午停水")])
    assert "群发已排队" in html and "待发送 2" in html
    await send_all(running)
    assert "已发送 2" in await manager.get("/staff/broadcasts")
    other, other_api = await manager_desk(client, "other")
    theirs, _ = await enterprise_with_contact(client, other_api)
    await manager.post("/staff/broadcasts", [("enterprise", str(theirs["id"])), ("kind", "text"), ("text", "x")],
                       expect=404)
    assert "明日上午停水" not in await other.get("/staff/broadcasts")

    few = await page_queries(manager, "/staff/broadcasts")
    for _ in range(2):
        await manager.post("/staff/broadcasts", [("enterprise", str(firms[0]["id"])), ("kind", "notice"),
                                                 ("thing", "business-opening")])
    assert await page_queries(manager, "/staff/broadcasts") == few


async def test_a_document_is_sent_from_the_thread_with_its_note_and_a_wrong_kind_is_refused(wired):
    _, client = wired
    manager, api = await manager_desk(client)
    enterprise, _ = await enterprise_with_contact(client, api)

    async def upload(data: bytes, content_type: str, csrf: str | None = None):
        body = FormData()  # as the page's form sends it: the token, the note, then the file
        body.add_field("csrf", csrf or manager.csrf)
        body.add_field("note", "请查收批复")
        body.add_field("document", data, filename="批复.pdf", content_type=content_type)
        return await manager.request("POST", f"/staff/threads/{enterprise['id']}/document", data=body)

    assert (await upload(documents.pdf(), "application/pdf", csrf="forged")).status == 403
    refused = await upload(b"MZ not a document", "application/x-msdownload")
    assert refused.status == 415 and 'class="refusal"' in await refused.text()
    done = await upload(documents.pdf("批复"), "application/pdf")
    html = await done.text()
    assert done.status == 200 and "消息已排队发送" in html and "批复.pdf" in html
    sent = await ManagerMessage.get(enterprise_id=enterprise["id"], kind="document")
    assert sent.text == "请查收批复" and sent.object_key
