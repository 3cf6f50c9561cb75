"""Redis: one connection pool per process for sessions, locks, dedupe keys, rate limits and jobs.

Without a URL an in-process Redis-compatible store stands in (fakeredis with Lua, so locks
work); it is shared by nothing outside this process, which is why the embedded default runs
its background jobs inside ``serve``.
"""

from __future__ import annotations

import asyncio
import time

import redis.asyncio as aioredis
from fakeredis import FakeAsyncRedis, FakeServer
from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeoutError


MAX_CONNECTIONS = 512  # per process; Redis takes 10000 clients


class Connection(aioredis.Connection):
    """redis-py's TCP connection, writing each command within ``socket_timeout`` as it does, but
    without its ``asyncio.wait_for``: on Python 3.11 that wraps every write in a new task, which
    measured at about 15 us of CPU a command (a quarter of a round trip's Python). A write the
    kernel takes at once cannot block; only one it could not take all of waits to drain, and that
    wait is bounded by the same timeout, with the same errors and the same disconnect."""

    async def send_packed_command(self, command, check_health: bool = True) -> None:
        if not self.socket_timeout:
            return await super().send_packed_command(command, check_health)
        if not self.is_connected:
            await self.connect_check_health(check_health=False)
        if check_health:
            await self.check_health()
        if isinstance(command, str):
            command = command.encode()
        if isinstance(command, bytes):
            command = [command]
        try:
            self._writer.writelines(command)
            if self._writer.transport.get_write_buffer_size():  # the kernel's buffer is full: wait for it
                async with asyncio.timeout(self.socket_timeout):
                    await self._writer.drain()
            else:
                await self._writer.drain()  # cannot block: only raises what the connection met
        except asyncio.TimeoutError:
            await self.disconnect(nowait=True)
            raise RedisTimeoutError("Timeout writing to socket") from None
        except OSError as e:
            await self.disconnect(nowait=True)
            err_no, errmsg = ("UNKNOWN", e.args[0]) if len(e.args) == 1 else e.args[:2]
            raise RedisConnectionError(f"Error {err_no} while writing to socket. {errmsg}.") from e
        except BaseException:
            await self.disconnect(nowait=True)  # a write cut short leaves the connection unusable
            raise


def open_redis(url: str | None) -> aioredis.Redis:
    if url is None:
        return FakeAsyncRedis(server=FakeServer(), decode_responses=False)
    # The plain pool: redis-py's blocking pool guards every command with an asyncio.Condition,
    # which measured at +20 us a command (a third of one). Its cap is high enough that only a
    # runaway burst meets it, and then the request fails fast instead of queueing unseen.
    pool = aioredis.ConnectionPool.from_url(
        url, max_connections=MAX_CONNECTIONS, socket_connect_timeout=2, socket_timeout=5,
        health_check_interval=30, connection_class=Connection,  # a rediss:// or unix:// URL picks its own
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
