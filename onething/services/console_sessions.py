"""Sessions of the staff console: the same accounts as the JSON API, kept apart and short-lived.

A console session is an opaque token in an HttpOnly cookie, stored in Redis (only its digest,
as the API's bearer sessions) and forgotten after 30 minutes without a request: each request
slides the expiry. Its forms carry a token derived from the session, so another site cannot
post one; it is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict

import redis.asyncio as aioredis

from onething.services.staff import StaffSession
from storage.models import StaffUser

IDLE_TIMEOUT = 30 * 60  # seconds without a request, then sign in again


async def open_session(redis: aioredis.Redis, user: StaffUser) -> str:
    token = secrets.token_urlsafe(32)
    session = StaffSession(user.id, user.username, user.role, user.department, user.carrier)
    await redis.set(_key(token), json.dumps(asdict(session)), ex=IDLE_TIMEOUT)
    return token


async def find_session(redis: aioredis.Redis, token: str) -> StaffSession | None:
    """The signed-in staff member, their idle time reset; None once it lapsed (or was never)."""
    if not token:
        return None
    key = _key(token)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.get(key)
        pipe.expire(key, IDLE_TIMEOUT)
        raw, _ = await pipe.execute()
    return StaffSession(**json.loads(raw)) if raw else None


async def close_session(redis: aioredis.Redis, token: str) -> None:
    await redis.delete(_key(token))


def form_token(secret: str, session_token: str) -> str:
    """What every form of this session carries; only a page rendered for the session knows it."""
    key = hashlib.sha256(f"onething/console-form/{secret}".encode()).digest()
    return hmac.new(key, session_token.encode(), hashlib.sha256).hexdigest()


def form_token_ok(secret: str, session_token: str, given: str) -> bool:
    return hmac.compare_digest(form_token(secret, session_token).encode(), given.encode())


def _key(token: str) -> str:
    return f"staff:console:{hashlib.sha256(token.encode()).hexdigest()}"
