"""Counting the SQL statements a request makes, to show a list page does not grow with its rows."""

from __future__ import annotations

from contextlib import contextmanager

from tortoise import connections

CALLS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many", "execute_script")


@contextmanager
def counted_queries():
    """``with counted_queries() as seen: ...``; then ``len(seen)`` statements ran, ``seen`` their SQL."""
    seen: list[str] = []
    cls = type(connections.get("default"))
    originals = {name: getattr(cls, name) for name in CALLS}

    def counting(original):
        async def call(self, query, *args, **kwargs):
            seen.append(str(query))
            return await original(self, query, *args, **kwargs)
        return call

    for name, original in originals.items():
        setattr(cls, name, counting(original))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(cls, name, original)
