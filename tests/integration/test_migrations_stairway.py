"""The migrations, one step at a time from an empty database, on each database: each step goes
up, down and up again, every down leaves the schema the step before left, and the last step
leaves the schema the models describe (as tortoise generates it from them on an empty database).

A migration that forgets a column, an index or a ``null=True`` of the models, or whose reverse
leaves something behind, fails here rather than on a production upgrade or rollback.

tortoise's ``migrate(target=…)`` replays every earlier migration's model state on each call, and
that replay, not the SQL, is what takes time (seconds a call): the states each operation goes
from and to are worked out once here, and tortoise's own operations and schema editors run the
SQL for each step, each way, from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from tortoise import Tortoise, connections
from tortoise.migrations.executor import MigrationExecutor
from tortoise.migrations.migration import Migration
from tortoise.migrations.operations import Operation
from tortoise.migrations.schema_generator.state import State
from tortoise.migrations.schema_generator.state_apps import StateApps
from tortoise.transactions import in_transaction

from storage import db
from tests.conftest import DATABASES
from tests.support.databases import fresh_database

MIGRATIONS = sorted(p.stem for p in (Path(db.__file__).parent / "migrations").glob("[0-9][0-9][0-9][0-9]_*.py"))
RECORDER = "tortoise_migrations"  # tortoise's own record of what was applied, not part of the models

Schema = dict[str, dict[str, frozenset]]
# The models index these columns (db_index=True), but each came in an AddField, and tortoise's
# AddField creates no index, on either database: every database migrated until now lacks them.
# They need a migration of their own (AddIndex); then this list is emptied.
NOT_YET_INDEXED: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Step:
    migration: Migration
    operations: list[tuple[Operation, State, State]]  # each operation with the states before and after it


async def in_order() -> list[Migration]:
    executor = MigrationExecutor(connections.get("default"), db.tortoise_config("sqlite://:memory:")["apps"])
    await executor.loader.build_graph()
    return [executor.loader.graph.nodes[key] for key in executor._full_plan()]


async def steps() -> list[Step]:
    """Each migration in the order tortoise applies them, on the connected database (the states'
    models are bound to it: another database's would write the wrong dialect)."""
    found: list[Step] = []
    state = State(models={}, apps=StateApps(default_connections={"models": "default"}))
    for migration in await in_order():
        operations = []
        for operation in migration.operations:
            after = state.clone()
            operation.state_forward(migration.app_label, after)
            operations.append((operation, state, after))
            state = after
        found.append(Step(migration, operations))
    return found


async def run(step: Step, direction: str) -> None:
    """One migration up or down, in one transaction, as tortoise's executor runs an atomic one."""
    executor = MigrationExecutor(connections.get("default"), {})
    editor = executor._schema_editor(atomic=True)
    app = step.migration.app_label
    async with in_transaction("default") as client:
        editor.client = client
        if direction == "up":
            for operation, before, after in step.operations:
                await operation.database_forward(app, before, after, editor)
        else:
            for operation, before, after in reversed(step.operations):
                await operation.database_backward(app, after, before, editor)


async def sqlite_schema() -> Schema:
    conn = connections.get("default")
    tables = [r["name"] for r in await conn.execute_query_dict(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    schema: Schema = {}
    for table in tables:
        if table == RECORDER:
            continue
        columns = frozenset((c["name"], c["type"].upper(), bool(c["notnull"]) or bool(c["pk"]), bool(c["pk"]))
                            for c in await conn.execute_query_dict(f"PRAGMA table_info('{table}')"))
        indexes = set()
        for index in await conn.execute_query_dict(f"PRAGMA index_list('{table}')"):
            names = [i["name"] for i in await conn.execute_query_dict(f"PRAGMA index_info('{index['name']}')")]
            indexes.add((tuple(names), bool(index["unique"])))
        schema[table] = {"columns": columns, "indexes": frozenset(indexes)}
    return schema


async def postgres_schema() -> Schema:
    conn = connections.get("default")
    rows = await conn.execute_query_dict(
        "SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision, is_nullable"
        " FROM information_schema.columns WHERE table_schema = 'public'")
    schema: Schema = {}
    columns: dict[str, set] = {}
    for r in rows:
        columns.setdefault(r["table_name"], set()).add(
            (r["column_name"], r["data_type"], r["character_maximum_length"], r["numeric_precision"],
             r["is_nullable"] == "NO"))
    # an index by the columns it covers and whether it is unique: its name is the tool's choice
    indexes: dict[str, set] = {}
    for r in await conn.execute_query_dict(
            "SELECT t.relname AS table_name, ix.indisunique AS is_unique, ix.indisprimary AS is_primary,"
            " array_to_string(array(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n)"
            " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n), ',') AS columns"
            " FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid"
            " JOIN pg_namespace ns ON ns.oid = t.relnamespace WHERE ns.nspname = 'public'"):
        indexes.setdefault(r["table_name"], set()).add((r["columns"], r["is_unique"], r["is_primary"]))
    for table, cols in columns.items():
        if table != RECORDER:
            schema[table] = {"columns": frozenset(cols), "indexes": frozenset(indexes.get(table, ()))}
    return schema


async def schema_of(url: str) -> Schema:
    return await (sqlite_schema() if url.startswith("sqlite") else postgres_schema())


def differences(actual: Schema, expected: Schema) -> list[str]:
    """What differs, table by table, readably: a failure names the column or index, not a dict."""
    found = []
    for table in sorted(set(actual) | set(expected)):
        if table not in actual or table not in expected:
            found.append(f"table {table}: {'missing' if table not in actual else 'not in the models'}")
            continue
        for part in ("columns", "indexes"):
            for item in sorted(expected[table][part] - actual[table][part], key=repr):
                found.append(f"{table}: {part[:-1] if part == 'columns' else 'index'} missing or different: {item}")
            for item in sorted(actual[table][part] - expected[table][part], key=repr):
                found.append(f"{table}: unexpected {part[:-2] if part == 'indexes' else part[:-1]}: {item}")
    return found


def without_single_indexes(schema: Schema, columns: set[tuple[str, str]]) -> Schema:
    """The schema less the plain (not unique) index of each (table, column)."""
    def single(index) -> str | None:
        covered, unique = index[0], index[1]
        names = covered if isinstance(covered, tuple) else tuple(covered.split(","))
        return names[0] if len(names) == 1 and not unique else None

    return {table: {**parts, "indexes": frozenset(i for i in parts["indexes"] if (table, single(i)) not in columns)}
            for table, parts in schema.items()}


def assert_same(actual: Schema, expected: Schema, after: str) -> None:
    found = differences(actual, expected)
    assert not found, f"after {after}:\n" + "\n".join(found)


@pytest.mark.parametrize("kind", DATABASES)
async def test_each_migration_goes_up_down_and_up_and_the_last_leaves_the_models_schema(kind, tmp_path):
    async with fresh_database(kind, tmp_path) as url:
        async with db.database(url):
            before = await schema_of(url)
            assert before == {}
            for step in await steps():
                name = step.migration.name
                await run(step, "up")
                after = await schema_of(url)
                await run(step, "down")
                assert_same(await schema_of(url), before, f"{name} down")
                await run(step, "up")
                assert_same(await schema_of(url), after, f"{name} up again")
                before = after
    async with fresh_database(kind, tmp_path) as url:
        async with db.database(url):
            await Tortoise.generate_schemas(safe=False)
            from_models = await schema_of(url)
    expected = without_single_indexes(from_models, NOT_YET_INDEXED)
    assert expected != from_models or not NOT_YET_INDEXED, "NOT_YET_INDEXED names an index the models do not have"
    assert_same(before, expected, "every migration, against the models")


async def test_the_steps_are_every_migration_file_in_name_order(tmp_path):
    async with db.database(f"sqlite://{tmp_path / 'empty.sqlite3'}"):
        assert [migration.name for migration in await in_order()] == MIGRATIONS
