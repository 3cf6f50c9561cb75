"""Counting the SQL statements a piece of work sends, to prove a page makes no query per row."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from tortoise import connections

METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many", "execute_script")


@contextmanager
def counted() -> Iterator[list[str]]:
    """The statements sent through the default connection while inside, in order."""
    sent: list[str] = []
    kind = type(connections.get("default"))
    originals = {name: getattr(kind, name) for name in METHODS}

    def wrap(name, original):
        async def counting(self, query, *args, **kwargs):
            sent.append(str(query))
            return await original(self, query, *args, **kwargs)
        return counting

    for name, original in originals.items():
        setattr(kind, name, wrap(name, original))
    try:
        yield sent
    finally:
        for name, original in originals.items():
            setattr(kind, name, original)
