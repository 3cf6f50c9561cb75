"""The database: tortoise-orm configuration, its lifecycle, and migrations.

Tortoise 1.x keeps its state in a context object; connections are closed through the
context ``Tortoise.init`` returns, never through the global helper, which from another task
finds no context and leaves aiosqlite's thread running.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import AsyncIterator

from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate as tortoise_migrate

MODELS = ["storage.models"]
MIGRATIONS = "storage.migrations"
# The server secret, for the migrations that encrypt what was stored in clear (0016 sealed_forms).
_SECRET: ContextVar[str | None] = ContextVar("onething_migration_secret", default=None)


def tortoise_config(database_url: str) -> dict:
    credentials_url = database_url
    if database_url.startswith("postgres://"):
        # A small pool keeps p99 short on a shared box (more connections only queue on the CPU).
        sep = "&" if "?" in database_url else "?"
        credentials_url = f"{database_url}{sep}minsize=1&maxsize=10"
    return {
        "connections": {"default": credentials_url},
        "apps": {"models": {"models": MODELS, "default_connection": "default", "migrations": MIGRATIONS}},
        "use_tz": True,
        "timezone": "UTC",
    }


@asynccontextmanager
async def database(database_url: str) -> AsyncIterator[None]:
    # Tortoise caches each model's INSERT per connection *name*, whatever the dialect: a process
    # that opens a second database (the test suite does) must not reuse the first one's SQL.
    EXECUTOR_CACHE.clear()
    context = await Tortoise.init(config=tortoise_config(database_url))
    try:
        yield
    finally:
        await context.close_connections()


async def ping() -> None:
    await connections.get("default").execute_query("SELECT 1")


def migration_secret() -> str | None:
    return _SECRET.get()


async def migrate(database_url: str, *, secret_key: str | None = None) -> list[str]:
    """Apply every pending migration; return the names applied. ``secret_key`` (the server's)
    is needed only where a migration encrypts rows that exist."""
    applied: list[str] = []
    token = _SECRET.set(secret_key)

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app_label}.{name}")

    try:
        await tortoise_migrate(config=tortoise_config(database_url), progress=progress)
    finally:
        _SECRET.reset(token)
        await Tortoise.close_connections()
    return applied
