"""The Redis helpers behave the same on real Redis and on the in-process store."""

import uuid

import pytest

from storage.redis import claim_once, hit_rate_limit, open_redis


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
