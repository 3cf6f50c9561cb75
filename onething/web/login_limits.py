"""How fast logins may be tried: staff and couriers by password, citizens by ``wx.login`` code.

Counted per (user, address) and per address, so that someone guessing from elsewhere slows
themselves down, not the real user at their own desk; and per user overall, slower, so that
guessing spread over many addresses still meets a limit. That backstop does not refuse an
address the user signed in from in the last 30 days: otherwise anyone could fill it and lock
the real user out everywhere. Such an address still meets the other two limits. A citizen's
login names no user (its code is new each time), so it meets the limit per address only.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Awaitable, Callable, TypeVar

from aiohttp import web

from onething.domain.refusals import Refused
from onething.keys import redis_key, settings_key, workflow_key
from onething.web.clients import client_address
from storage.redis import hit_rate_limit

# (scope, attempts, window in seconds): enough for typos, not for guessing. One address alone
# cannot fill the backstop per user: 10 a quarter is at most 50 in any hour.
LIMITS = (("ip", 30, 60), ("user-ip", 10, 900), ("user", 100, 3600))
KNOWN_FOR = timedelta(days=30)
KNOWN_MAX = 20  # addresses remembered per user, the latest
T = TypeVar("T")


class TooManyAttempts(Refused):
    status = 429

    def __init__(self, wait: int):
        super().__init__("too_many_attempts", headers={"Retry-After": str(wait)}, details={"retry_after": wait})


async def throttled_login(request: web.Request, realm: str, username: str | None,
                          attempt: Callable[[], Awaitable[T]]) -> T:
    """``attempt()`` unless this address (or user) has tried too often: then 429 with Retry-After.

    ``attempt`` raises its own refusal for a wrong password; when it returns, the user signed in
    from here, and the backstop per user keeps this address open. ``realm``: staff | courier |
    citizen; ``username`` None for a login that names no user.
    """
    wait = await login_wait(request, realm, username)
    if wait:
        raise TooManyAttempts(wait)
    result = await attempt()
    if username is not None:
        await login_succeeded(request, realm, username)
    return result


def _user(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:24]  # no usernames in Redis keys


def _known_key(realm: str, user: str) -> str:
    return f"rl:{realm}-login:known:{user}"


def _member(request: web.Request, user: str, address: str) -> str:
    """The address as remembered beside the user: keyed, so the list gives no addresses away."""
    key = request.config_dict[settings_key].secret_key.encode()
    return hmac.new(key, f"login-address:{user}:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def _now(request: web.Request) -> float:
    return request.config_dict[workflow_key].clock().timestamp()


async def _known(request: web.Request, realm: str, user: str, address: str) -> bool:
    redis = request.config_dict[redis_key]
    since = await redis.zscore(_known_key(realm, user), _member(request, user, address))
    return since is not None and since > _now(request) - KNOWN_FOR.total_seconds()


async def login_wait(request: web.Request, realm: str, username: str | None) -> int:
    """0 if this attempt may go ahead, else the seconds to wait."""
    address = client_address(request)
    user = _user(username) if username is not None else ""
    keys = {"ip": address, "user-ip": f"{user}:{address}", "user": user}
    for scope, limit, window in LIMITS:
        if username is None and scope != "ip":
            continue
        if scope == "user" and await _known(request, realm, user, address):
            continue
        wait = await hit_rate_limit(request.config_dict[redis_key], f"rl:{realm}-login:{scope}:{keys[scope]}",
                                    limit=limit, window_seconds=window)
        if wait:
            return wait
    return 0


async def login_succeeded(request: web.Request, realm: str, username: str) -> None:
    """Remember where this user signed in from, so that the backstop keeps that address open."""
    user = _user(username)
    key, now, kept = _known_key(realm, user), _now(request), int(KNOWN_FOR.total_seconds())
    async with request.config_dict[redis_key].pipeline(transaction=True) as pipe:
        pipe.zadd(key, {_member(request, user, client_address(request)): now})
        pipe.zremrangebyscore(key, "-inf", now - kept)
        pipe.zremrangebyrank(key, 0, -KNOWN_MAX - 1)
        pipe.expire(key, kept)
        await pipe.execute()
