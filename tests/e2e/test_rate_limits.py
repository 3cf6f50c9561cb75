"""Rate limits count each person by their own address, also behind the reverse proxy, and
password guessing from one place does not lock the real user out from another."""

from __future__ import annotations

import uuid

import pytest

from onething.services.couriers import create_courier
from onething.services.staff import create_staff
from onething.web import login_limits
from tests.support.apps import start_app
from tests.support.cases import fresh_rate_window
from tests.support.staff_api import PASSWORD

PROXY = "127.0.0.1/32"  # the test client's own address, so it stands for the proxy


def via(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def citizen_logins(client, addresses: list[str]) -> list[int]:
    statuses = []
    for address in addresses:
        response = await client.post("/api/v1/auth/login", json={"code": f"sandbox-{uuid.uuid4().hex[:8]}"},
                                     headers=via(address))
        statuses.append(response.status)
    return statuses


async def test_citizens_behind_a_trusted_proxy_are_counted_each_by_their_own_address(aiohttp_server, aiohttp_client,
                                                                                    tmp_path, redis_url):
    running = await start_app(aiohttp_server, tmp_path, redis_url=redis_url, trusted_proxies=PROXY)
    client = await aiohttp_client(running.server)
    await fresh_rate_window(needed_seconds=20)
    assert await citizen_logins(client, [f"203.0.113.{i}" for i in range(1, 32)]) == [200] * 31
    # and one of them, alone, still meets the limit
    assert await citizen_logins(client, ["198.51.100.9"] * 31) == [200] * 30 + [429]


async def test_an_untrusted_peers_forwarded_for_is_ignored(aiohttp_server, aiohttp_client, tmp_path, redis_url):
    running = await start_app(aiohttp_server, tmp_path, redis_url=redis_url, trusted_proxies="10.0.0.0/8")
    client = await aiohttp_client(running.server)
    await fresh_rate_window(needed_seconds=20)
    assert await citizen_logins(client, [f"203.0.113.{i}" for i in range(1, 32)]) == [200] * 30 + [429]


async def signed_up(realm: str) -> str:
    username = f"{realm}-{uuid.uuid4().hex[:8]}"
    if realm == "staff":
        await create_staff(username, "clerk", PASSWORD)
    else:
        await create_courier(username, "ems", PASSWORD)
    return username


async def attempt(client, realm: str, username: str, password: str, address: str) -> int:
    path = "/staff/api/v1/auth/login" if realm == "staff" else "/courier/api/v1/auth/login"
    response = await client.post(path, json={"username": username, "password": password}, headers=via(address))
    return response.status


@pytest.mark.parametrize("realm", ["staff", "courier"])
async def test_guessing_from_one_address_does_not_lock_out_the_user_at_another(aiohttp_server, aiohttp_client,
                                                                              tmp_path, redis_url, realm):
    running = await start_app(aiohttp_server, tmp_path, redis_url=redis_url, trusted_proxies=PROXY)
    client = await aiohttp_client(running.server)
    username = await signed_up(realm)
    await fresh_rate_window(needed_seconds=20)
    guesses = [await attempt(client, realm, username, "guess-123456", "203.0.113.66") for _ in range(11)]
    assert guesses == [401] * 10 + [429]
    assert await attempt(client, realm, username, PASSWORD, "198.51.100.7") == 200
    assert await attempt(client, realm, username, PASSWORD, "203.0.113.66") == 429  # the guesser's stays shut


async def test_guessing_spread_over_addresses_meets_a_slower_limit_per_user(aiohttp_server, aiohttp_client, tmp_path,
                                                                           redis_url, monkeypatch):
    monkeypatch.setattr(login_limits, "LIMITS", (("ip", 30, 60), ("user-ip", 10, 60), ("user", 25, 3600)))
    running = await start_app(aiohttp_server, tmp_path, redis_url=redis_url, trusted_proxies=PROXY)
    client = await aiohttp_client(running.server)
    username = await signed_up("staff")
    await fresh_rate_window(needed_seconds=60, window_seconds=3600)  # the count per user is kept by the hour
    await fresh_rate_window(needed_seconds=20)
    guesses = [await attempt(client, "staff", username, "guess-123456", f"203.0.113.{i % 5}") for i in range(25)]
    assert guesses == [401] * 25
    assert await attempt(client, "staff", username, PASSWORD, "198.51.100.7") == 429
    assert await attempt(client, "staff", await signed_up("staff"), PASSWORD, "198.51.100.7") == 200  # others unaffected
