"""The one error middleware: a backing service out of reach is a 503 to retry, a fault a 500."""

from __future__ import annotations

import json
import socket
import sqlite3

import asyncpg
import pytest
import redis.exceptions
import tortoise.exceptions
from aiohttp.test_utils import make_mocked_request

from onething.web.errors import error_middleware


def wrapped(cause: BaseException, outer: type[Exception] = tortoise.exceptions.OperationalError) -> Exception:
    try:
        raise cause
    except BaseException as exc:
        try:
            raise outer(exc) from exc
        except Exception as wrapper:
            return wrapper


AWAY = [
    redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379."),
    redis.exceptions.TimeoutError("Timeout reading from socket"),
    redis.exceptions.BusyLoadingError("Redis is loading the dataset in memory"),
    asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
    asyncpg.InterfaceError("connection is closed"),
    tortoise.exceptions.DBConnectionError("cannot connect"),
    ConnectionRefusedError(111, "Connect call failed"),
    ConnectionResetError(104, "Connection reset by peer"),
    TimeoutError(),
    socket.gaierror(-2, "Name or service not known"),
    sqlite3.OperationalError("database is locked"),
    wrapped(sqlite3.OperationalError("unable to open database file")),
    wrapped(ConnectionRefusedError(111, "refused"), outer=redis.exceptions.RedisError),
]
FAULTS = [
    ValueError("a bug"),
    KeyError("thing"),
    sqlite3.OperationalError("no such column: form"),
    wrapped(sqlite3.OperationalError("no such table: application")),
    asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
    asyncpg.exceptions.UndefinedColumnError("column does not exist"),
    redis.exceptions.ResponseError("WRONGTYPE Operation against a key holding the wrong kind of value"),
    tortoise.exceptions.IntegrityError("duplicate key"),
]


async def answer(exc: BaseException):
    async def handler(request):
        raise exc

    response = await error_middleware(make_mocked_request("GET", "/api/v1/me"), handler)
    return response.status, response.headers, json.loads(response.body)["error"]


@pytest.mark.parametrize("exc", AWAY, ids=lambda e: type(e).__name__)
async def test_a_service_out_of_reach_is_a_503_to_retry(exc):
    status, headers, error = await answer(exc)
    assert status == 503 and headers["Retry-After"] == "10"
    assert (error["code"], error["message"]) == ("service_unavailable", "系统暂时无法处理请求，请稍后再试。")


@pytest.mark.parametrize("exc", FAULTS, ids=lambda e: type(e).__name__)
async def test_a_fault_stays_a_500(exc):
    status, headers, error = await answer(exc)
    assert status == 500 and "Retry-After" not in headers
    assert error["code"] == "internal_error"
