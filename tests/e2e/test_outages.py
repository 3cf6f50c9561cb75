"""Redis or the database away: signed-in people are told to try again shortly (503 with
Retry-After, in Chinese), never shown a 500, and the service answers again once it is back."""

from __future__ import annotations

import uuid

import pytest

from storage import db
from onething.app import create_app
from tests.conftest import PG_URL, free_port, make_settings
from tests.support.apps import migrated, start_app
from tests.support.miniapp import MiniProgram
from tests.support.proxy import RedisOutage, postgres_through_proxy
from tests.support.staff_api import StaffApi

UNAVAILABLE = "系统暂时无法处理请求，请稍后再试。"


async def assert_unavailable(response) -> None:
    assert response.status == 503, await response.text()
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    error = (await response.json())["error"]
    assert (error["code"], error["message"]) == ("service_unavailable", UNAVAILABLE)


async def signed_in(client) -> tuple[MiniProgram, StaffApi]:
    citizen = await MiniProgram.login(client, f"sandbox-{uuid.uuid4().hex[:8]}")
    clerk = await StaffApi.login(client, f"clerk-{uuid.uuid4().hex[:6]}", "clerk")
    return citizen, clerk


async def both_answer(client, citizen: MiniProgram, clerk: StaffApi, expect: int) -> list:
    responses = [await client.get("/api/v1/me", headers=citizen.headers),
                 await client.get("/api/v1/applications", headers=citizen.headers),
                 await client.get("/staff/api/v1/applications", headers={"Authorization": f"Bearer {clerk.token}"})]
    for response in responses:
        if expect == 503:
            await assert_unavailable(response)
        else:
            assert response.status == expect, await response.text()
    return responses


async def test_with_redis_down_signed_in_routes_answer_503_and_recover(aiohttp_server, aiohttp_client, tmp_path,
                                                                        redis_url):
    outage = RedisOutage(redis_url)
    running = await start_app(aiohttp_server, tmp_path, redis_url=await outage.url())
    outage.watch(running.app)
    client = await aiohttp_client(running.server)
    citizen, clerk = await signed_in(client)
    await outage.cut()

    await both_answer(client, citizen, clerk, 503)
    await assert_unavailable(await client.post("/api/v1/auth/login", json={"code": "sandbox-late"}))

    await outage.restore()
    try:
        await both_answer(client, citizen, clerk, 200)
    finally:
        await outage.cut()


async def test_a_redis_url_on_a_closed_port_answers_503(aiohttp_server, aiohttp_client, tmp_path):
    settings = make_settings(tmp_path, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    settings.data_dir.mkdir(parents=True)
    await migrated(settings.database_url)
    client = await aiohttp_client(await aiohttp_server(create_app(settings, run_jobs=False)))
    await assert_unavailable(await client.post("/api/v1/auth/login", json={"code": "sandbox-x"}))
    await assert_unavailable(await client.get("/api/v1/me", headers={"Authorization": "Bearer whatever"}))
    await assert_unavailable(await client.post("/staff/api/v1/auth/login", json={"username": "a", "password": "b"}))


@pytest.mark.parametrize("database_url", ["postgres"] if PG_URL else [], indirect=True)
async def test_with_the_database_down_signed_in_routes_answer_503_and_recover(aiohttp_server, aiohttp_client,
                                                                               tmp_path, database_url):
    # A SQLite file cannot go away under an open connection: this is PostgreSQL's (and its pool's).
    await db.migrate(database_url)
    proxy, via_proxy = await postgres_through_proxy(database_url)
    running = await start_app(aiohttp_server, tmp_path, migrate=False, database_url=via_proxy)
    client = await aiohttp_client(running.server)
    citizen, clerk = await signed_in(client)
    await proxy.cut()
    for _ in range(2):  # the connection that broke, then a new one that cannot be made
        await both_answer(client, citizen, clerk, 503)
    await proxy.resume()
    try:
        await both_answer(client, citizen, clerk, 200)
    finally:
        await proxy.cut()
