"""Browser tests: Debian's Chromium, driven by Playwright, against the real service on a free port.

Playwright's own browser download is not available here: the tests use ``/usr/bin/chromium``
(``.ci/run`` installs it). Without it a developer's run skips them; CI fails instead. A failed
test leaves a screenshot of its page in ``tests/browser/failures/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.support.apps import start_app
from tests.support import fake_wechat
from tests.support.people import wechat_env

CHROMIUM = os.environ.get("ONETHING_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
FAILURES = Path(__file__).parent / "failures"
OFFICE_PC = {"width": 1366, "height": 768}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
async def wechat(aiohttp_server):
    return await aiohttp_server(fake_wechat.create_fake_wechat())


@pytest.fixture
async def console(aiohttp_server, tmp_path, wechat, database_url, redis_url):
    """The service (fixed clock: Monday 2026-03-02, 10:00 in Shanghai) on the test's backends."""
    return await start_app(aiohttp_server, tmp_path, database_url=database_url, redis_url=redis_url,
                           **wechat_env(wechat))


@pytest.fixture
async def browser():
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"no Chromium at {CHROMIUM}: .ci/run installs it with apt-get")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def open_page(browser, request):
    """``await open_page()``: a new browser (its own cookies) at an office PC's size, in Chinese."""
    pages = []

    async def new(viewport: dict = OFFICE_PC):
        context = await browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(10_000)
        pages.append(await context.new_page())
        return pages[-1]

    yield new
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        FAILURES.mkdir(exist_ok=True)
        for i, page in enumerate(pages):
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            await page.screenshot(path=str(FAILURES / f"{name}-{i}.png"), full_page=True)
    for page in pages:
        await page.context.close()
