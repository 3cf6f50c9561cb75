"""The app on each database and Redis: migrations, clean start and stop, readiness."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest

from onething.app import create_app, started
from onething.keys import calendar_key
from storage import db
from storage.models import CalendarYear
from tests.conftest import PG_URL, make_settings
from tests.support.apps import start_app
from tests.support.proxy import RedisOutage, postgres_through_proxy


async def test_migrations_apply_once_on_each_database(database_url, tmp_path):
    await db.migrate(database_url)  # the first run (a shared PostgreSQL may have had it already)
    assert await db.migrate(database_url) == []
    async with db.database(database_url):
        from storage.models import StaffUser

        await StaffUser.create(username="probe", role="admin", password_hash="x")
        assert await StaffUser.filter(username="probe").count() == 1
        await StaffUser.filter(username="probe").delete()


async def test_the_app_starts_and_stops_cleanly(database_url, redis_url, tmp_path):
    settings = make_settings(tmp_path, database_url=database_url, redis_url=redis_url)
    await db.migrate(settings.database_url)
    threads_before = set(threading.enumerate())
    async with started(create_app(settings)):
        pass
    # The loop's default executor keeps its threads until the loop closes; anything else is a leak
    # (an unclosed aiosqlite connection keeps the interpreter from exiting). A closed connection's
    # thread answers the close and only then returns, so it may still be winding down: give it a
    # moment, which an unclosed one, waiting for work forever, does not use.
    started_here = [t for t in set(threading.enumerate()) - threads_before if not t.name.startswith("asyncio_")]
    for thread in started_here:
        thread.join(timeout=2)
    leftover = [t for t in started_here if t.is_alive()]
    assert leftover == [], f"threads left running: {leftover}"


async def test_ready_when_everything_answers(aiohttp_server, aiohttp_client, tmp_path, database_url, redis_url):
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url, redis_url=redis_url)
    client = await aiohttp_client(running.server)
    response = await client.get("/readyz")
    assert response.status == 200
    body = await response.json()
    assert body["checks"] == {"database": "ok", "redis": "ok", "object_store": "ok", "calendar": "ok"}
    assert body["warnings"] == []


async def test_readyz_warns_from_november_that_next_years_schedule_is_missing(aiohttp_server, aiohttp_client,
                                                                             tmp_path, database_url):
    november = datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc)
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url, now=november)
    await CalendarYear.filter(year=2027).delete()  # a shared PostgreSQL may hold another test's import
    running.app[calendar_key].expire()  # and the app read it at startup
    client = await aiohttp_client(running.server)
    response = await client.get("/readyz")
    body = await response.json()
    assert response.status == 200 and body["status"] == "ok"  # the service runs on: a warning, not a failure
    assert body["checks"]["calendar"] == "provisional"
    assert body["warnings"] == ["the official 2027 holiday schedule is not imported: due dates in 2027 are "
                                "provisional (onething calendar import 2027 FILE --apply)"]


async def test_readyz_names_redis_when_it_is_down(aiohttp_server, aiohttp_client, tmp_path, redis_url):
    outage = RedisOutage(redis_url)
    running = await start_app(aiohttp_server, tmp_path, redis_url=await outage.url())
    outage.watch(running.app)
    client = await aiohttp_client(running.server)
    assert (await client.get("/readyz")).status == 200
    await outage.cut()
    response = await client.get("/readyz")
    assert response.status == 503
    body = await response.json()
    assert body["failed"] == ["redis"]
    assert body["checks"]["database"] == "ok"



@pytest.mark.parametrize("database_url", ["postgres"] if PG_URL else [], indirect=True)
async def test_readyz_names_the_database_when_it_is_down(aiohttp_server, aiohttp_client, tmp_path, database_url):
    # A SQLite file cannot go down under an open connection: this one is PostgreSQL's.
    await db.migrate(database_url)
    proxy, via_proxy = await postgres_through_proxy(database_url)
    running = await start_app(aiohttp_server, tmp_path, migrate=False, database_url=via_proxy)
    client = await aiohttp_client(running.server)
    assert (await client.get("/readyz")).status == 200
    await proxy.cut()
    response = await client.get("/readyz")
    assert response.status == 503
    assert (await response.json())["failed"] == ["database"]
