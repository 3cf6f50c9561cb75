"""What the end-to-end tests share: the local fake WeChat, and the service wired to it."""

from __future__ import annotations

import pytest

from tests.support import fake_wechat
from tests.support.apps import start_app
from tests.support.people import wechat_env


@pytest.fixture
async def wechat(aiohttp_server):
    return await aiohttp_server(fake_wechat.create_fake_wechat())


@pytest.fixture
async def wired(aiohttp_server, aiohttp_client, tmp_path, wechat, database_url, redis_url):
    """The service on the test's backends, both WeChat accounts pointed at the fake: (app, client)."""
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url, redis_url=redis_url,
                              **wechat_env(wechat))
    return running, await aiohttp_client(running.server)
