"""A manager and a supervisor in a real browser: a reply reaching WeChat, a follow-up closed."""

from __future__ import annotations

import uuid

from storage.models import AuditEvent, Evaluation
from tests.support import fake_wechat
from tests.support.browser import assert_labelled, sign_in
from tests.support.console import ONE_BACKEND
from tests.support.console_rest import api_as, bad_rating, enterprise_with_contact, send_all

pytestmark = ONE_BACKEND


def who(role: str) -> str:
    return f"{role}-{uuid.uuid4().hex[:6]}"


async def test_a_manager_replies_in_a_thread_and_wechat_receives_it(console, open_page, aiohttp_client, wechat):
    client = await aiohttp_client(console.server)
    page = await open_page()
    username = who("manager")
    await sign_in(page, console.url, username, "manager")
    enterprise, person = await enterprise_with_contact(client, await api_as(client, username))
    await person.says(client, "找经理")
    await person.says(client, "消防验收要准备什么？")

    await page.get_by_role("link", name="会话").click()
    await page.get_by_text("1 条未读").wait_for()
    await page.get_by_role("link", name=enterprise["name"]).click()
    await page.get_by_text("消防验收要准备什么？").wait_for()
    await assert_labelled(page)
    await page.get_by_label("消息内容").fill("请带上消防设计图纸，周三上午来窗口")
    await page.get_by_role("button", name="发送", exact=True).click()
    await page.get_by_text("消息已排队发送。").wait_for()

    await send_all(console)
    texts = [b["text"]["content"] for n, b in wechat.app[fake_wechat.SENT]
             if n == "oa_text" and b["touser"] == person.follower_openid]
    assert any("请带上消防设计图纸" in t for t in texts)
    await page.reload()
    assert await page.locator('li.delivery[data-state="sent"]').count() == 1


async def test_a_supervisor_closes_a_follow_up_with_a_note(console, open_page):
    case_id = await bad_rating(console, "窗口排队太久")
    page = await open_page()
    await sign_in(page, console.url, who("supervisor"), "supervisor")
    await page.get_by_role("link", name="差评回访").click()
    row = page.locator("tr", has_text="窗口排队太久")
    await row.wait_for()
    await assert_labelled(page)
    await row.get_by_role("textbox").fill("已电话回访，申请人表示理解")
    await row.get_by_role("button", name="办结回访").click()
    await page.get_by_text("回访已办结。").wait_for()
    assert (await Evaluation.get(application_id=case_id)).follow_up_closed_at is not None
    assert await AuditEvent.filter(application_id=case_id, action="close_follow_up").exists()
