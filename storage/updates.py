"""UPDATE statements of a fixed text, for writers of many rows in a row (the deadline sweep).

The ORM builds each UPDATE afresh through its query builder, which for a case's row costs more
than the database takes to run it. A statement here is the same text every time, so the driver
keeps it prepared, and many rows of one shape go as one ``executemany``. Values are converted
exactly as the ORM converts them (``to_db_value``).
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache

from tortoise import fields as kinds

# Columns the driver takes as they are: the ORM's to_db_value would only check them again (the
# database checks lengths and types too), at a cost a sweep of thousands of rows notices.
PLAIN = (kinds.CharField, kinds.TextField, kinds.IntField, kinds.SmallIntField, kinds.BigIntField, kinds.BooleanField)


# Columns read back as the driver gives them: the ORM's to_python_value would return them unchanged.
READ_PLAIN = (kinds.CharField, kinds.TextField, kinds.IntField, kinds.SmallIntField, kinds.BigIntField)


def marks(conn, n: int, first: int = 1) -> list[str]:
    return [f"${i}" if conn.capabilities.dialect == "postgres" else "?" for i in range(first, first + n)]


async def locked_versions(conn, model, ids: list[int]) -> dict[int, int]:
    """Lock the rows in id order (so two writers of overlapping sets never wait in a cycle) and read
    their versions. SQLite has no FOR UPDATE: its one connection is this transaction's until it ends."""
    lock = " FOR UPDATE" if conn.capabilities.dialect == "postgres" else ""
    found = await conn.execute_query_dict(
        f'SELECT "id", "version" FROM "{model._meta.db_table}" WHERE "id" IN ({", ".join(marks(conn, len(ids)))}) '
        f'ORDER BY "id"{lock}', ids)
    return {row["id"]: row["version"] for row in found}


async def rows_in(conn, model, columns: tuple[str, ...], key: str, values: list) -> list[dict]:
    """The rows of ``model`` whose ``key`` is one of ``values``, in id order, each ``columns`` as
    the ORM reads them (``.values()``), from a statement of a fixed text: the ORM's query builder
    and its conversion of every column of every row cost more than the database takes to run it."""
    return [dict(zip(columns, record)) for record in await records_in(conn, model, columns, key, values)]


async def records_in(conn, model, columns: tuple[str, ...], key: str, values: list) -> list[list]:
    """``rows_in``, each row a list of its values in ``columns`` order: no dict for each of the
    hundred thousand rows a sweep reads."""
    if not values:
        return []
    quoted = ", ".join(f'"{name}"' for name in columns)
    _, rows = await conn.execute_query(
        f'SELECT {quoted} FROM "{model._meta.db_table}" WHERE "{key}" IN ({", ".join(marks(conn, len(values)))}) '
        f'ORDER BY "id"', values)
    readers = _readers(model)
    convert = [(at, readers[name]) for at, name in enumerate(columns) if name in readers]
    records = []
    for row in rows:
        record = list(row)
        for at, to_python in convert:
            record[at] = to_python(record[at])
        records.append(record)
    return records


@lru_cache(maxsize=None)
def _readers(model) -> dict:
    """Each column the driver does not give as the ORM reads it (dates and booleans on SQLite, JSON)."""
    return {name: _reader(field) for name, field in model._meta.fields_map.items()
            if field.has_db_field and type(field) not in READ_PLAIN}


def _reader(field):
    to_python = field.to_python_value
    if isinstance(field, kinds.JSONField):
        # most JSON lists read are empty (a task's problems): a new list, without the decoder
        return lambda value: [] if value == "[]" else to_python(value)
    return to_python


def update_sql(conn, model, columns: list[str], keys: list[str], bump: str | None = None) -> str:
    placed = marks(conn, len(columns) + len(keys))
    assignments = [f'"{name}"={mark}' for name, mark in zip(columns, placed)]
    if bump:
        assignments.append(f'"{bump}"="{bump}"+1')
    conditions = [f'"{name}"={mark}' for name, mark in zip(keys, placed[len(columns):])]
    return f'UPDATE "{model._meta.db_table}" SET {", ".join(assignments)} WHERE {" AND ".join(conditions)}'


def db_values(model, *values: dict) -> list:
    """Each value as the ORM stores it (JSON as text, dates as the driver takes them)."""
    convert = _converters(model)
    return [convert[name](value) for each in values for name, value in each.items()]


@lru_cache(maxsize=None)
def _converters(model) -> dict:
    def to_db(field):
        return (lambda value: value) if type(field) in PLAIN else (lambda value: field.to_db_value(value, None))
    return {name: to_db(field) for name, field in model._meta.fields_map.items() if field.has_db_field}


async def update(conn, model, values: dict, where: dict, bump: str | None = None) -> int:
    """UPDATE the rows of ``model`` matching ``where``; how many changed."""
    changed, _ = await conn.execute_query(update_sql(conn, model, list(values), list(where), bump),
                                          db_values(model, values, where))
    return changed


async def update_many(conn, model, rows: list[tuple[dict, dict]]) -> None:
    """Each (values, where): one statement for all the rows of the same columns."""
    shapes: dict[tuple, list[tuple[dict, dict]]] = {}
    for values, where in rows:
        shapes.setdefault((tuple(values), tuple(where)), []).append((values, where))
    for (columns, keys), alike in shapes.items():
        if len(alike) == 1:
            await update(conn, model, *alike[0])
        else:
            await conn.execute_many(update_sql(conn, model, list(columns), list(keys)),
                                    [db_values(model, v, w) for v, w in alike])


async def insert_many(conn, model, rows: list[dict], now: datetime | None = None) -> None:
    """Add rows of ``model``, each a dict of column values; a column a row leaves out takes the
    model's default (``now`` for a creation time), as the ORM would give it, without a model
    object for each row. How each column is filled is worked out once per call, not once per
    value: a sweep's batch inserts thousands of values. On PostgreSQL they go by COPY (one
    message for all the rows, none of an INSERT's per-row statement work), else by one INSERT
    run for each row."""
    if not rows:
        return
    meta = model._meta
    fields = {name: field for name, field in meta.fields_map.items()
              if field.has_db_field and not (field.pk and getattr(field, "generated", False))}
    keys = [f"{name}_id" for name in sorted(meta.fk_fields)]  # stored as they are: the related row's id
    columns = [*keys, *(name for name in fields if name not in keys)]
    fill = [_filler(name, None if name in keys else fields[name], model, now) for name in columns]
    values = [[given(row) for given in fill] for row in rows]
    if conn.capabilities.dialect == "postgres":
        async with conn.acquire_connection() as connection:  # asyncpg's, in the caller's transaction
            await connection.copy_records_to_table(meta.db_table, records=values, columns=columns)
        return
    quoted = ", ".join(f'"{column}"' for column in columns)
    sql = f'INSERT INTO "{meta.db_table}" ({quoted}) VALUES ({", ".join(marks(conn, len(columns)))})'
    await conn.execute_many(sql, values)


def _filler(name: str, field, model, now: datetime | None):
    """What a row gives for column ``name``: its own value or the model's default, as stored.
    ``field`` is None for a foreign key's id, which is stored as it is."""
    if field is None:
        return lambda row: row.get(name)
    convert = _converters(model)[name]
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        default = (lambda: now) if now is not None else (lambda: datetime.now(timezone.utc))
    elif callable(field.default):
        default = field.default
    else:
        default = (lambda value: lambda: value)(field.default)
    if type(field) in PLAIN:
        return lambda row: row[name] if name in row else default()
    return lambda row: convert(row[name] if name in row else default())
