"""Which failures mean Redis or the database is out of reach, rather than a fault in this code.

Those answer 503 with Retry-After: the pools reconnect by themselves once the service is back,
so the person only needs to try again. Drivers wrap one another (tortoise around asyncpg or
sqlite3, redis-py around OSError), so the whole chain of causes is looked at.
"""

from __future__ import annotations

import socket
import sqlite3

import asyncpg
import redis.exceptions
import tortoise.exceptions

RETRY_AFTER = 10  # seconds: a restarted Redis or a PostgreSQL failover takes about that
_CONNECTION_ERRORS = (
    redis.exceptions.ConnectionError,  # also BusyLoadingError: Redis reading its dump after a restart
    redis.exceptions.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,  # the server shutting down or not yet accepting connections
    asyncpg.exceptions.TooManyConnectionsError,
    tortoise.exceptions.DBConnectionError,
    ConnectionError,  # refused, reset, aborted
    TimeoutError,
    socket.gaierror,
)
# sqlite3 says all of these with one class; only these messages mean the file is out of reach
_SQLITE_AWAY = ("database is locked", "unable to open database file", "disk i/o error")
_ASYNCPG_CLOSED = ("connection is closed", "pool is closed", "pool is closing")


def _chain(exc: BaseException):
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__]
        todo += [arg for arg in current.args if isinstance(arg, BaseException)]  # tortoise: Error(exc)


def _away(exc: BaseException) -> bool:
    if isinstance(exc, _CONNECTION_ERRORS):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        return str(exc).lower().startswith(_SQLITE_AWAY)
    if isinstance(exc, asyncpg.InterfaceError):
        return str(exc).lower().startswith(_ASYNCPG_CLOSED)
    return False


def unavailable(exc: BaseException) -> bool:
    return any(_away(e) for e in _chain(exc))


def name(exc: BaseException) -> str:
    """The class of the failure that says which service is away, for the log (never its message)."""
    return next((type(e).__name__ for e in _chain(exc) if _away(e)), type(exc).__name__)
