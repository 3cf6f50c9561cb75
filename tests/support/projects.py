"""Enterprises and projects for the issue-ledger tests, made straight in the database."""

from __future__ import annotations

import uuid

from storage.models import Enterprise, StaffUser
from tests.support.builders import credit_code

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
