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
from redis.commands.core import AsyncScript
from redis.exceptions import (ConnectionError as RedisConnectionError, NoScriptError, ResponseError,
                              TimeoutError as RedisTimeoutError)


MAX_CONNECTIONS = 512  # per process; Redis takes 10000 clients


class Connection(aioredis.Connection):
    """redis-py's TCP connection, with the same ``socket_timeout`` on every write and every read,
    enforced more cheaply. redis-py bounds each write with ``asyncio.wait_for`` (on Python 3.11 a
    new task per command) and each read with ``asyncio.timeout`` (a new timer per command, left
    cancelled in the event loop's heap for the next 5 s: thousands of them under load, each push
    and each cleanup a Python comparison). Together they measured at about 20 us of CPU a command.

    Here a write the kernel takes at once cannot block, so only one that must drain waits, within
    the timeout. A read records its deadline, and one timer per connection, re-armed only when it
    fires (at most once per ``socket_timeout``), cancels a read that outlived its deadline: the
    caller gets redis-py's ``TimeoutError`` and the connection is dropped, as with redis-py's own."""

    _reading: asyncio.Task | None = None  # the task waiting for a reply
    _deadline = 0.0
    _watch: asyncio.TimerHandle | None = None
    _watch_loop: asyncio.AbstractEventLoop | None = None  # a connection reused on another loop arms anew
    _expired = False

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

    async def read_response(self, disable_decoding: bool = False, timeout: float | None = None, *,
                            disconnect_on_error: bool = True, push_request: bool | None = False):
        if timeout is not None or not self.socket_timeout or self.protocol in ("3", 3):
            return await super().read_response(disable_decoding, timeout, disconnect_on_error=disconnect_on_error,
                                               push_request=push_request)
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        cancelling = task.cancelling()
        self._deadline = loop.time() + self.socket_timeout
        self._reading = task
        if self._watch is None or self._watch_loop is not loop:
            self._watch, self._watch_loop = loop.call_at(self._deadline, self._check_read), loop
        try:
            response = await self._parser.read_response(disable_decoding=disable_decoding)
        except BaseException as exc:
            # our deadline (and not another cancel beside it), as asyncio.timeout tells them apart
            expired = (isinstance(exc, asyncio.CancelledError) and self._expired
                       and task.uncancel() <= cancelling)
            self._reading, self._expired = None, False  # the watch may fire while we disconnect
            if disconnect_on_error:  # as redis-py: a reply half read leaves the connection unusable
                await self.disconnect(nowait=True)
            if expired:
                raise RedisTimeoutError(f"Timeout reading from {self._host_error()}") from None
            if isinstance(exc, OSError):
                raise RedisConnectionError(f"Error while reading from {self._host_error()} : {exc.args}") from None
            raise
        self._reading = None
        if self.health_check_interval:
            self.next_health_check = loop.time() + self.health_check_interval
        if isinstance(response, ResponseError):
            raise response from None
        return response

    def _check_read(self) -> None:
        self._watch = None
        if self._reading is None:
            return  # idle: the next read arms it again
        loop = asyncio.get_running_loop()
        if loop.time() >= self._deadline:
            self._expired = True
            self._reading.cancel()
        else:
            self._watch = loop.call_at(self._deadline, self._check_read)


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


async def run_script(redis: aioredis.Redis, script: AsyncScript, keys: list, args: list):
    """``script(keys=keys, args=args)``: one EVALSHA on a pooled connection, its reply as redis-py
    reads it. redis-py's own call goes through its command machinery (retry wrapper, metrics
    hooks, the script's pipeline check): the bot's answer measured 1.30-1.34x the floor's CPU
    with it, 0.88-1.07x with this (``./dev bench bot_reply``). A script Redis no longer knows
    (restarted, flushed) goes through redis-py's call, which loads it and runs it. A dropped
    connection or a timeout is raised, as redis-py raises it (the pool's clients retry nothing):
    the script may have run, and running it again could not tell. The in-process store always
    takes redis-py's call."""
    pool = redis.connection_pool
    if pool.connection_class is not Connection:
        return await script(keys=keys, args=args)
    connection = await pool.get_connection()
    try:
        await connection.send_packed_command(connection.pack_command("EVALSHA", script.sha, len(keys), *keys, *args))
        return await connection.read_response()
    except NoScriptError:
        pass  # nothing ran
    finally:
        await pool.release(connection)
    return await script(keys=keys, args=args)


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
