"""Redis: one connection pool per process for sessions, locks, dedupe keys, rate limits and jobs.

Without a URL an in-process Redis-compatible store stands in (fakeredis with Lua, so locks
work); it is shared by nothing outside this process, which is why the embedded default runs
its background jobs inside ``serve``.
"""

from __future__ import annotations

import time

import redis.asyncio as aioredis
from fakeredis import FakeAsyncRedis, FakeServer


MAX_CONNECTIONS = 512  # per process; Redis takes 10000 clients


def open_redis(url: str | None) -> aioredis.Redis:
    if url is None:
        return FakeAsyncRedis(server=FakeServer(), decode_responses=False)
    # The plain pool: redis-py's blocking pool guards every command with an asyncio.Condition,
    # which measured at +20 us a command (a third of one). Its cap is high enough that only a
    # runaway burst meets it, and then the request fails fast instead of queueing unseen.
    pool = aioredis.ConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, socket_connect_timeout=2, socket_timeout=5,
        health_check_interval=30,
    )
    return aioredis.Redis.from_pool(pool)  # the client owns the pool and closes it


async def claim_once(redis: aioredis.Redis, key: str, ttl_seconds: int) -> bool:
    """True for the first caller of ``key`` within ``ttl_seconds``, across all processes."""
    return bool(await redis.set(key, b"1", nx=True, ex=ttl_seconds))


async def hit_rate_limit(redis: aioredis.Redis, key: str, *, limit: int, window_seconds: int) -> int:
    """Count one hit in a fixed window; return 0 if allowed, else the seconds to wait."""
    window = int(time.time()) // window_seconds
    bucket = f"{key}:{window}"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(bucket)
        pipe.expire(bucket, window_seconds + 1)
        count, _ = await pipe.execute()
    if count <= limit:
        return 0
    return window_seconds - int(time.time()) % window_seconds or 1
