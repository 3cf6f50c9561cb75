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
