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


def _keep_sqlite_indexes() -> None:
    """tortoise changes or drops a SQLite column by rebuilding its table, and the table's indexes
    are lost with the old copy (tests/integration/test_migrations_stairway.py found it): put back
    each index whose columns the new table still has."""
    from tortoise.migrations.schema_editor.sqlite import SqliteSchemaEditor

    rebuild = SqliteSchemaEditor._remake_table
    if getattr(rebuild, "keeps_indexes", False):
        return

    async def indexes(client, table: str) -> dict[tuple[tuple[str, ...], bool], str | None]:
        """(columns, unique) → the index's SQL (None for one SQLite made from a UNIQUE constraint)."""
        found = {}
        for index in (await client.execute_query(f"PRAGMA index_list('{table}')"))[1]:
            if index["origin"] == "pk":
                continue
            columns = tuple(c["name"] for c in (await client.execute_query(f"PRAGMA index_info('{index['name']}')"))[1])
            _, sql = await client.execute_query("SELECT sql FROM sqlite_master WHERE name = ?", [index["name"]])
            found[(columns, bool(index["unique"]))] = sql[0]["sql"] if sql else None
        return found

    async def remake_table(self, model, *args, **kwargs) -> None:
        if self.collect_sql:  # only the SQL is wanted: there is no table to read
            return await rebuild(self, model, *args, **kwargs)
        table = model._meta.db_table
        before = await indexes(self.client, table)
        await rebuild(self, model, *args, **kwargs)
        after = await indexes(self.client, table)
        names = {c["name"] for c in (await self.client.execute_query(f"PRAGMA table_info('{table}')"))[1]}
        for (columns, unique), sql in before.items():
            if (columns, unique) in after or not set(columns) <= names:
                continue
            listed = ", ".join(f'"{c}"' for c in columns)
            await self._run_sql(sql or f'CREATE UNIQUE INDEX "uid_{table}_{"_".join(columns)}" ON "{table}" ({listed})')

    remake_table.keeps_indexes = True  # type: ignore[attr-defined]
    SqliteSchemaEditor._remake_table = remake_table  # type: ignore[method-assign]


_keep_sqlite_indexes()  # whoever migrates (this module, a test stepping to a target) gets it


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
