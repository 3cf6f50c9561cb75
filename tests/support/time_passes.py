"""Time passing for a running app without waiting for it: its clock and its Redis keys' lives."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from onething.keys import redis_key, workflow_key


async def time_passes(app: web.Application, seconds: float) -> None:
    """Move the app's (fixed) clock on by ``seconds``, and age every Redis key that expires by as
    much (gone when its time is up), on the in-process store and a real Redis alike."""
    app[workflow_key].clock.now += timedelta(seconds=seconds)
    redis = app[redis_key]
    async for key in redis.scan_iter(count=1000):
        left = await redis.pttl(key)
        if left < 0:  # no expiry (or gone meanwhile)
            continue
        if left <= seconds * 1000:
            await redis.delete(key)
        else:
            await redis.pexpire(key, int(left - seconds * 1000))
