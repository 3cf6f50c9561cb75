"""Rate limits count each person by their own address, also behind the reverse proxy, and
password guessing from one place does not lock the real user out from another."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from onething.keys import workflow_key
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
    """The status of one login; the courier page's redirect onwards counts as 200."""
    if realm == "courier-page":
        response = await client.post("/courier/login", data={"username": username, "password": password},
                                     headers=via(address), allow_redirects=False)
        return 200 if response.status == 303 else response.status
    path = "/staff/api/v1/auth/login" if realm == "staff" else "/courier/api/v1/auth/login"
    response = await client.post(path, json={"username": username, "password": password}, headers=via(address))
    return response.status


async def fresh_login_windows() -> None:
    """Start early in the hour of the backstop, the quarter of the limit per user and address and
    the minute of the one per address, so that no count rolls over halfway through a test."""
    await fresh_rate_window(needed_seconds=60, window_seconds=3600)
    await fresh_rate_window(needed_seconds=40, window_seconds=900)
    await fresh_rate_window(needed_seconds=20)


def with_backstop(attempts: int) -> tuple:
    return tuple((scope, attempts if scope == "user" else limit, window)
                 for scope, limit, window in login_limits.LIMITS)


REALMS = ["staff", "courier", "courier-page"]
DESK = "198.51.100.7"  # where the real user signs in


@pytest.mark.parametrize("realm", REALMS)
async def test_guessing_from_one_address_does_not_lock_out_the_user_at_another(aiohttp_server, aiohttp_client,
                                                                              tmp_path, redis_url, realm):
    running = await start_app(aiohttp_server, tmp_path, redis_url=redis_url, trusted_proxies=PROXY)
    client = await aiohttp_client(running.server)
    username = await signed_up(realm)
    await fresh_login_windows()
    guesses = [await attempt(client, realm, username, "guess-123456", "203.0.113.66") for _ in range(11)]
    assert guesses == [401] * 10 + [429]
    assert await attempt(client, realm, username, PASSWORD, DESK) == 200
    assert await attempt(client, realm, username, PASSWORD, "203.0.113.66") == 429  # the guesser's stays shut


@pytest.mark.parametrize("realm", REALMS)
async def test_guessing_spread_over_addresses_fills_a_backstop_the_users_own_address_passes(
        aiohttp_server, aiohttp_client, tmp_path, redis_url, realm, monkeypatch):
    monkeypatch.setattr(login_limits, "LIMITS", with_backstop(25))
    running = await start_app(aiohttp_server, tmp_path, redis_url=redis_url, trusted_proxies=PROXY)
    client = await aiohttp_client(running.server)
    username = await signed_up(realm)
    await fresh_login_windows()
    assert await attempt(client, realm, username, PASSWORD, DESK) == 200
    guesses = [await attempt(client, realm, username, "guess-123456", f"203.0.113.{i % 5}") for i in range(24)]
    assert guesses == [401] * 24
    # the backstop is full: an address this user never signed in from is refused, right password or not
    assert await attempt(client, realm, username, PASSWORD, "198.51.100.8") == 429
    assert await attempt(client, realm, username, "guess-123456", "203.0.113.9") == 429
    # the real user, where they signed in before, is not
    assert await attempt(client, realm, username, PASSWORD, DESK) == 200
    assert await attempt(client, realm, await signed_up(realm), PASSWORD, "198.51.100.8") == 200  # others unaffected


async def test_a_known_address_still_meets_the_limit_per_user_and_address(aiohttp_server, aiohttp_client, tmp_path,
                                                                          redis_url, monkeypatch):
    monkeypatch.setattr(login_limits, "LIMITS", with_backstop(5))
    running = await start_app(aiohttp_server, tmp_path, redis_url=redis_url, trusted_proxies=PROXY)
    client = await aiohttp_client(running.server)
    username = await signed_up("staff")
    await fresh_login_windows()
    assert await attempt(client, "staff", username, PASSWORD, DESK) == 200
    # past the backstop, but not past the limit per user and address (10, the sign-in included)
    guesses = [await attempt(client, "staff", username, "guess-123456", DESK) for _ in range(10)]
    assert guesses == [401] * 9 + [429]


async def test_an_address_is_known_for_thirty_days(aiohttp_server, aiohttp_client, tmp_path, redis_url, monkeypatch):
    monkeypatch.setattr(login_limits, "LIMITS", with_backstop(3))
    running = await start_app(aiohttp_server, tmp_path, redis_url=redis_url, trusted_proxies=PROXY)
    client = await aiohttp_client(running.server)
    username = await signed_up("staff")
    await fresh_login_windows()
    assert await attempt(client, "staff", username, PASSWORD, DESK) == 200
    guesses = [await attempt(client, "staff", username, "guess-123456", f"203.0.113.{i}") for i in range(3)]
    assert guesses == [401, 401, 429]
    clock = running.app[workflow_key].clock
    clock.now += timedelta(days=30) - timedelta(seconds=1)
    assert await attempt(client, "staff", username, PASSWORD, DESK) == 200  # and known again from now on
    clock.now += timedelta(days=30, seconds=1)
    assert await attempt(client, "staff", username, PASSWORD, DESK) == 429
