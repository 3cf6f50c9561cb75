"""Enterprises and projects for the issue-ledger tests, made straight in the database."""

from __future__ import annotations

import random
import uuid

from onething.domain.identity import valid_credit_code
from storage.models import Enterprise, StaffUser

_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code() -> str:
    """A random unified social credit code (GB 32100) with a correct check character."""
    body = "91330100" + "".join(random.choice(_CHARS) for _ in range(9))
    total = sum(_CHARS.index(c) * w for c, w in zip(body, _WEIGHTS))
    code = body + _CHARS[(31 - total % 31) % 31]
    assert valid_credit_code(code)
    return code


async def enterprise(manager: str | None = None, name: str = "") -> Enterprise:
    manager_row = await StaffUser.get(username=manager) if manager else None
    return await Enterprise.create(name=name or f"某县青禾食品有限公司-{uuid.uuid4().hex[:6]}",
                                   credit_code=credit_code(), manager=manager_row)


async def login(client, role: str, department: str | None = None):
    """A staff member signed in, who remembers their own username (``.username``)."""
    from tests.support.staff_api import StaffApi

    username = f"{role}-{uuid.uuid4().hex[:8]}"
    api = await StaffApi.login(client, username, role, department=department)
    api.username = username
    return api


async def call(api, method: str, path: str, expect: int = 200, json=None):
    return await api.call(method, path, expect, json=json if json is not None else {})
