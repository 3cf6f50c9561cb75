"""Databases of a test's own, for tests that cannot share the session's (a migration from an old
state, a worker process sending whatever the outbox holds)."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

import asyncpg

from tests.conftest import PG_URL


@asynccontextmanager
async def fresh_database(kind: str, folder: Path) -> AsyncIterator[str]:
    """An empty database: a new SQLite file, or a new PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite://{folder / f'fresh-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    name = f"onething_fresh_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://", 1), timeout=5)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
        yield f"{PG_URL.rsplit('/', 1)[0]}/{name}"
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@asynccontextmanager
async def migrated_to(kind: str, folder: Path, target: str) -> AsyncIterator[str]:
    """A fresh database migrated up to ``target`` ("models.0023_county_queue"): the state an
    upgrade starts from, for a test that then runs the migrations after it (``db.migrate``)."""
    from tortoise import Tortoise
    from tortoise.migrations.api import migrate

    from storage import db

    async with fresh_database(kind, folder) as url:
        try:
            await migrate(config=db.tortoise_config(url), target=target)
        finally:
            await Tortoise.close_connections()
        yield url


@asynccontextmanager
async def own_workflow(kind: str, folder: Path):
    """The workflow (fixed clock: Monday 2026-03-02, 10:00 in Shanghai) on a migrated database of
    the test's own: every case, due or queued, in it is the test's."""
    from onething.services.reference import load_calendar, load_catalog
    from onething.services.workflow import Workflow
    from storage import db
    from tests.support.apps import migrated
    from tests.support.cases import Clock

    async with fresh_database(kind, folder) as url:
        await migrated(url)
        async with db.database(url):
            yield Workflow(load_catalog(), load_calendar(), clock=Clock())
