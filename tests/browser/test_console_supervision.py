"""A supervisor in a real browser: from a figure to the cases behind it, and the monthly bulletin
printed on its own, without the console around it."""

from __future__ import annotations

import uuid

from tests.support.browser import assert_labelled, sign_in
from tests.support.console import ONE_BACKEND, submitted

pytestmark = ONE_BACKEND


async def test_a_supervisor_follows_a_figure_and_prints_the_bulletin_alone(console, open_page):
    await submitted(console)
    page = await open_page()
    await sign_in(page, console.url, f"supervisor-{uuid.uuid4().hex[:6]}", "supervisor")
    await page.get_by_role("link", name="监察数据").click()
    await page.get_by_role("heading", name="收件与办结").wait_for()
    await assert_labelled(page)
    await page.locator("table.figures a[href*='fact=received']").first.click()
    await page.get_by_role("heading", name="统计项背后的办件：提交的办件（含补正后再次提交）（2026-03）").wait_for()
    assert await page.locator("a[href^='/staff/cases/']").count() >= 1

    await page.get_by_role("link", name="评估情况通报").click()
    frame = page.frame_locator("#bulletin-frame")
    await frame.get_by_role("heading", name="行政审批电子监察评估情况通报").wait_for()
    await assert_labelled(page)
    inner = page.frame(url=lambda url: url.endswith("/staff/bulletins/2026-02/print"))
    await inner.evaluate("() => { window.print = () => { window.printed = true; }; }")
    await page.get_by_role("button", name="打印通报").click()
    assert await inner.evaluate("() => window.printed === true")  # the frame prints, not the console page
    await page.emulate_media(media="print")
    assert not await page.locator("header.top").is_visible()
    assert not await page.locator("#bulletin-frame").is_visible()
