"""How fast passwords may be tried, for staff and couriers alike.

Counted per (user, address) and per address, so that someone guessing from elsewhere slows
themselves down, not the real user at their own desk; and per user overall, slower, so that
guessing spread over many addresses still meets a limit.
"""

from __future__ import annotations

import hashlib

from aiohttp import web

from onething.keys import redis_key
from onething.web.clients import client_address
from storage.redis import hit_rate_limit

# (scope, attempts, window in seconds): enough for typos, not for guessing
LIMITS = (("ip", 30, 60), ("user-ip", 10, 60), ("user", 100, 3600))


async def login_wait(request: web.Request, realm: str, username: str) -> int:
    """0 if this attempt may go ahead, else the seconds to wait. ``realm``: staff | courier."""
    address = client_address(request)
    user = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:24]  # no usernames in Redis keys
    keys = {"ip": address, "user-ip": f"{user}:{address}", "user": user}
    for scope, limit, window in LIMITS:
        wait = await hit_rate_limit(request.config_dict[redis_key], f"rl:{realm}-login:{scope}:{keys[scope]}",
                                    limit=limit, window_seconds=window)
        if wait:
            return wait
    return 0
