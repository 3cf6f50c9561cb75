"""The Redis helpers behave the same on real Redis and on the in-process store."""

import asyncio
import time
import uuid
from contextlib import asynccontextmanager
from typing import AsyncIterator

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeoutError

from tests.conftest import REDIS_URL

from storage.redis import Connection, claim_once, hit_rate_limit, open_redis, run_script


@pytest.fixture
async def redis(redis_url):
    client = open_redis(redis_url or None)
    yield client
    await client.aclose()


async def test_only_the_first_claim_wins(redis):
    key = f"test:once:{uuid.uuid4().hex}"
    assert await claim_once(redis, key, 30) is True
    assert await claim_once(redis, key, 30) is False
    assert 0 < await redis.ttl(key) <= 30


async def test_rate_limit_allows_the_limit_then_says_how_long_to_wait(redis):
    key = f"test:rate:{uuid.uuid4().hex}"
    waits = [await hit_rate_limit(redis, key, limit=3, window_seconds=60) for _ in range(5)]
    assert waits[:3] == [0, 0, 0]
    assert all(1 <= w <= 60 for w in waits[3:])


SCRIPT = "redis.call('SET', KEYS[1], ARGV[1]); return {redis.call('INCR', KEYS[2]), redis.call('GET', KEYS[1])}"


async def test_a_script_runs_as_redis_pys_own_call_runs_it(redis):
    script, key = redis.register_script(SCRIPT), f"test:script:{uuid.uuid4().hex}"
    ours = await run_script(redis, script, [key, key + ":n"], [b"v\xff"])
    theirs = await script(keys=[key, key + ":n"], args=[b"v\xff"])
    assert ours == [1, b"v\xff"] and theirs == [2, b"v\xff"]
    await redis.delete(key, key + ":n")


@pytest.mark.skipif(not REDIS_URL, reason="needs a Redis server (CI always sets ONETHING_TEST_REDIS_URL)")
async def test_a_script_redis_forgot_or_a_connection_it_dropped_before_the_call_still_runs():
    client = open_redis(REDIS_URL)
    try:
        script, key = client.register_script(SCRIPT), f"test:script:{uuid.uuid4().hex}"
        assert (await run_script(client, script, [key, key + ":n"], [b"1"]))[0] == 1
        await client.script_flush()  # as after a restart: EVALSHA meets NOSCRIPT
        assert (await run_script(client, script, [key, key + ":n"], [b"1"]))[0] == 2
        pooled = client.connection_pool._available_connections[0]
        await client.client_kill_filter(_id=int(await _client_id(pooled)))  # Redis drops the pooled one
        assert await run_script(client, script, [key, key + ":n"], [b"2"]) == [3, b"2"]
        await client.delete(key, key + ":n")
    finally:
        await client.aclose()


@pytest.mark.skipif(not REDIS_URL, reason="needs a Redis server (CI always sets ONETHING_TEST_REDIS_URL)")
async def test_a_script_whose_reply_is_lost_is_not_run_again():
    """As redis-py's own call (the pool's clients retry nothing): a second run could not tell it
    had already run (the bot's claim would take its own message for WeChat's retry)."""
    host, port, db = _where(REDIS_URL)
    lose = asyncio.Event()

    async def relay(client_reader, client_writer):  # Redis behind it; the first EVALSHA's reply is lost
        reader, writer = await asyncio.open_connection(host, port)
        here = asyncio.Event()  # this connection carried it: later ones are relayed whole

        async def up():
            while data := await client_reader.read(65536):
                if b"EVALSHA" in data and not lose.is_set():
                    lose.set()
                    here.set()
                writer.write(data)
            writer.close()

        async def down():
            while data := await reader.read(65536):
                if here.is_set():
                    client_writer.transport.abort()
                    return
                client_writer.write(data)

        await asyncio.gather(up(), down(), return_exceptions=True)

    server = await asyncio.start_server(relay, "127.0.0.1", 0)
    client = open_redis(f"redis://127.0.0.1:{server.sockets[0].getsockname()[1]}/{db}")
    counter = open_redis(REDIS_URL)
    key = f"test:once:{uuid.uuid4().hex}"
    try:
        script = client.register_script("return redis.call('INCR', KEYS[1])")
        await counter.script_load("return redis.call('INCR', KEYS[1])")
        with pytest.raises(RedisConnectionError):
            await run_script(client, script, [key], [])
        assert int(await counter.get(key)) == 1
    finally:
        await counter.delete(key)
        await client.aclose()
        await counter.aclose()
        server.close()


def _where(url: str) -> tuple[str, int, int]:
    from urllib.parse import urlparse
    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or 6379, int((parsed.path or "/0").strip("/") or 0)


async def _client_id(connection: Connection) -> int:
    await connection.send_command("CLIENT", "ID")
    return await connection.read_response()


async def test_locks_work_on_both(redis):
    # The in-process store needs Lua for redis-py's lock release.
    async with redis.lock(f"test:lock:{uuid.uuid4().hex}", timeout=5, blocking_timeout=1):
        pass


async def test_sessions_are_stored_as_digests_and_revocable_everywhere(redis, database_url):
    from onething.services import citizens
    from storage import db
    from storage.wechat import SandboxGateway
    from tests.support.apps import migrated

    await migrated(database_url)
    async with db.database(database_url):
        first, citizen = await citizens.login(SandboxGateway(), redis, f"sandbox-{uuid.uuid4().hex[:8]}")
        second, _ = await citizens.login(SandboxGateway(), redis, f"sandbox-{citizen.openid[8:]}")
    assert await redis.get(f"citizen:token:{first}") is None  # the token itself is not a key
    assert await citizens.citizen_for_token(redis, first) == citizen.id
    assert await citizens.revoke_all(redis, citizen.id) == 2
    assert await citizens.citizen_for_token(redis, first) is None
    assert await citizens.citizen_for_token(redis, second) is None


@asynccontextmanager
async def to_a_server(reads: bool, socket_timeout: float) -> AsyncIterator[Connection]:
    """Our connection to a local server that never answers (and, unless ``reads``, never reads)."""
    accepted = []

    async def silent(reader, writer):
        accepted.append(writer)
        while reads and await reader.read(65536):
            pass

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    connection = Connection(host="127.0.0.1", port=server.sockets[0].getsockname()[1],
                            socket_timeout=socket_timeout, driver_info=None)
    try:
        yield connection
    finally:
        await connection.disconnect()
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_write_that_cannot_drain_still_times_out():
    """The pool's connections bound a write by socket_timeout without asyncio.wait_for: against a
    server that never reads, a large write fails within it, as redis-py's own does."""
    async with to_a_server(reads=False, socket_timeout=0.5) as connection:
        await connection.connect()
        started = time.monotonic()
        with pytest.raises(RedisTimeoutError):
            await connection.send_command("SET", "key", b"x" * (64 * 1024 * 1024))
        assert time.monotonic() - started < 5 and not connection.is_connected


async def test_the_pool_uses_that_connection_for_tcp_urls():
    client = open_redis("redis://127.0.0.1:6379/12")
    assert client.connection_pool.connection_class is Connection
    await client.aclose()


async def test_a_reply_that_never_comes_times_out_and_drops_the_connection():
    async with to_a_server(reads=True, socket_timeout=0.5) as connection:
        for _ in range(2):  # and again on a new connection: the watch is armed again
            started = time.monotonic()
            await connection.send_command("GET", "key")
            with pytest.raises(RedisTimeoutError):
                await connection.read_response()
            assert 0.4 < time.monotonic() - started < 2 and not connection.is_connected


async def test_a_read_cancelled_by_its_caller_is_cancelled_not_timed_out():
    async with to_a_server(reads=True, socket_timeout=5) as connection:
        await connection.send_command("GET", "key")
        reading = asyncio.ensure_future(connection.read_response())
        await asyncio.sleep(0.1)
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reading
        assert not connection.is_connected


@pytest.mark.skipif(not REDIS_URL, reason="needs a Redis server (CI always sets ONETHING_TEST_REDIS_URL)")
async def test_replies_within_the_timeout_arrive_however_many():
    client = open_redis(REDIS_URL)
    try:
        key = f"test:many:{uuid.uuid4().hex}"
        assert await asyncio.gather(*(client.incr(key) for _ in range(200))) != []
        assert int(await client.get(key)) == 200
        await client.delete(key)
    finally:
        await client.aclose()
