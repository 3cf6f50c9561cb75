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
    """INSERT rows of ``model`` in one statement, each a dict of column values; a column a row
    leaves out takes the model's default (``now`` for a creation time), as the ORM would give it,
    without a model object for each row."""
    if not rows:
        return
    meta = model._meta
    fields = {name: field for name, field in meta.fields_map.items()
              if field.has_db_field and not (field.pk and getattr(field, "generated", False))}
    keys = [f"{name}_id" for name in sorted(meta.fk_fields)]  # stored as they are: the related row's id
    columns = [*keys, *(name for name in fields if name not in keys)]

    convert = _converters(model)

    def value(row: dict, name: str):
        if name in keys:
            return row.get(name)
        field = fields[name]
        if name in row:
            given = row[name]
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            given = now or datetime.now(timezone.utc)
        else:
            given = field.default() if callable(field.default) else field.default
        return convert[name](given)

    quoted = ", ".join(f'"{column}"' for column in columns)
    sql = f'INSERT INTO "{meta.db_table}" ({quoted}) VALUES ({", ".join(marks(conn, len(columns)))})'
    await conn.execute_many(sql, [[value(row, name) for name in columns] for row in rows])
